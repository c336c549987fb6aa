package io.torovj.sys;

import static io.torovj.linux.EpollConstants.EVENT_SIZE;
import static io.torovj.linux.EpollConstants.OFF_DATA;
import static io.torovj.linux.EpollConstants.OFF_EVENTS;

/**
 * An array of {@code struct epoll_event} (packed, 12 bytes each) in monitor-owned host memory:
 * what {@link HostEpoll#ctl} reads a guest's event from, after the monitor copied it in (so the
 * guest cannot change it during the call), and what {@link HostEpoll#await} fills before the
 * monitor copies the events out. Allocated once and reused.
 */
public final class EpollEvents {
    private final int capacity;
    private final NativeBuffer events;

    /** @param capacity how many events it holds, at least 1 */
    public EpollEvents(int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("epoll event capacity " + capacity);
        this.capacity = capacity;
        this.events = new NativeBuffer(capacity * EVENT_SIZE);
    }

    public int capacity() { return capacity; }

    /** Sets event {@code i} to {@code events} (EPOLL* bits) and {@code data} (the caller's, returned verbatim). */
    public void set(int i, int events, long data) {
        this.events.putInt(i * EVENT_SIZE + OFF_EVENTS, events);
        this.events.putLong(i * EVENT_SIZE + OFF_DATA, data);
    }

    /** Copies the raw bytes of the first {@code n} events (as the kernel wrote them) to {@code dst}. */
    public void copyTo(int n, byte[] dst) {
        events.get(0, dst, 0, n * EVENT_SIZE);
    }

    long address() { return events.address(); }
}
