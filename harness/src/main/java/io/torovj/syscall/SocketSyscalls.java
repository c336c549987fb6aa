package io.torovj.syscall;

import io.torovj.memory.GuestMemory;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;

/**
 * TCP/UDP over IPv4 loopback only: socket, bind, listen, accept, accept4, connect, sendto,
 * recvfrom, setsockopt, shutdown. Socket addresses are copied out of guest memory and checked
 * (AF_INET, 127.0.0.0/8, a port the policy names) before the host sees them, so the guest cannot
 * change them after the check; bind to INADDR_ANY is narrowed to 127.0.0.1. The kernel's implicit
 * binds are narrowed too: listen() needs a socket bound (through the policy) first, and a
 * datagram sent from an unbound socket leaves from 127.0.0.1, so no socket ever ends up on
 * 0.0.0.0 where other hosts could reach it.
 */
public final class SocketSyscalls {
    static final int AF_INET = 2, SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_TYPE_MASK = 0xF,
            SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000, MSG_NOSIGNAL = 0x4000;
    static final int SOL_SOCKET = 1, IPPROTO_TCP = 6, SO_REUSEADDR = 2, SO_SNDBUF = 7, SO_RCVBUF = 8,
            SO_KEEPALIVE = 9, SO_REUSEPORT = 15, TCP_NODELAY = 1, SO_TYPE = 3;
    static final int SOCKADDR_IN_SIZE = 16, MAX_OPTION = 64;
    static final int ENOPROTOOPT = 92;
    private static final long SYS_SENDTO = 44, SYS_RECVFROM = 45, SYS_GETSOCKNAME = 51;

    private final GuestMemory memory;
    private final FdTable fds;
    private final SyscallPolicy policy;
    private final MonitorLog log;
    private final NativeBuffer address = new NativeBuffer(128);
    private final NativeBuffer option = new NativeBuffer(MAX_OPTION);
    private final NativeBuffer local = new NativeBuffer(128);

    public SocketSyscalls(GuestMemory memory, FdTable fds, SyscallPolicy policy, MonitorLog log) {
        this.memory = memory;
        this.fds = fds;
        this.policy = policy;
        this.log = log;
    }

    public void registerWith(SyscallDispatcher d) {
        d.register("socket", (domain, type, proto, a3, a4, a5) -> socket(domain, type, proto));
        d.register("bind", (fd, addr, len, a3, a4, a5) -> bindOrConnect(fd, addr, len, true));
        d.register("connect", (fd, addr, len, a3, a4, a5) -> bindOrConnect(fd, addr, len, false));
        d.register("listen", (fd, backlog, a2, a3, a4, a5) -> listen(fd, backlog));
        d.register("accept", (fd, addr, lenPtr, a3, a4, a5) -> accept(fd, addr, lenPtr, 0));
        d.register("accept4", (fd, addr, lenPtr, flags, a4, a5) -> accept(fd, addr, lenPtr, flags));
        d.register("sendto", (fd, buf, len, flags, addr, addrLen) -> sendto(fd, buf, len, flags, addr, addrLen));
        d.register("recvfrom", (fd, buf, len, flags, addr, lenPtr) -> recvfrom(fd, buf, len, flags, addr, lenPtr));
        d.register("setsockopt", (fd, level, name, val, len, a5) -> setsockopt(fd, level, name, val, len));
        d.register("shutdown", (fd, how, a2, a3, a4, a5) -> shutdown(fd, how));
    }

