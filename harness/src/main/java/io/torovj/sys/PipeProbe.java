package io.torovj.sys;

import io.torovj.linux.Errno;
import io.torovj.linux.OpenFlags;
import io.torovj.linux.Pipes;
import io.torovj.linux.SyscallNames;

/**
 * Learns, without consuming anything, whether a pipe or FIFO the monitor reads has data or has
 * writers: tee(2) of one byte, non-blocking, into a monitor-owned pipe, which answers 0 for an
 * empty pipe without writers, EAGAIN for an empty one with writers, and copies (duplicates) a
 * byte if there is data; the copy is drained at once. poll(2) cannot tell a FIFO's silent writer
 * from no writer at all; this can. Allocation-free after {@link #create()}; one thread at a time.
 */
public final class PipeProbe implements AutoCloseable {
    /** What {@link #probe} answers. */
    public static final int EMPTY_NO_WRITERS = 0, EMPTY_WITH_WRITERS = 1, HAS_DATA = 2;
    private static final long SYS_TEE = SyscallNames.number("tee");

    private final int readEnd, writeEnd;
    private final NativeBuffer sink = new NativeBuffer(8);
    private boolean closed;

    private PipeProbe(int readEnd, int writeEnd) {
        this.readEnd = readEnd;
        this.writeEnd = writeEnd;
    }

    /** A new probe (a non-blocking, close-on-exec pipe), or null if the host refuses one. */
    public static PipeProbe create() {
        NativeBuffer fds = new NativeBuffer(8);
        if (FileCalls.INSTANCE.pipe2(fds.address(), OpenFlags.O_NONBLOCK | OpenFlags.O_CLOEXEC) != 0) return null;
        return new PipeProbe(fds.getInt(0), fds.getInt(4));
    }

    /**
     * {@link #EMPTY_NO_WRITERS}, {@link #EMPTY_WITH_WRITERS} or {@link #HAS_DATA} for the pipe or
     * FIFO read end {@code fd}, or -errno (EINVAL: not a pipe).
     */
    public int probe(int fd) {
        long n = LibC.INSTANCE.syscall(SYS_TEE, fd, writeEnd, 1, Pipes.SPLICE_F_NONBLOCK);
        if (n > 0) {
            LibC.INSTANCE.read(readEnd, sink.address(), 8);       // drain the copy: the probe stays empty
            return HAS_DATA;
        }
        if (n == 0) return EMPTY_NO_WRITERS;
        int errno = LibC.errno();
        return errno == Errno.EAGAIN ? EMPTY_WITH_WRITERS : -errno;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        LibC.INSTANCE.close(readEnd);
        LibC.INSTANCE.close(writeEnd);
    }
}
