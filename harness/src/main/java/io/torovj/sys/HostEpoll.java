package io.torovj.sys;

import io.torovj.linux.SyscallNames;

/**
 * The host's epoll(7) calls, on monitor-owned memory only ({@link EpollEvents}): the caller
 * copies a guest's event in before {@link #ctl} and the host's events out after {@link #await}.
 * Raw system calls (glibc's wrappers add nothing); each returns the Linux convention
 * ({@code >= 0} or {@code -errno}) and allocates nothing.
 */
public final class HostEpoll {
    private static final long SYS_EPOLL_CREATE1 = SyscallNames.number("epoll_create1");
    private static final long SYS_EPOLL_CTL = SyscallNames.number("epoll_ctl");
    private static final long SYS_EPOLL_WAIT = SyscallNames.number("epoll_wait");

    private HostEpoll() {}

    /** epoll_create1(2): the new host epoll fd, or -errno. */
    public static int create(int flags) {
        return (int) result(LibC.INSTANCE.syscall(SYS_EPOLL_CREATE1, flags, 0, 0, 0));
    }

    /** epoll_ctl(2) with the first event of {@code event} (null for EPOLL_CTL_DEL): 0 or -errno. */
    public static int ctl(int epfd, int op, int fd, EpollEvents event) {
        return (int) result(LibC.INSTANCE.syscall(SYS_EPOLL_CTL, epfd, op, fd, event == null ? 0 : event.address()));
    }

    /**
     * epoll_wait(2) for at most {@code maxEvents} (at most its capacity) events into
     * {@code events}, waiting up to {@code timeoutMillis} (negative: no limit): the number of
     * events, or -errno (-EINTR if a signal came first).
     */
    public static int await(int epfd, EpollEvents events, int maxEvents, int timeoutMillis) {
        if (maxEvents < 0 || maxEvents > events.capacity()) {
            throw new IllegalArgumentException("room for " + events.capacity() + " events, not " + maxEvents);
        }
        return (int) result(LibC.INSTANCE.syscall(SYS_EPOLL_WAIT, epfd, events.address(), maxEvents, timeoutMillis));
    }

    private static long result(long r) {
        return r < 0 ? -LibC.errno() : r;
    }
}