    long socket(long domain, long type, long protocol) {
        int kind = (int) type & SOCK_TYPE_MASK;
        if ((int) domain != AF_INET) return denied("socket", "only AF_INET sockets are supported", -Errno.EAFNOSUPPORT);
        if (kind != SOCK_STREAM && kind != SOCK_DGRAM) return -Errno.EINVAL;
        if (((int) type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -Errno.EINVAL;
        int fd = LibC.INSTANCE.socket(AF_INET, (int) type | SOCK_CLOEXEC, (int) protocol);
        return fd < 0 ? -LibC.errno() : fds.install(fd, false);
    }

    long bindOrConnect(long fd, long addr, long len, boolean bind) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        long checked = copyLoopbackAddress(addr, len, bind);
        if (checked < 0) return checked;
        int port = (int) checked;
        if (bind ? !policy.allowsBind(port) : !policy.allowsConnect(port)) {
            return denied(bind ? "bind" : "connect", "port " + port + " is not allowed", -Errno.EPERM);
        }
        int rc = bind ? LibC.INSTANCE.bind(host, address.address(), SOCKADDR_IN_SIZE)
                : LibC.INSTANCE.connect(host, address.address(), SOCKADDR_IN_SIZE);
        return rc < 0 ? -LibC.errno() : 0;
    }

    long listen(long fd, long backlog) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        // on an unbound socket the kernel would bind 0.0.0.0 and an ephemeral port: reachable
        // from every interface on a port the policy never named
        long port = localPort(host);
        if (port < 0) return port;
        if (port == 0) return denied("listen", "the socket is not bound to an allowed port", -Errno.EPERM);
        return LibC.INSTANCE.listen(host, (int) Math.max(0, Math.min(backlog, 4096))) < 0 ? -LibC.errno() : 0;
    }

