package io.torovj.syscall;

import static io.torovj.linux.SocketConstants.AF_INET;
import static io.torovj.linux.SocketConstants.IPPROTO_TCP;
import static io.torovj.linux.SocketConstants.IPPROTO_UDP;
import static io.torovj.linux.SocketConstants.MSG_NOSIGNAL;
import static io.torovj.linux.SocketConstants.SOCKADDR_IN_SIZE;
import static io.torovj.linux.SocketConstants.SOCK_CLOEXEC;
import static io.torovj.linux.SocketConstants.SOCK_DGRAM;
import static io.torovj.linux.SocketConstants.SOCK_NONBLOCK;
import static io.torovj.linux.SocketConstants.SOCK_STREAM;
import static io.torovj.linux.SocketConstants.SOCK_TYPE_MASK;
import static io.torovj.linux.SocketConstants.SOL_SOCKET;
import static io.torovj.linux.SocketConstants.SO_ERROR;
import static io.torovj.linux.SocketConstants.SO_KEEPALIVE;
import static io.torovj.linux.SocketConstants.SO_RCVBUF;
import static io.torovj.linux.SocketConstants.SO_REUSEADDR;
import static io.torovj.linux.SocketConstants.SO_REUSEPORT;
import static io.torovj.linux.SocketConstants.SO_SNDBUF;
import static io.torovj.linux.SocketConstants.SO_TYPE;
import static io.torovj.linux.SocketConstants.TCP_NODELAY;

import io.torovj.log.MonitorLog;
import io.torovj.linux.Errno;
import io.torovj.memory.GuestIo;
import io.torovj.memory.GuestMemory;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.HostFiles;
import io.torovj.sys.HostSockets;
import io.torovj.sys.SockAddrIn;
import io.torovj.sys.SocketOption;

/**
 * TCP/UDP over IPv4 loopback only: socket, bind, listen, accept, accept4, connect, sendto,
 * recvfrom, setsockopt, getsockopt, shutdown. Socket addresses are copied out of guest memory and checked
 * (AF_INET, 127.0.0.0/8, a port the policy names) before the host sees them, so the guest cannot
 * change them after the check; bind to INADDR_ANY is narrowed to 127.0.0.1. The kernel's implicit
 * binds are narrowed too: listen() needs a socket bound (through the policy) first, and a
 * datagram sent from an unbound socket leaves from 127.0.0.1, so no socket ever ends up on
 * 0.0.0.0 where other hosts could reach it. Host sockets are non-blocking; accept, connect, send
 * and receive wait for the guest in {@link BlockingIo}, which the VM's stop interrupts.
 */
public final class SocketSyscalls implements SyscallGroup {
    /** The longest option value setsockopt accepts (every allowed option is an int). */
    static final int MAX_OPTION = 64;

    private final GuestMemory memory;
    private final BlockingIo blocking;
    private final FdTable fds;
    private final SyscallPolicy policy;
    private final MonitorLog log;
    /** The checked copy of a guest's address (bind, connect, sendto), or a peer's (accept, recvfrom). */
    private final SockAddrIn address = new SockAddrIn();
    /** The socket's own address (getsockname, the implicit loopback bind). */
    private final SockAddrIn local = new SockAddrIn();
    private final SocketOption option = new SocketOption(MAX_OPTION);
    private final SocketOption typeProbe = new SocketOption(4);
    private final byte[] rawAddress = new byte[SOCKADDR_IN_SIZE];
    private final byte[] rawOption = new byte[MAX_OPTION];
    private final byte[] rawPeer = new byte[SockAddrIn.CAPACITY];

    public SocketSyscalls(GuestMemory memory, FdTable fds, SyscallPolicy policy, MonitorLog log) {
        this.memory = memory;
        this.blocking = new BlockingIo(new GuestIo(memory), fds);
        this.fds = fds;
        this.policy = policy;
        this.log = log;
    }

