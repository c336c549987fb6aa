package io.torovj.linux;

/**
 * epoll(7)'s numbers on Linux x86-64 ({@code <sys/epoll.h>}, {@code fs/eventpoll.c}): the
 * create flag, epoll_ctl's operations, the event bits the monitor treats specially, and the
 * layout of {@code struct epoll_event}, which is packed on x86-64 (12 bytes, not 16).
 */
public final class EpollConstants {
    private EpollConstants() {}

    /** epoll_create1's only flag. */
    public static final int EPOLL_CLOEXEC = 0x80000;

    public static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;

    public static final int EPOLLIN = 0x001;
    /** Keeps the system awake while the event is pending; Linux drops it silently without CAP_BLOCK_SUSPEND. */
    public static final int EPOLLWAKEUP = 1 << 29;

    /** sizeof(struct epoll_event): u32 events, then u64 data at offset 4 (packed). */
    public static final int EVENT_SIZE = 12, OFF_EVENTS = 0, OFF_DATA = 4;

    /** The largest maxevents epoll_wait accepts (INT_MAX / sizeof(struct epoll_event)); above it, EINVAL. */
    public static final int EP_MAX_EVENTS = Integer.MAX_VALUE / EVENT_SIZE;
}
