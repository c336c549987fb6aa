package io.torovj.sys;

/**
 * openat2(2)'s {@code struct open_how} ({@code <linux/openat2.h>}: u64 flags, u64 mode, u64
 * resolve), in monitor-owned host memory, for {@link HostFiles#openat2}. Allocated once and
 * refilled per call.
 */
public final class OpenHow {
    static final int SIZE = 24;
    private final NativeBuffer buffer = new NativeBuffer(SIZE);

    /** Sets all three fields; {@code flags} is taken as the unsigned 32-bit value open(2) would see. */
    public void set(int flags, long mode, long resolve) {
        buffer.putLong(0, flags & 0xFFFFFFFFL);
        buffer.putLong(8, mode);
        buffer.putLong(16, resolve);
    }

    long address() { return buffer.address(); }
}
