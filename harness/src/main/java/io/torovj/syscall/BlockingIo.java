package io.torovj.syscall;

import static io.torovj.linux.Pipes.PIPE_BUF;
import static io.torovj.linux.PollEvents.POLLIN;
import static io.torovj.linux.PollEvents.POLLOUT;
import static io.torovj.linux.SocketConstants.MSG_DONTWAIT;
import static io.torovj.linux.SocketConstants.MSG_NOSIGNAL;
import static io.torovj.linux.SocketConstants.MSG_PEEK;
import static io.torovj.linux.SocketConstants.MSG_WAITALL;
import static io.torovj.linux.SocketConstants.SOCK_CLOEXEC;
import static io.torovj.linux.SocketConstants.SOCK_DGRAM;
import static io.torovj.linux.SocketConstants.SOCK_NONBLOCK;

import io.torovj.linux.Errno;
import io.torovj.linux.OpenFlags;
import io.torovj.memory.GuestIo;
import io.torovj.sys.HostFiles;
import io.torovj.sys.HostSockets;
import io.torovj.sys.SockAddrIn;
import io.torovj.sys.SocketOption;

/**
 * The host calls on guest fds that may block (pipes, FIFOs, terminals, sockets: not
 * {@link FdTable#neverBlocks}), made so that no host call can outlast the VM's stop: a call
 * waits only in poll(2), on its fd and the VM's {@link StopSignal} together, and is then made in
 * a way that cannot block. A stop ends the wait with -EINTR (or the bytes moved so far): the VM
 * is ending, the guest never runs again to see it. For the guest, Linux's blocking semantics
 * hold: a blocking write writes everything, a blocking read waits for data.
 *
 * <ul>
 * <li>Owned fds (the guest opened them): the host description is O_NONBLOCK ({@link FdTable});
 *     a call that answers EAGAIN waits for readiness and is tried again, unless the guest asked
 *     for O_NONBLOCK itself.
 * <li>Sockets, owned or lent: send and receive take MSG_DONTWAIT, which makes that one call
 *     non-blocking without touching the shared description.
 * <li>Lent fds that are not sockets (the monitor's stdin, stdout, stderr: pipes, terminals): their
 *     O_NONBLOCK flag belongs to the description they share with the shell and stays as it is.
 *     If it is clear, the call first waits until poll says the fd is ready; then a read finds
 *     data (or end of file), and a write to a pipe of at most {@code PIPE_BUF} bytes finds room
 *     (a writable pipe has room for that much); longer writes go in such pieces, each after
 *     POLLOUT. Only another process consuming the same data between the poll and the read could
 *     still make it wait: a host arrangement, not the guest's.
 * </ul>
 *
 * Executing thread only; allocation-free.
 */
final class BlockingIo {
    private final GuestIo io;
    private final FdTable fds;
    private final StopSignal stop;
    private final SocketOption probe = new SocketOption(4);

    BlockingIo(GuestIo io, FdTable fds) {
        this.io = io;
        this.fds = fds;
        this.stop = fds.stopSignal();
    }

    /** read(2) of up to {@code count} bytes from guest fd {@code fd} (host fd {@code host}) into guest memory. */
    long read(long fd, int host, long gpa, long count) {
        if (fds.neverBlocks(fd)) return io.read(host, gpa, count);
        if (fds.isSocket(fd)) return receive(fd, host, gpa, count, 0, null);
        if (fds.isOwned(fd)) {
            boolean nonblocking = fds.guestNonblocking(fd);
            for (;;) {
                long n = io.read(host, gpa, count);
                if (n != -Errno.EAGAIN || nonblocking) return n;
                int ready = stop.await(host, POLLIN);
                if (ready < 0) return ready;
            }
        }
        if (count == 0 || lentNonblocking(host)) return io.read(host, gpa, count);
        int ready = stop.await(host, POLLIN);
        if (ready < 0) return ready;
        return io.read(host, gpa, count);
    }

    /** write(2) of guest [gpa, gpa+count) to guest fd {@code fd} (host fd {@code host}). */
    long write(long fd, int host, long gpa, long count) {
        if (fds.neverBlocks(fd)) return io.write(host, gpa, count);
        if (fds.isSocket(fd)) return send(fd, host, gpa, count, MSG_NOSIGNAL, null);
        if (fds.isOwned(fd)) {
            boolean nonblocking = fds.guestNonblocking(fd);
            long done = 0;
            for (;;) {
                long n = io.write(host, gpa + done, count - done);
                if (n > 0) {
                    done += n;
                    if (done >= count || nonblocking) return done;
                } else if (n == 0 || n != -Errno.EAGAIN || nonblocking) {
                    return done > 0 ? done : n;
                }
                int ready = stop.await(host, POLLOUT);
                if (ready < 0) return done > 0 ? done : ready;
            }
        }
        if (count == 0 || lentNonblocking(host)) return io.write(host, gpa, count);
        long done = 0;
        while (done < count) {
            int ready = stop.await(host, POLLOUT);
            if (ready < 0) return done > 0 ? done : ready;
            long n = io.write(host, gpa + done, Math.min(count - done, PIPE_BUF));
            if (n == -Errno.EAGAIN) continue;
            if (n <= 0) return done > 0 ? done : n;
            done += n;
        }
        return done;
    }

