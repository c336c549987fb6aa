package io.torovj.sys;

import io.torovj.linux.Errno;

/**
 * Unpredictable bytes straight from the host kernel's getrandom(2) (AT_RANDOM, the guest's own
 * getrandom). A {@code SecureRandom} would give the same quality but costs a one-shot run ~10 ms
 * of provider set-up and DRBG seeding before its first byte, and the kernel's pool needs neither.
 */
public final class HostRandom {
    private static final long SYS_GETRANDOM = 318;      // x86-64
    /** One buffer for every caller (pool workers and vCPU threads), under its own lock. */
    private static final int CHUNK = 256;
    private static NativeBuffer buffer;

    private HostRandom() {}

    /** Fills {@code into} with bytes from the kernel's random pool (blocking only before it is seeded, at boot). */
    public static synchronized void fill(byte[] into) {
        int len = into.length;
        if (buffer == null) buffer = new NativeBuffer(CHUNK);
        int done = 0;
        while (done < len) {
            int want = Math.min(CHUNK, len - done);
            long n = LibC.INSTANCE.syscall(SYS_GETRANDOM, buffer.address(), want, 0, 0);
            if (n < 0) {
                int errno = LibC.errno();
                if (errno == Errno.EINTR) continue;
                throw new IllegalStateException("getrandom failed: " + LibC.INSTANCE.strerror(errno));
            }
            buffer.get(0, into, done, (int) n);
            done += (int) n;
        }
    }
}
