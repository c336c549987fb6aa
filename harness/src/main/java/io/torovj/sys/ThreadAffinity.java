package io.torovj.sys;

/**
 * The calling thread's CPU affinity mask (sched_getaffinity(2) and sched_setaffinity(2) of
 * thread 0, the caller). For a measurement that must run on one CPU as its C counterpart does (the
 * bench's cold VMs beside cfloor's VM lifecycle, whose thread cfloor pins), and for the monitor's
 * own threads, which must not inherit such a pin from the thread that made them (a spinning
 * poller pinned to its vCPU's CPU would wait a time slice per request).
 *
 * <p>Why a VM's life on one CPU matters here: KVM gives each VM a kernel worker (the NX huge page
 * recovery task, made at the first KVM_RUN) that inherits the creating thread's mask. Unpinned,
 * the worker starts, wakes and is stopped across CPUs, each an inter-processor interrupt, costly
 * on this nested host: the C lifecycle took 0.82-0.89 ms unpinned against 0.39 ms pinned.
 */
public final class ThreadAffinity {
    private static final long SYS_SCHED_SETAFFINITY = 203, SYS_SCHED_GETAFFINITY = 204;
    /** A mask's bytes: 1024 CPUs, as glibc's cpu_set_t. */
    private static final int MASK_BYTES = 128;
    private static final int MASK_LONGS = MASK_BYTES / 8;

    private ThreadAffinity() {}

    /** The calling thread's mask (bit i: CPU i). */
    public static long[] current() {
        return get(0);
    }

    /** The process's mask: its first thread's (the launcher's, which nothing here pins). */
    public static long[] process() {
        return get(HostProcess.pid());
    }

    /**
     * Pins the calling thread to the lowest CPU of its mask (as cfloor pins its timing thread to
     * the first CPU it may use). Returns the mask it had, for {@link #set}.
     */
    public static long[] pinToLowestCpu() {
        long[] had = current();
        long[] one = new long[MASK_LONGS];
        for (int i = 0; i < MASK_LONGS; i++) {
            if (had[i] != 0) {
                one[i] = Long.lowestOneBit(had[i]);
                break;
            }
        }
        set(one);
        return had;
    }

    /**
     * Runs {@code task} with the calling thread pinned to the lowest CPU of its mask
     * ({@link #pinToLowestCpu}) and gives the mask back after, however the task ends.
     */
    public static <T> T onLowestCpu(java.util.concurrent.Callable<T> task) throws Exception {
        long[] had = pinToLowestCpu();
        try {
            return task.call();
        } finally {
            set(had);
        }
    }

    /** Sets the calling thread's mask. */
    public static void set(long[] mask) {
        if (mask.length != MASK_LONGS) throw new IllegalArgumentException("a mask of " + MASK_LONGS + " longs, not " + mask.length);
        NativeBuffer b = new NativeBuffer(MASK_BYTES);
        for (int i = 0; i < MASK_LONGS; i++) b.putLong(8 * i, mask[i]);
        if (LibC.INSTANCE.syscall(SYS_SCHED_SETAFFINITY, 0, MASK_BYTES, b.address(), 0) != 0) {
            throw new IllegalStateException("sched_setaffinity: " + LibC.INSTANCE.strerror(LibC.errno()));
        }
    }

    /** How many CPUs {@code mask} allows. */
    public static int cpus(long[] mask) {
        int n = 0;
        for (long m : mask) n += Long.bitCount(m);
        return n;
    }

    private static long[] get(int tid) {
        NativeBuffer b = new NativeBuffer(MASK_BYTES);
        long copied = LibC.INSTANCE.syscall(SYS_SCHED_GETAFFINITY, tid, MASK_BYTES, b.address(), 0);
        if (copied < 0) throw new IllegalStateException("sched_getaffinity: " + LibC.INSTANCE.strerror(LibC.errno()));
        long[] mask = new long[MASK_LONGS];
        for (int i = 0; i < copied / 8; i++) mask[i] = b.getLong(8 * i);
        return mask;
    }
}
