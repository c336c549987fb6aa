package io.torovj.syscall;

import static io.torovj.linux.OpenFlags.O_CLOEXEC;
import static io.torovj.linux.OpenFlags.O_CREAT;
import static io.torovj.linux.OpenFlags.O_EXCL;
import static io.torovj.linux.OpenFlags.O_NOFOLLOW;
import static io.torovj.linux.OpenFlags.O_NONBLOCK;
import static io.torovj.linux.OpenFlags.O_RDONLY;
import static io.torovj.linux.OpenFlags.O_TRUNC;
import static io.torovj.linux.PollEvents.POLLIN;

import io.torovj.linux.Errno;
import io.torovj.sys.EventFd;
import io.torovj.sys.HostFiles;
import io.torovj.sys.HostPoll;
import io.torovj.sys.PipeProbe;

/**
 * A VM's stop, as the host calls it makes see it: the one thing every host call that may block
 * waits on besides its own fd, so that no limit, kill or fault can be outlived by a guest blocked
 * in the host.
 *
 * <ul>
 * <li>An eventfd, signalled once by {@link #stop()} and never reset: {@link #await} polls a
 *     guest's host fd together with it, and answers -EINTR as soon as the VM is stopping, also
 *     when the stop came before the wait began.
 * <li>Opening a FIFO, which Linux blocks until the other end is opened, and for which there is
 *     no poll. For reading, {@link #awaitFifoWriter}: the read end is opened non-blocking (it
 *     counts as a reader at once, as a blocked reader does) and waited on until a writer has
 *     come: poll sees data or a writer that came and went, a tee(2) probe ({@link PipeProbe})
 *     a writer that is there and silent, checked every few milliseconds. For writing,
 *     {@link #openFifoForWriting}: Linux's own blocking open, through an O_PATH fd on the FIFO,
 *     which {@link #stop()} releases by opening the read end itself (non-blocking, through the
 *     same fd); the fd so opened is then closed and the answer is -EINTR.
 * </ul>
 *
 * Owned by the VM's {@link FdTable}; {@link #stop()} may come from any thread, the waits only
 * from the thread executing the guest's system calls.
 */
public final class StopSignal implements AutoCloseable {
    private final EventFd stopFd = EventFd.create();
    private final HostPoll poll = new HostPoll(stopFd.fd());
    private final Object lock = new Object();
    private PipeProbe probe;
    private boolean noProbe;
    private volatile boolean stopped;
    private boolean closed;
    /** The O_PATH fd a FIFO is being opened for writing through, or -1. */
    private int pendingAnchor = -1;
    /** The read end {@link #stop()} opened to release a pending FIFO open, or -1. */
    private int peer = -1;

    StopSignal() {}

    /** The eventfd that becomes readable, and stays so, once the VM stops (what an epoll set includes to wake then). */
    int fd() { return stopFd.fd(); }

    /** True once {@link #stop()} was called. */
    public boolean isStopped() { return stopped; }

    /**
     * Ends every wait, present and future: signals the eventfd and releases a pending FIFO open.
     * Idempotent, any thread, allocation-free unless a FIFO open is pending.
     */
    public void stop() {
        synchronized (lock) {
            if (stopped || closed) return;
            stopped = true;
            stopFd.signal();
            if (pendingAnchor >= 0) peer = HostFiles.open(procFd(pendingAnchor), O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
        }
    }

    /**
     * Re-arms the signal for a pooled VM's next run (its reset, with nothing waiting): the
     * eventfd is drained and a peer opened for a FIFO released. The stop must be over.
     */
    void rearm() {
        synchronized (lock) {
            if (closed || !stopped) return;
            stopFd.await();             // the counter is non-zero: resets it without waiting
            if (peer >= 0) HostFiles.close(peer);
            peer = -1;
            stopped = false;
        }
    }

    /**
     * Waits until host fd {@code fd} reports one of {@code events} (poll(2) bits; errors and
     * hang-ups count as ready) or the VM stops: the fd's revents ({@code > 0}), -EINTR if the VM
     * is stopping, or -errno of poll.
     */
    int await(int fd, int events) {
        int r = poll.await(fd, events);
        return r == 0 ? -Errno.EINTR : r;
    }

    /**
     * After a non-blocking O_RDONLY open of a FIFO gave {@code reader}: waits as Linux's blocking
     * open would, until a writer has opened the FIFO (it may have written, or closed again,
     * since), or until the VM stops. 0, or -EINTR.
     */
    int awaitFifoWriter(int reader) {
        int waitMillis = 1;
        for (;;) {
            int state = probe(reader);
            if (state == PipeProbe.HAS_DATA || state == PipeProbe.EMPTY_WITH_WRITERS) return 0;
            // no writer now: poll wakes for data, or for a writer that came and went (POLLHUP,
            // which a FIFO's read end reports only once a writer has been seen since it opened)
            int ready = poll.await(reader, POLLIN, state < 0 ? -1 : waitMillis);
            if (ready == 0) return -Errno.EINTR;
            if (ready > 0) return 0;
            if (ready != HostPoll.TIMED_OUT) return ready;
            waitMillis = Math.min(2 * waitMillis, MAX_FIFO_PROBE_MILLIS);
        }
    }

    /** The longest a silent writer's arrival goes unseen by {@link #awaitFifoWriter}. */
    static final int MAX_FIFO_PROBE_MILLIS = 20;

    /** The probe's answer for {@code reader}, or -1 if there is no probe (then poll alone decides). */
    private int probe(int reader) {
        if (probe == null && !noProbe) {
            probe = PipeProbe.create();
            noProbe = probe == null;
        }
        if (probe == null) return -1;
        int state = probe.probe(reader);
        return state < 0 ? -1 : state;
    }

    /**
     * Opens, with {@code flags} (a blocking O_WRONLY open), the FIFO that O_PATH fd {@code anchor}
     * refers to, through /proc/self/fd: blocks as Linux's open of a FIFO for writing does, until
     * a reader opens it, or until the VM stops (then -EINTR). The new host fd, or -errno
     * (-ENOENT: no /proc).
     */
    int openFifoForWriting(int anchor, int flags) {
        String path = procFd(anchor);
        synchronized (lock) {
            if (stopped) return -Errno.EINTR;
            pendingAnchor = anchor;
        }
        int fd = HostFiles.open(path, (flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOFOLLOW | O_NONBLOCK)) | O_CLOEXEC, 0);
        synchronized (lock) {
            pendingAnchor = -1;
            if (peer >= 0) HostFiles.close(peer);
            peer = -1;
            if (stopped) {
                if (fd >= 0) HostFiles.close(fd);
                return -Errno.EINTR;
            }
        }
        return fd;
    }

    private static String procFd(int fd) {
        return "/proc/self/fd/" + fd;
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) return;
            closed = true;
            if (peer >= 0) HostFiles.close(peer);
            peer = -1;
        }
        if (probe != null) probe.close();
        stopFd.close();
    }
}