    @Override
    public SyscallHandler handler(String call) {
        return switch (call) {
            case "socket" -> (domain, type, proto, a3, a4, a5) -> socket(domain, type, proto);
            case "bind" -> (fd, addr, len, a3, a4, a5) -> bindOrConnect(fd, addr, len, true);
            case "connect" -> (fd, addr, len, a3, a4, a5) -> bindOrConnect(fd, addr, len, false);
            case "listen" -> (fd, backlog, a2, a3, a4, a5) -> listen(fd, backlog);
            case "accept" -> (fd, addr, lenPtr, a3, a4, a5) -> accept(fd, addr, lenPtr, 0);
            case "accept4" -> (fd, addr, lenPtr, flags, a4, a5) -> accept(fd, addr, lenPtr, flags);
            case "sendto" -> (fd, buf, len, flags, addr, addrLen) -> sendto(fd, buf, len, flags, addr, addrLen);
            case "recvfrom" -> (fd, buf, len, flags, addr, lenPtr) -> recvfrom(fd, buf, len, flags, addr, lenPtr);
            case "setsockopt" -> (fd, level, name, val, len, a5) -> setsockopt(fd, level, name, val, len);
            case "getsockopt" -> (fd, level, name, val, lenPtr, a5) -> getsockopt(fd, level, name, val, lenPtr);
            case "shutdown" -> (fd, how, a2, a3, a4, a5) -> shutdown(fd, how);
            default -> null;
        };
    }

    long socket(long domain, long type, long protocol) {
        int kind = (int) type & SOCK_TYPE_MASK;
        if ((int) domain != AF_INET) return denied("socket", "only AF_INET sockets are supported", -Errno.EAFNOSUPPORT);
        if (kind != SOCK_STREAM && kind != SOCK_DGRAM) return -Errno.EINVAL;
        if (((int) type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -Errno.EINVAL;
        // only TCP and UDP: another protocol on the same type (SCTP, MPTCP on SOCK_STREAM) would
        // bring host code and options the loopback confinement above was never checked against
        int proto = (int) protocol;
        if (proto != 0 && proto != (kind == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP)) {
            return denied("socket", "protocol " + proto + " is not TCP or UDP", -Errno.EPROTONOSUPPORT);
        }
        // the host socket is always non-blocking (BlockingIo waits for the guest, interruptibly)
        int fd = HostSockets.socket(AF_INET, (int) type | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
        return fd < 0 ? fd : fds.install(fd, false, ((int) type & SOCK_NONBLOCK) != 0, FdTable.SOCKET);
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
        return bind ? HostSockets.bind(host, address) : blocking.connect(fd, host, address);
    }

    long listen(long fd, long backlog) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        // on an unbound socket the kernel would bind 0.0.0.0 and an ephemeral port: reachable
        // from every interface on a port the policy never named
        long port = localPort(host);
        if (port < 0) return port;
        if (port == 0) return denied("listen", "the socket is not bound to an allowed port", -Errno.EPERM);
        return HostSockets.listen(host, (int) Math.max(0, Math.min(backlog, 4096)));
    }

    long accept(long fd, long addr, long lenPtr, long flags) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -Errno.EINVAL;
        if (addr != 0) {
            // check the guest's buffers before a connection is taken, so a bad pointer cannot leak it
            int guestLen = memory.readU32(lenPtr);
            if (guestLen < 0) return -Errno.EINVAL;
            if (!memory.contains(addr, Math.min(guestLen, SockAddrIn.CAPACITY))) return -Errno.EFAULT;
        }
        int peer = blocking.accept(fd, host, address);
        if (peer < 0) return peer;
        if (addr != 0) {
            try {
                copyAddressOut(addr, lenPtr);
            } catch (RuntimeException e) {
                HostFiles.close(peer);
                throw e;
            }
        }
        return fds.install(peer, false, (flags & SOCK_NONBLOCK) != 0, FdTable.SOCKET);
    }

    long sendto(long fd, long buf, long len, long flags, long addr, long addrLen) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        if (len < 0) return -Errno.EINVAL;
        SockAddrIn dest = null;
        if (addr != 0) {
            long checked = copyLoopbackAddress(addr, addrLen, false);
            if (checked < 0) return checked;
            if (!policy.allowsConnect((int) checked)) return denied("sendto", "port " + checked + " is not allowed", -Errno.EPERM);
            dest = address;
            // an unbound datagram socket would be bound to 0.0.0.0 by the send: bind it to loopback
            if (isDatagram(host)) {
                long port = localPort(host);
                if (port < 0) return port;
                if (port == 0) {
                    int rc = bindLoopbackEphemeral(host);
                    if (rc < 0) return rc;
                }
            }
        }
        // MSG_NOSIGNAL: a peer that went away must give the guest EPIPE, not the monitor SIGPIPE
        return blocking.send(fd, host, buf, len, (int) flags | MSG_NOSIGNAL, dest);
    }

