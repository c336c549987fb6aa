package io.torovj.sys;

/**
 * A {@code struct stat} in monitor-owned host memory, filled by fstat(2) of a host fd the
 * monitor holds (for what kind of file a guest fd is: the guest never sees this buffer).
 * Allocated once and refilled per call; allocation-free.
 */
public final class HostStat {
    /** sizeof(struct stat) on x86-64. */
    static final int SIZE = 144;
    private static final int OFF_MODE = 24, OFF_RDEV = 40, OFF_BLOCKS = 64;

    private final NativeBuffer buffer = new NativeBuffer(SIZE);

    /** fstat(2) of {@code fd} into this buffer: 0 or -errno (then the fields are stale). */
    public int fstat(int fd) {
        return LibC.INSTANCE.fstat(fd, buffer.address()) < 0 ? -LibC.errno() : 0;
    }

    /** {@code st_mode}: the file type ({@code S_IFMT} bits) and permissions of the last {@link #fstat}. */
    public int mode() { return buffer.getInt(OFF_MODE); }

    /** {@code st_rdev}: the device number of a character or block device of the last {@link #fstat}. */
    public long rdev() { return buffer.getLong(OFF_RDEV); }

    /** {@code st_blocks}: 512-byte blocks the file has allocated, of the last {@link #fstat}. */
    public long blocks() { return buffer.getLong(OFF_BLOCKS); }
}
