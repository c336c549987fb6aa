package io.torovj.sys;

import io.torovj.linux.SocketConstants;

/**
 * An IPv4 socket address ({@code struct sockaddr_in}) in monitor-owned host memory, with the
 * {@code socklen_t} the kernel reads or writes beside it. The monitor fills it (from bytes it
 * copied out of guest memory and checked, or with a loopback address) before a host call reads
 * it, and reads it back after a call wrote a peer or local address into it: the guest never has
 * a pointer to it, so it cannot change an address between the check and the call. Allocated once
 * and reused; nothing here allocates.
 */
public final class SockAddrIn {
    /**
     * Bytes the kernel may write as a peer or local address: more than a sockaddr_in, so that an
     * unexpected family is truncated, not overrun; {@link #length()} tells the full length.
     */
    public static final int CAPACITY = 112;

    private final NativeBuffer address = new NativeBuffer(CAPACITY);
    private final NativeBuffer length = new NativeBuffer(4);

    /** Sets the address to the first {@link SocketConstants#SOCKADDR_IN_SIZE} bytes of {@code raw}, as they are. */
    public void setFromBytes(byte[] raw) {
        address.put(0, raw, 0, SocketConstants.SOCKADDR_IN_SIZE);
        length.putInt(0, SocketConstants.SOCKADDR_IN_SIZE);
    }

    /** Sets the address to 127.0.0.1:{@code port} (0: a port of the kernel's choice when binding). */
    public void setLoopback(int port) {
        address.clear();
        address.putShort(0, (short) SocketConstants.AF_INET);
        address.putByte(2, (byte) (port >>> 8));
        address.putByte(3, (byte) port);
        address.putByte(4, (byte) 127);
        address.putByte(7, (byte) 1);
        length.putInt(0, SocketConstants.SOCKADDR_IN_SIZE);
    }

    /** The port, in host order (bytes 2 and 3, big-endian). */
    public int port() {
        return (address.getByte(2) & 0xFF) << 8 | (address.getByte(3) & 0xFF);
    }

    /** The address's length: set by {@code set*}, or as the kernel reported it after a call wrote the address. */
    public int length() {
        return length.getInt(0);
    }

    /** Copies the first {@code n} bytes of the address (at most {@link #CAPACITY}) to {@code dst}. */
    public void get(byte[] dst, int n) {
        address.get(0, dst, 0, n);
    }

    /** Before a call that writes an address: gives the kernel {@link #CAPACITY} bytes of room. */
    public void expectAddress() {
        length.putInt(0, CAPACITY);
    }

    /**
     * The address bytes, for a host call made by a layer that may hold native memory
     * ({@code io.torovj.memory}'s guest I/O with a socket address); the architecture test keeps
     * every other layer from touching a {@link NativeBuffer}.
     */
    public NativeBuffer addressBuffer() { return address; }

    /** The socklen_t beside the address, for the same callers as {@link #addressBuffer()}. */
    public NativeBuffer lengthBuffer() { return length; }
}
