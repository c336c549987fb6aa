package io.torovj.sys;

import io.torovj.linux.Errno;

/**
 * An array of {@code struct pollfd} (8 bytes each: int fd, short events, short revents) in
 * monitor-owned host memory, allocated once at its full capacity: what poll(2) is given, so that
 * the host kernel never reads or writes guest memory and a guest cannot change an entry while
 * the call runs. One thread at a time; allocation-free.
 */
public final class PollFds {
    /** The size of one {@code struct pollfd}. */
    public static final int SIZE = 8;
    private static final int OFF_FD = 0, OFF_EVENTS = 4, OFF_REVENTS = 6;

    private final NativeBuffer entries;
    private final int capacity;

    public PollFds(int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("pollfd capacity " + capacity);
        this.capacity = capacity;
        this.entries = new NativeBuffer(capacity * SIZE);
    }

    public int capacity() { return capacity; }

    /** Entry {@code i} watches host fd {@code fd} (negative: ignored by poll) for {@code events}; its revents cleared. */
    public void set(int i, int fd, int events) {
        int off = i * SIZE;
        entries.putInt(off + OFF_FD, fd);
        entries.putShort(off + OFF_EVENTS, (short) events);
        entries.putShort(off + OFF_REVENTS, (short) 0);
    }

    /** The revents poll left in entry {@code i} (16 bits, unsigned). */
    public int revents(int i) {
        return entries.getShort(i * SIZE + OFF_REVENTS) & 0xFFFF;
    }

    /** Clears every revents of the first {@code n} entries (before a poll is repeated). */
    public void clearRevents(int n) {
        for (int i = 0; i < n; i++) entries.putShort(i * SIZE + OFF_REVENTS, (short) 0);
    }

    /**
     * poll(2) on the first {@code n} entries for at most {@code timeoutMillis} (negative: no
     * limit): the number of entries with revents, 0 when the time is up, or -errno (-EINTR
     * included: the caller decides whether to wait again).
     */
    public int poll(int n, int timeoutMillis) {
        if (n < 0 || n > capacity) throw new IndexOutOfBoundsException("poll of " + n + " of " + capacity + " entries");
        int r = LibC.INSTANCE.poll(entries.address(), n, timeoutMillis);
        return r >= 0 ? r : -errno();
    }

    private static int errno() {
        int e = LibC.errno();
        return e > 0 ? e : Errno.EIO;
    }
}
