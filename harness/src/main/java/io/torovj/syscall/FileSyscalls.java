package io.torovj.syscall;

import io.torovj.linux.AtFlags;
import io.torovj.linux.Errno;
import io.torovj.linux.OpenFlags;
import io.torovj.memory.GuestIo;
import io.torovj.memory.GuestMemory;
import io.torovj.sys.HostFiles;

/**
 * read, write, readv, writev, open, openat, close, lseek, fstat, fsync, unlink, unlinkat, and
 * fcntl's and ioctl's answers for files: executed on host fds
 * from the guest's {@link FdTable}, with guest buffers passed in place (zero copy) after a bounds
 * check ({@link GuestIo}). Paths go through {@link PathResolver}, which confines them to the policy.
 * Reads and writes of fds that may block (pipes, FIFOs, terminals, sockets) go through
 * {@link BlockingIo}, which never lets a host call outlast the VM's stop; regular files and
 * /dev/null take the direct path.
 */
public final class FileSyscalls {
    private final GuestMemory memory;
    private final GuestIo io;
    private final BlockingIo blocking;
    private final FdTable fds;
    private final PathResolver paths;

    public FileSyscalls(GuestMemory memory, FdTable fds, PathResolver paths) {
        this.memory = memory;
        this.io = new GuestIo(memory);
        this.blocking = new BlockingIo(io, fds);
        this.fds = fds;
        this.paths = paths;
    }

    public void registerWith(SyscallDispatcher d) {
        d.register("read", (fd, buf, count, a3, a4, a5) -> read(fd, buf, count));
        d.register("write", (fd, buf, count, a3, a4, a5) -> write(fd, buf, count));
        d.register("open", (path, flags, mode, a3, a4, a5) -> paths.openat(AtFlags.AT_FDCWD, path, flags, mode));
        d.register("openat", (dirfd, path, flags, mode, a4, a5) -> paths.openat(dirfd, path, flags, mode));
        d.register("close", (fd, a1, a2, a3, a4, a5) -> fds.close(fd));
        d.register("lseek", (fd, offset, whence, a3, a4, a5) -> lseek(fd, offset, whence));
        d.register("fstat", (fd, buf, a2, a3, a4, a5) -> fstat(fd, buf));
        d.register("fsync", (fd, a1, a2, a3, a4, a5) -> fsync(fd));
        d.register("unlink", (path, a1, a2, a3, a4, a5) -> paths.unlinkat(AtFlags.AT_FDCWD, path, 0));
        d.register("unlinkat", (dirfd, path, flags, a3, a4, a5) -> paths.unlinkat(dirfd, path, flags));
        d.register("writev", (fd, iov, iovcnt, a3, a4, a5) -> vectored(fd, iov, iovcnt, true));
        d.register("readv", (fd, iov, iovcnt, a3, a4, a5) -> vectored(fd, iov, iovcnt, false));
        d.register("ioctl", (fd, request, arg, a3, a4, a5) -> ioctl(fd));
        d.register("fcntl", (fd, cmd, arg, a3, a4, a5) -> fcntl(fd, cmd, arg));
    }

    /** UIO_MAXIOV: the most iovecs one call may pass. */
    static final long IOV_MAX = 1024;
    static final long F_GETFD = 1, F_SETFD = 2, F_GETFL = 3;

    /**
     * writev/readv: each iovec {base, len} in turn through {@link #write}/{@link #read}, stopping
     * at the first short or failed transfer as Linux does (an error after some bytes moved gives
     * the bytes). The iovec array is guest memory, read entry by entry with bounds checks.
     */
    long vectored(long fd, long iov, long iovcnt, boolean write) {
        if (fds.host(fd) < 0) return -Errno.EBADF;
        if (iovcnt < 0 || iovcnt > IOV_MAX) return -Errno.EINVAL;
        long done = 0;
        for (long i = 0; i < iovcnt; i++) {
            long base = memory.readU64(iov + 16 * i), len = memory.readU64(iov + 16 * i + 8);
            if (len < 0) return done > 0 ? done : -Errno.EINVAL;
            if (len == 0) continue;
            long n = write ? write(fd, base, len) : read(fd, base, len);
            if (n < 0) return done > 0 ? done : n;
            done += n;
            if (n < len) break;
        }
        return done;
    }

    /** The guest sees no terminals: every request on an open fd is -ENOTTY, as for a file or a pipe. */
    long ioctl(long fd) {
        return fds.host(fd) < 0 ? -Errno.EBADF : -Errno.ENOTTY;
    }

    /**
     * fcntl's queries: F_GETFD/F_SETFD (close-on-exec: the guest never execs, so nothing to keep)
     * and F_GETFL (the access mode and flags, with O_NONBLOCK as the guest set it, not as the
     * monitor does on the host). Changing status flags (F_SETFL), locks and duplication are not
     * served: -EINVAL.
     */
    long fcntl(long fd, long cmd, long arg) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        if (cmd == F_GETFD) return 0;
        if (cmd == F_SETFD) return 0;
        if (cmd == F_GETFL) {
            int flags = HostFiles.statusFlags(host);
            if (flags < 0 || !fds.isOwned(fd) || fds.neverBlocks(fd)) return flags;
            return fds.guestNonblocking(fd) ? flags | OpenFlags.O_NONBLOCK : flags & ~OpenFlags.O_NONBLOCK;
        }
        return -Errno.EINVAL;
    }

    long read(long fd, long buf, long count) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        if (count < 0) return -Errno.EINVAL;
        if (fds.neverBlocks(fd)) return io.read(host, buf, count);      // regular files, /dev/null: no poll
        return blocking.read(fd, host, buf, count);
    }

    long write(long fd, long buf, long count) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        if (count < 0) return -Errno.EINVAL;
        if (fds.neverBlocks(fd)) return io.write(host, buf, count);
        return blocking.write(fd, host, buf, count);
    }

    long lseek(long fd, long offset, long whence) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        if (whence < 0 || whence > 4) return -Errno.EINVAL;
        return HostFiles.lseek(host, offset, (int) whence);
    }

    long fstat(long fd, long buf) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        return io.fstat(host, buf);
    }

    long fsync(long fd) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        return HostFiles.fsync(host);
    }
}
