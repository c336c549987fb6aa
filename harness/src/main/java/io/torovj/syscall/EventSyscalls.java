package io.torovj.syscall;

import static io.torovj.linux.EpollConstants.EPOLLIN;
import static io.torovj.linux.EpollConstants.EPOLLWAKEUP;
import static io.torovj.linux.EpollConstants.EPOLL_CLOEXEC;
import static io.torovj.linux.EpollConstants.EPOLL_CTL_ADD;
import static io.torovj.linux.EpollConstants.EPOLL_CTL_DEL;
import static io.torovj.linux.EpollConstants.EP_MAX_EVENTS;
import static io.torovj.linux.EpollConstants.EVENT_SIZE;
import static io.torovj.linux.EpollConstants.OFF_DATA;
import static io.torovj.linux.EpollConstants.OFF_EVENTS;

import io.torovj.linux.Errno;
import io.torovj.memory.GuestMemory;
import io.torovj.sys.EpollEvents;
import io.torovj.sys.HostEpoll;
import io.torovj.sys.HostFiles;

/**
 * epoll for the guest: epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait.
 *
 * <p>A guest's epoll instance is a host epoll fd held in the VM's {@link FdTable} like any other
 * fd. epoll_ctl names guest fds, translated through the table (so the guest can only watch what
 * it holds), and passes the guest's {@code epoll_data} through untouched: the kernel hands it
 * back verbatim, so no table of registrations is needed and closing a guest fd drops its
 * registration as on Linux. The host kernel decides everything else (EPERM for a regular file,
 * EINVAL for the epoll fd itself or an fd that is not an epoll instance, EEXIST, ENOENT, ELOOP),
 * so the guest sees Linux's own answers.
 *
 * <p>Every host epoll set made here also holds the VM's stop eventfd ({@link StopSignal}), which
 * no guest fd can name: a wait, however long, ends as soon as the VM stops (-EINTR, the guest
 * never runs again), in one host call rather than a poll(2) of the epoll fd and the eventfd
 * followed by a second epoll_wait, which matters on the path of every idle server.
 *
 * <p>Events come back through monitor memory and are copied out through {@link GuestMemory}
 * after the full {@code maxevents * 12} bytes were checked, as Linux checks before it waits.
 * Executing thread only; allocation-free.
 */
public final class EventSyscalls implements SyscallGroup {
    /** Events taken from the host per epoll_wait: a larger maxevents gets at most this many (Linux may return fewer). */
    static final int MAX_EVENTS_PER_WAIT = 256;

    private final GuestMemory memory;
    private final FdTable fds;
    private final StopSignal stop;
    private final EpollEvents event = new EpollEvents(1);
    private final EpollEvents hostEvents = new EpollEvents(MAX_EVENTS_PER_WAIT);
    private final byte[] copy = new byte[MAX_EVENTS_PER_WAIT * EVENT_SIZE];

    public EventSyscalls(GuestMemory memory, FdTable fds) {
        this.memory = memory;
        this.fds = fds;
        this.stop = fds.stopSignal();
    }

    @Override
    public SyscallHandler handler(String call) {
        return switch (call) {
            case "epoll_create" -> (size, a1, a2, a3, a4, a5) -> epollCreate(size);
            case "epoll_create1" -> (flags, a1, a2, a3, a4, a5) -> epollCreate1(flags);
            case "epoll_ctl" -> (epfd, op, fd, ev, a4, a5) -> epollCtl(epfd, op, fd, ev);
            case "epoll_wait" -> (epfd, ev, max, timeout, a4, a5) -> epollWait(epfd, ev, max, timeout);
            case "epoll_pwait" -> (epfd, ev, max, timeout, mask, maskSize) -> epollPwait(epfd, ev, max, timeout, mask, maskSize);
            default -> null;
        };
    }

    /** epoll_create(2): {@code size} is only checked to be positive, as on Linux. */
    long epollCreate(long size) {
        if ((int) size <= 0) return -Errno.EINVAL;
        return epollCreate1(0);
    }

    long epollCreate1(long flags) {
        if (((int) flags & ~EPOLL_CLOEXEC) != 0) return -Errno.EINVAL;
        int host = HostEpoll.create(EPOLL_CLOEXEC);      // the guest's EPOLL_CLOEXEC has no exec to act on
        if (host < 0) return host;
        event.set(0, EPOLLIN, 0);
        int rc = HostEpoll.ctl(host, EPOLL_CTL_ADD, stop.fd(), event);
        if (rc < 0) {
            HostFiles.close(host);
            return rc;
        }
        return fds.install(host, false, false, FdTable.MAY_BLOCK);
    }

    long epollCtl(long epfd, long op, long fd, long ev) {
        // Linux's order: the event is copied in first (EFAULT), then the fds are looked up (EBADF)
        boolean hasEvent = (int) op != EPOLL_CTL_DEL;
        if (hasEvent) {
            if (!memory.contains(ev, EVENT_SIZE)) return -Errno.EFAULT;
            // EPOLLWAKEUP would hold a host wakeup source for the guest: dropped, as Linux does for
            // a caller without CAP_BLOCK_SUSPEND
            event.set(0, memory.readU32(ev + OFF_EVENTS) & ~EPOLLWAKEUP, memory.readU64(ev + OFF_DATA));
        }
        int hostEp = fds.host(epfd);
        int hostFd = fds.host(fd);
        if (hostEp < 0 || hostFd < 0) return -Errno.EBADF;
        return HostEpoll.ctl(hostEp, (int) op, hostFd, hasEvent ? event : null);
    }

    long epollWait(long epfd, long ev, long maxEvents, long timeout) {
        int max = (int) maxEvents;
        if (max <= 0 || max > EP_MAX_EVENTS) return -Errno.EINVAL;
        if (!memory.contains(ev, (long) max * EVENT_SIZE)) return -Errno.EFAULT;
        int hostEp = fds.host(epfd);
        if (hostEp < 0) return -Errno.EBADF;
        int batch = Math.min(max, MAX_EVENTS_PER_WAIT);
        int millis = (int) timeout;
        long deadline = millis > 0 ? System.nanoTime() + millis * 1_000_000L : 0;
        for (;;) {
            int n = HostEpoll.await(hostEp, hostEvents, batch, millis);
            // the stop's eventfd is in the set: whatever the wait returned, the VM is ending
            if (stop.isStopped()) return -Errno.EINTR;
            if (n == -Errno.EINTR) {             // a signal to the monitor thread, not the guest's: wait on
                if (millis > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return 0;
                    millis = (int) Math.max(1, left / 1_000_000L);
                }
                continue;
            }
            if (n <= 0) return n;
            int bytes = n * EVENT_SIZE;
            hostEvents.copyTo(n, copy);
            memory.write(ev, copy, 0, bytes);
            return n;
        }
    }

    /** epoll_pwait(2): signals are never delivered to the guest, so the mask changes nothing; its size is checked as on Linux. */
    long epollPwait(long epfd, long ev, long maxEvents, long timeout, long mask, long maskSize) {
        if (mask != 0 && maskSize != SIGSET_SIZE) return -Errno.EINVAL;
        return epollWait(epfd, ev, maxEvents, timeout);
    }

    /** The kernel's sigset_t: 64 signals. */
    static final long SIGSET_SIZE = 8;
}