    long accept(long fd, long addr, long lenPtr, long flags) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -Errno.EINVAL;
        if (addr != 0) {
            // check the guest's buffers before a connection is taken, so a bad pointer cannot leak it
            int guestLen = memory.readU32(lenPtr);
            if (guestLen < 0) return -Errno.EINVAL;
            memory.hostAddress(addr, Math.min(guestLen, 112));
        }
        address.putInt(120, 112);
        int peer = LibC.INSTANCE.accept4(host, address.address(), address.address() + 120, (int) flags | SOCK_CLOEXEC);
        if (peer < 0) return -LibC.errno();
        if (addr != 0) {
            try {
                copyAddressOut(addr, lenPtr);
            } catch (RuntimeException e) {
                LibC.INSTANCE.close(peer);
                throw e;
            }
        }
        return fds.install(peer, false);
    }

    long sendto(long fd, long buf, long len, long flags, long addr, long addrLen) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        if (len < 0) return -Errno.EINVAL;
        long dest = 0;
        int destLen = 0;
        if (addr != 0) {
            long checked = copyLoopbackAddress(addr, addrLen, false);
            if (checked < 0) return checked;
            if (!policy.allowsConnect((int) checked)) return denied("sendto", "port " + checked + " is not allowed", -Errno.EPERM);
            dest = address.address();
            destLen = SOCKADDR_IN_SIZE;
            // an unbound datagram socket would be bound to 0.0.0.0 by the send: bind it to loopback
            if (isDatagram(host)) {
                long port = localPort(host);
                if (port < 0) return port;
                if (port == 0 && bindLoopbackEphemeral(host) < 0) return -LibC.errno();
            }
        }
        // MSG_NOSIGNAL: a peer that went away must give the guest EPIPE, not the monitor SIGPIPE
        long n = LibC.INSTANCE.syscall(SYS_SENDTO, host, memory.hostAddress(buf, len), len,
                (flags & 0xFFFFFFFFL) | MSG_NOSIGNAL, dest, destLen);
        return n < 0 ? -LibC.errno() : n;
    }

    long recvfrom(long fd, long buf, long len, long flags, long addr, long lenPtr) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        if (len < 0) return -Errno.EINVAL;
        address.putInt(120, 112);
        long n = LibC.INSTANCE.syscall(SYS_RECVFROM, host, memory.hostAddress(buf, len), len, flags & 0xFFFFFFFFL,
                addr != 0 ? address.address() : 0, addr != 0 ? address.address() + 120 : 0);
        if (n < 0) return -LibC.errno();
        if (addr != 0) {
            long rc = copyAddressOut(addr, lenPtr);
            if (rc < 0) return rc;
        }
        return n;
    }

    long setsockopt(long fd, long level, long name, long value, long len) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        boolean allowed = ((int) level == SOL_SOCKET && ((int) name == SO_REUSEADDR || (int) name == SO_REUSEPORT
                || (int) name == SO_KEEPALIVE || (int) name == SO_SNDBUF || (int) name == SO_RCVBUF))
                || ((int) level == IPPROTO_TCP && (int) name == TCP_NODELAY);
        if (!allowed) return -ENOPROTOOPT;
        if (len < 0 || len > MAX_OPTION) return -Errno.EINVAL;
        byte[] bytes = new byte[(int) len];
        memory.read(value, bytes, 0, bytes.length);
        option.put(0, bytes, 0, bytes.length);
        return LibC.INSTANCE.setsockopt(host, (int) level, (int) name, option.address(), (int) len) < 0 ? -LibC.errno() : 0;
    }

    long shutdown(long fd, long how) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        return LibC.INSTANCE.shutdown(host, (int) how) < 0 ? -LibC.errno() : 0;
    }

    /** The local port of host socket {@code host} (0 while unbound), or -errno. */
    private long localPort(int host) {
        local.putInt(120, 112);
        if (LibC.INSTANCE.syscall(SYS_GETSOCKNAME, host, local.address(), local.address() + 120, 0) < 0) return -LibC.errno();
        return (local.getByte(2) & 0xFF) << 8 | (local.getByte(3) & 0xFF);
    }

    /** True if host socket {@code host} is a datagram socket. */
    private boolean isDatagram(int host) {
        local.putInt(120, 4);
        return LibC.INSTANCE.getsockopt(host, SOL_SOCKET, SO_TYPE, local.address(), local.address() + 120) == 0
                && local.getInt(0) == SOCK_DGRAM;
    }

    /** Binds {@code host} to 127.0.0.1 and a port of the kernel's choice; 0 or -1 and errno. */
    private int bindLoopbackEphemeral(int host) {
        local.clear();
        local.putShort(0, (short) AF_INET);
        local.putByte(4, (byte) 127);
        local.putByte(7, (byte) 1);
        return LibC.INSTANCE.bind(host, local.address(), SOCKADDR_IN_SIZE);
    }

    /**
     * Copies a sockaddr_in from the guest into {@link #address} and checks it is IPv4 loopback
     * (INADDR_ANY too when binding, narrowed to 127.0.0.1); returns the port or -errno.
     */
    private long copyLoopbackAddress(long addr, long len, boolean bind) {
        if (len < SOCKADDR_IN_SIZE || len > 128) return -Errno.EINVAL;
        byte[] raw = new byte[SOCKADDR_IN_SIZE];
        memory.read(addr, raw, 0, SOCKADDR_IN_SIZE);
        int family = (raw[0] & 0xFF) | (raw[1] & 0xFF) << 8;
        if (family != AF_INET) return -Errno.EAFNOSUPPORT;
        int port = (raw[2] & 0xFF) << 8 | (raw[3] & 0xFF);
        boolean loopback = raw[4] == 127;
        boolean any = raw[4] == 0 && raw[5] == 0 && raw[6] == 0 && raw[7] == 0;
        if (!loopback && !(bind && any)) return denied(bind ? "bind" : "connect", "only 127.0.0.0/8 is reachable", -Errno.EPERM);
        if (any) {
            raw[4] = 127;
            raw[7] = 1;
        }
        java.util.Arrays.fill(raw, 8, 16, (byte) 0);
        address.put(0, raw, 0, SOCKADDR_IN_SIZE);
        return port;
    }

    /** Copies the host's peer address (in {@link #address}, length at +120) to the guest, truncating like the kernel. */
    private long copyAddressOut(long addr, long lenPtr) {
        int guestLen = memory.readU32(lenPtr);
        if (guestLen < 0) return -Errno.EINVAL;
        int actual = address.getInt(120);
        int n = Math.min(guestLen, Math.min(actual, 112));
        byte[] raw = new byte[n];
        address.get(0, raw, 0, n);
        memory.write(addr, raw, 0, n);
        memory.writeU32(lenPtr, actual);
        return 0;
    }

    private long denied(String call, String why, long errno) {
        log.once("socket-denied:" + call, "policy denied " + call + ": " + why + " (logged once)");
        return errno;
    }
}
