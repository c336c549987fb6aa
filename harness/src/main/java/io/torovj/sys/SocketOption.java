package io.torovj.sys;

/**
 * A socket option's value ({@code setsockopt}/{@code getsockopt}) in monitor-owned host memory,
 * with its length. The monitor copies a guest's option bytes in before {@link HostSockets#setsockopt}
 * reads them, so the guest cannot change them during the call. Allocated once and reused.
 */
public final class SocketOption {
    private final int capacity;
    private final NativeBuffer value;
    private final NativeBuffer length = new NativeBuffer(4);

    /** @param capacity the largest option value it holds, in bytes */
    public SocketOption(int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("option capacity " + capacity);
        this.capacity = capacity;
        this.value = new NativeBuffer(capacity);
    }

    public int capacity() { return capacity; }

    /** Sets the value to the first {@code len} bytes of {@code src} (at most {@link #capacity()}). */
    public void set(byte[] src, int len) {
        value.put(0, src, 0, len);
        length.putInt(0, len);
    }

    /** The value's length: as set, or as getsockopt reported it. */
    public int length() { return length.getInt(0); }

    /** Copies the value's first {@code len} bytes (at most {@link #length()}) to {@code dst}. */
    public void get(byte[] dst, int len) {
        if (len < 0 || len > length()) throw new IllegalArgumentException("option length " + len + " of " + length());
        value.get(0, dst, 0, len);
    }

    /** The value's first four bytes as an int (an int-valued option after getsockopt). */
    public int getInt() { return value.getInt(0); }

    /** Before getsockopt: gives the kernel the whole capacity. */
    void expectValue() { length.putInt(0, capacity); }

    long address() { return value.address(); }
    long lengthAddress() { return length.address(); }
}