    /**
     * recvfrom(2) on guest fd {@code fd} into guest [gpa, gpa+len) with the guest's {@code flags};
     * the sender's address to {@code peer} if not null. MSG_WAITALL on a blocking stream socket
     * gathers the full length, as Linux does.
     */
    long receive(long fd, int host, long gpa, long len, int flags, SockAddrIn peer) {
        if (fds.neverBlocks(fd)) return io.recvfrom(host, gpa, len, flags, peer);
        boolean nonblocking = (flags & MSG_DONTWAIT) != 0 || guestNonblocking(fd, host);
        if (nonblocking) return io.recvfrom(host, gpa, len, flags | MSG_DONTWAIT, peer);
        boolean all = (flags & (MSG_WAITALL | MSG_PEEK)) == MSG_WAITALL && !isDatagram(host);
        int callFlags = (flags & ~MSG_WAITALL) | MSG_DONTWAIT;
        long done = 0;
        for (;;) {
            long n = io.recvfrom(host, gpa + done, len - done, callFlags, peer);
            if (n > 0) {
                done += n;
                if (!all || done >= len) return done;
            } else if (n == 0 || n != -Errno.EAGAIN) {
                return done > 0 ? done : n;
            }
            int ready = stop.await(host, POLLIN);
            if (ready < 0) return done > 0 ? done : ready;
        }
    }

    /**
     * sendto(2) of guest [gpa, gpa+len) on guest fd {@code fd} with {@code flags}, to {@code dest}
     * (or the connected peer if null): on a blocking socket, all of it, as Linux does.
     */
    long send(long fd, int host, long gpa, long len, int flags, SockAddrIn dest) {
        if (fds.neverBlocks(fd)) return io.sendto(host, gpa, len, flags, dest);
        boolean nonblocking = (flags & MSG_DONTWAIT) != 0 || guestNonblocking(fd, host);
        if (nonblocking) return io.sendto(host, gpa, len, flags | MSG_DONTWAIT, dest);
        long done = 0;
        for (;;) {
            long n = io.sendto(host, gpa + done, len - done, flags | MSG_DONTWAIT, dest);
            if (n > 0) {
                done += n;
                if (done >= len) return done;
            } else if (n == 0 && len == 0) {
                return 0;
            } else if (n != -Errno.EAGAIN) {
                return done > 0 ? done : n;
            }
            int ready = stop.await(host, POLLOUT);
            if (ready < 0) return done > 0 ? done : ready;
        }
    }

    /**
     * accept4(2) on guest fd {@code fd}, the peer's address to {@code peer}: the new host socket,
     * always non-blocking and close-on-exec (the guest's SOCK_NONBLOCK is the caller's to record),
     * or -errno.
     */
    int accept(long fd, int host, SockAddrIn peer) {
        int hostFlags = SOCK_NONBLOCK | SOCK_CLOEXEC;
        if (!fds.isSocket(fd)) return HostSockets.accept4(host, peer, hostFlags);     // ENOTSOCK, at once
        if (fds.isOwned(fd)) {
            boolean nonblocking = fds.guestNonblocking(fd);
            for (;;) {
                int conn = HostSockets.accept4(host, peer, hostFlags);
                if (conn != -Errno.EAGAIN || nonblocking) return conn;
                int ready = stop.await(host, POLLIN);
                if (ready < 0) return ready;
            }
        }
        if (lentNonblocking(host)) return HostSockets.accept4(host, peer, hostFlags);
        int ready = stop.await(host, POLLIN);
        if (ready < 0) return ready;
        return HostSockets.accept4(host, peer, hostFlags);
    }

    /**
     * connect(2) of guest fd {@code fd} to {@code address}: 0 or -errno. On an owned socket (host
     * non-blocking) whose guest did not ask for O_NONBLOCK, an EINPROGRESS is waited out and its
     * outcome (SO_ERROR) returned, as a blocking connect would. A lent socket connects as it is.
     */
    int connect(long fd, int host, SockAddrIn address) {
        int rc = HostSockets.connect(host, address);
        if (rc != -Errno.EINPROGRESS || !fds.isOwned(fd) || !fds.isSocket(fd) || fds.guestNonblocking(fd)) return rc;
        int ready = stop.await(host, POLLOUT);
        if (ready < 0) return ready;
        int error = HostSockets.pendingError(host, probe);
        return error < 0 ? error : -error;
    }

    /** For an owned fd, what the guest asked; for a lent one, its shared description's O_NONBLOCK now. */
    private boolean guestNonblocking(long fd, int host) {
        return fds.isOwned(fd) ? fds.guestNonblocking(fd) : lentNonblocking(host);
    }

    /** True if lent host fd {@code host}'s description is O_NONBLOCK (the shell's choice): no call on it waits. */
    private static boolean lentNonblocking(int host) {
        int flags = HostFiles.statusFlags(host);
        return flags < 0 || (flags & OpenFlags.O_NONBLOCK) != 0;
    }

    private boolean isDatagram(int host) {
        return HostSockets.socketType(host, probe) == SOCK_DGRAM;
    }
}
