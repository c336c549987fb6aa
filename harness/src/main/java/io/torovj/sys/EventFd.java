package io.torovj.sys;

import io.torovj.linux.Errno;

/**
 * One eventfd(2): a kernel counter a thread can block on. {@link #signal()} adds one,
 * {@link #await()} blocks until it is non-zero and resets it. Both allocate nothing; each side
 * has its own 8-byte buffer, so a signalling thread and a waiting one never share one.
 */
public final class EventFd implements AutoCloseable {
    private static final int EFD_CLOEXEC = 0x80000;

    private final int fd;
    private final NativeBuffer one = new NativeBuffer(8);
    private final NativeBuffer sink = new NativeBuffer(8);
    private volatile boolean closed;

    private EventFd(int fd) {
        this.fd = fd;
        one.putLong(0, 1);
    }

    /** A new eventfd with a count of zero; throws with the errno if the kernel refuses. */
    public static EventFd create() {
        int fd = LibC.INSTANCE.eventfd(0, EFD_CLOEXEC);
        if (fd < 0) throw new IllegalStateException("eventfd failed: " + LibC.INSTANCE.strerror(LibC.errno()));
        return new EventFd(fd);
    }

    /** The host fd, for KVM_IOEVENTFD: never handed to a guest. */
    public int fd() { return fd; }

    /** Adds one to the counter, waking a thread in {@link #await()}. */
    public void signal() {
        if (LibC.INSTANCE.write(fd, one.address(), 8) != 8) {
            throw new IllegalStateException("writing an eventfd failed: " + LibC.INSTANCE.strerror(LibC.errno()));
        }
    }

    /** Blocks until the counter is non-zero, then resets it. A signal interrupting the wait counts as a wake-up. */
    public void await() {
        if (LibC.INSTANCE.read(fd, sink.address(), 8) != 8) {
            int errno = LibC.errno();
            if (errno != Errno.EINTR) throw new IllegalStateException("reading an eventfd failed: " + LibC.INSTANCE.strerror(errno));
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        LibC.INSTANCE.close(fd);
    }
}
