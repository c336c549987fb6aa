package io.torovj.linux;

/**
 * Socket numbers of Linux x86-64: address families, socket types and their flags, send flags,
 * option levels and names, shutdown(2) modes, and the size of {@code struct sockaddr_in}
 * ({@code <bits/socket.h>}, {@code <asm-generic/socket.h>}, {@code <netinet/in.h>},
 * {@code <netinet/tcp.h>}).
 */
public final class SocketConstants {
    private SocketConstants() {}

    public static final int AF_INET = 2;

    public static final int SOCK_STREAM = 1, SOCK_DGRAM = 2;
    /** The bits of socket(2)'s type argument that name the type; the rest are the flags below. */
    public static final int SOCK_TYPE_MASK = 0xF;
    public static final int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;

    /** send flag: a peer that went away gives EPIPE, never SIGPIPE. */
    public static final int MSG_NOSIGNAL = 0x4000;
    /** recv flags: look without consuming; wait for the full length (stream sockets). */
    public static final int MSG_PEEK = 0x2, MSG_WAITALL = 0x100;
    /** send/recv flag: this one call does not block (EAGAIN instead), whatever the socket's O_NONBLOCK. */
    public static final int MSG_DONTWAIT = 0x40;

    public static final int SOL_SOCKET = 1, IPPROTO_TCP = 6, IPPROTO_UDP = 17;
    public static final int SO_REUSEADDR = 2, SO_TYPE = 3, SO_ERROR = 4, SO_SNDBUF = 7, SO_RCVBUF = 8, SO_KEEPALIVE = 9,
            SO_REUSEPORT = 15;
    public static final int TCP_NODELAY = 1;

    public static final int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;

    /** sizeof(struct sockaddr_in): family (2), port (2, big-endian), IPv4 address (4), zero padding (8). */
    public static final int SOCKADDR_IN_SIZE = 16;
}
