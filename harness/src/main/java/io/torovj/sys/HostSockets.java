package io.torovj.sys;

import io.torovj.linux.SocketConstants;
import io.torovj.linux.SyscallNames;

/**
 * The host socket calls that take no pointer into guest memory: socket, listen, shutdown, and
 * the calls whose only pointers are monitor-owned socket addresses ({@link SockAddrIn}) or option
 * values ({@link SocketOption}): bind, connect, accept4 (the peer address lands in monitor memory,
 * the caller copies it to the guest), getsockname, getsockopt, setsockopt. Each returns the Linux
 * convention ({@code >= 0} or {@code -errno}) and allocates nothing. The calls that move guest
 * bytes (sendto, recvfrom) are {@code io.torovj.memory.GuestIo}'s.
 */
public final class HostSockets {
    private static final long SYS_GETSOCKNAME = SyscallNames.number("getsockname");

    private HostSockets() {}

    /** socket(2): the new host fd, or -errno. */
    public static int socket(int domain, int type, int protocol) {
        int fd = SocketCalls.INSTANCE.socket(domain, type, protocol);
        return fd < 0 ? -LibC.errno() : fd;
    }

    /** bind(2) to {@code address}: 0 or -errno. */
    public static int bind(int fd, SockAddrIn address) {
        return SocketCalls.INSTANCE.bind(fd, address.addressBuffer().address(), SocketConstants.SOCKADDR_IN_SIZE) < 0 ? -LibC.errno() : 0;
    }

    /** connect(2) to {@code address}: 0 or -errno. */
    public static int connect(int fd, SockAddrIn address) {
        return SocketCalls.INSTANCE.connect(fd, address.addressBuffer().address(), SocketConstants.SOCKADDR_IN_SIZE) < 0 ? -LibC.errno() : 0;
    }

    /** listen(2): 0 or -errno. */
    public static int listen(int fd, int backlog) {
        return SocketCalls.INSTANCE.listen(fd, backlog) < 0 ? -LibC.errno() : 0;
    }

    /** accept4(2), the peer's address written to {@code peer}: the new host fd, or -errno. */
    public static int accept4(int fd, SockAddrIn peer, int flags) {
        peer.expectAddress();
        int conn = SocketCalls.INSTANCE.accept4(fd, peer.addressBuffer().address(), peer.lengthBuffer().address(), flags);
        return conn < 0 ? -LibC.errno() : conn;
    }

    /** shutdown(2): 0 or -errno. */
    public static int shutdown(int fd, int how) {
        return SocketCalls.INSTANCE.shutdown(fd, how) < 0 ? -LibC.errno() : 0;
    }

    /** getsockname(2) into {@code scratch}, then its port: the local port (0 while unbound), or -errno. */
    public static long localPort(int fd, SockAddrIn scratch) {
        scratch.expectAddress();
        if (LibC.INSTANCE.syscall(SYS_GETSOCKNAME, fd, scratch.addressBuffer().address(), scratch.lengthBuffer().address(), 0) < 0) {
            return -LibC.errno();
        }
        return scratch.port();
    }

    /** getsockopt(2) SO_TYPE into {@code scratch} (at least 4 bytes): the socket's type (SOCK_STREAM, ...), or -errno. */
    public static int socketType(int fd, SocketOption scratch) {
        scratch.expectValue();
        if (SocketCalls.INSTANCE.getsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_TYPE, scratch.address(),
                scratch.lengthAddress()) != 0) {
            return -LibC.errno();
        }
        return scratch.getInt();
    }

    /**
     * getsockopt(2) SO_ERROR into {@code scratch} (at least 4 bytes), which also clears it: the
     * socket's pending error (0 if none; e.g. how a non-blocking connect ended), or -errno.
     */
    public static int pendingError(int fd, SocketOption scratch) {
        scratch.expectValue();
        if (SocketCalls.INSTANCE.getsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_ERROR, scratch.address(),
                scratch.lengthAddress()) != 0) {
            return -LibC.errno();
        }
        return scratch.getInt();
    }

    /** getsockopt(2) into {@code value} (its whole capacity offered; {@link SocketOption#length()} is then the kernel's): 0 or -errno. */
    public static int getsockopt(int fd, int level, int name, SocketOption value) {
        value.expectValue();
        return SocketCalls.INSTANCE.getsockopt(fd, level, name, value.address(), value.lengthAddress()) < 0 ? -LibC.errno() : 0;
    }

    /** setsockopt(2) with {@code value}'s bytes: 0 or -errno. */
    public static int setsockopt(int fd, int level, int name, SocketOption value) {
        return SocketCalls.INSTANCE.setsockopt(fd, level, name, value.address(), value.length()) < 0 ? -LibC.errno() : 0;
    }
}