    long recvfrom(long fd, long buf, long len, long flags, long addr, long lenPtr) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        if (len < 0) return -Errno.EINVAL;
        long n = blocking.receive(fd, host, buf, len, (int) flags, addr != 0 ? address : null);
        if (n < 0) return n;
        if (addr != 0) {
            long rc = copyAddressOut(addr, lenPtr);
            if (rc < 0) return rc;
        }
        return n;
    }

    long setsockopt(long fd, long level, long name, long value, long len) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        if (!settable((int) level, (int) name)) return -Errno.ENOPROTOOPT;
        if (len < 0 || len > MAX_OPTION) return -Errno.EINVAL;
        memory.read(value, rawOption, 0, (int) len);
        option.set(rawOption, (int) len);
        return HostSockets.setsockopt(host, (int) level, (int) name, option);
    }

    /**
     * getsockopt(2) of the options setsockopt allows, and SO_TYPE and SO_ERROR (read-only): the
     * value truncated to the guest's length, and the length copied written back, as Linux does.
     * The guest's buffer is checked first: reading SO_ERROR clears it.
     */
    long getsockopt(long fd, long level, long name, long value, long lenPtr) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        int lvl = (int) level, opt = (int) name;
        boolean readOnly = lvl == SOL_SOCKET && (opt == SO_TYPE || opt == SO_ERROR);
        if (!readOnly && !settable(lvl, opt)) return -Errno.ENOPROTOOPT;
        int guestLen = memory.readU32(lenPtr);
        if (guestLen < 0) return -Errno.EINVAL;
        if (!memory.contains(value, Math.min(guestLen, MAX_OPTION))) return -Errno.EFAULT;
        int rc = HostSockets.getsockopt(host, lvl, opt, option);
        if (rc < 0) return rc;
        int n = Math.min(guestLen, option.length());
        option.get(rawOption, n);
        memory.write(value, rawOption, 0, n);
        memory.writeU32(lenPtr, n);
        return 0;
    }

    /** The options a guest may set: address reuse, keep-alive, buffer sizes, Nagle. */
    private static boolean settable(int level, int name) {
        return (level == SOL_SOCKET && (name == SO_REUSEADDR || name == SO_REUSEPORT || name == SO_KEEPALIVE
                || name == SO_SNDBUF || name == SO_RCVBUF))
                || (level == IPPROTO_TCP && name == TCP_NODELAY);
    }

    long shutdown(long fd, long how) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        return HostSockets.shutdown(host, (int) how);
    }

    /** The local port of host socket {@code host} (0 while unbound), or -errno. */
    private long localPort(int host) {
        return HostSockets.localPort(host, local);
    }

    /** True if host socket {@code host} is a datagram socket. */
    private boolean isDatagram(int host) {
        return HostSockets.socketType(host, typeProbe) == SOCK_DGRAM;
    }

    /** Binds {@code host} to 127.0.0.1 and a port of the kernel's choice; 0 or -errno. */
    private int bindLoopbackEphemeral(int host) {
        local.setLoopback(0);
        return HostSockets.bind(host, local);
    }

    /**
     * Copies a sockaddr_in from the guest into {@link #address} and checks it is IPv4 loopback
     * (INADDR_ANY too when binding, narrowed to 127.0.0.1); returns the port or -errno.
     */
    private long copyLoopbackAddress(long addr, long len, boolean bind) {
        if (len < SOCKADDR_IN_SIZE || len > 128) return -Errno.EINVAL;
        byte[] raw = rawAddress;
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
        address.setFromBytes(raw);
        return port;
    }

    /** Copies the host's peer address (in {@link #address}) to the guest, truncating like the kernel. */
    private long copyAddressOut(long addr, long lenPtr) {
        int guestLen = memory.readU32(lenPtr);
        if (guestLen < 0) return -Errno.EINVAL;
        int actual = address.length();
        int n = Math.min(guestLen, Math.min(actual, SockAddrIn.CAPACITY));
        address.get(rawPeer, n);
        memory.write(addr, rawPeer, 0, n);
        memory.writeU32(lenPtr, actual);
        return 0;
    }

    private long denied(String call, String why, long errno) {
        log.once("socket-denied:" + call, "policy denied " + call + ": " + why + " (logged once)");
        return errno;
    }
}
