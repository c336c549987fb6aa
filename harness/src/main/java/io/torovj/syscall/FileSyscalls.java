package io.torovj.syscall;

import io.torovj.linux.AtFlags;
import io.torovj.linux.Errno;
import io.torovj.linux.OpenFlags;
import io.torovj.memory.GuestIo;
import io.torovj.memory.GuestMemory;
import io.torovj.sys.HostFiles;

/**
 * read, write, readv, writev, pread64, pwrite64, sendfile, getdents64, open, openat, close,
 * lseek, fstat, fsync, unlink, unlinkat, dup, dup2, dup3, and fcntl's and ioctl's answers for
 * files: executed on host fds
 * from the guest's {@link FdTable}, with guest buffers passed in place (zero copy) after a bounds
 * check ({@link GuestIo}). Paths go through {@link PathResolver}, which confines them to the policy.
 * Reads and writes of fds that may block (pipes, FIFOs, terminals, sockets) go through
 * {@link BlockingIo}, which never lets a host call outlast the VM's stop; regular files and
 * /dev/null take the direct path.
 */
public final class FileSyscalls implements SyscallGroup {
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

    @Override
    public void registerWith(SyscallDispatcher d) {
        d.add(this);
        new PathSyscalls(memory, fds, paths).registerWith(d);      // stat, mkdir, rename, ...: the same files
    }

    @Override
    public SyscallHandler handler(String call) {
        return switch (call) {
            case "read" -> (fd, buf, count, a3, a4, a5) -> read(fd, buf, count);
            case "write" -> (fd, buf, count, a3, a4, a5) -> write(fd, buf, count);
            case "open" -> (path, flags, mode, a3, a4, a5) -> paths.openat(AtFlags.AT_FDCWD, path, flags, mode);
            case "openat" -> (dirfd, path, flags, mode, a4, a5) -> paths.openat(dirfd, path, flags, mode);
            case "close" -> (fd, a1, a2, a3, a4, a5) -> fds.close(fd);
            case "lseek" -> (fd, offset, whence, a3, a4, a5) -> lseek(fd, offset, whence);
            case "fstat" -> (fd, buf, a2, a3, a4, a5) -> fstat(fd, buf);
            case "fsync" -> (fd, a1, a2, a3, a4, a5) -> fsync(fd);
            case "unlink" -> (path, a1, a2, a3, a4, a5) -> paths.unlinkat(AtFlags.AT_FDCWD, path, 0);
            case "unlinkat" -> (dirfd, path, flags, a3, a4, a5) -> paths.unlinkat(dirfd, path, flags);
            case "writev" -> (fd, iov, iovcnt, a3, a4, a5) -> vectored(fd, iov, iovcnt, true);
            case "readv" -> (fd, iov, iovcnt, a3, a4, a5) -> vectored(fd, iov, iovcnt, false);
            case "ioctl" -> (fd, request, arg, a3, a4, a5) -> ioctl(fd);
            case "fcntl" -> (fd, cmd, arg, a3, a4, a5) -> fcntl(fd, cmd, arg);
            case "getdents64" -> (fd, dirp, count, a3, a4, a5) -> getdents64(fd, dirp, count);
            case "pread64" -> (fd, buf, count, offset, a4, a5) -> positioned(fd, buf, count, offset, false);
            case "pwrite64" -> (fd, buf, count, offset, a4, a5) -> positioned(fd, buf, count, offset, true);
            case "sendfile" -> (out, in, offset, count, a4, a5) -> sendfile(out, in, offset, count);
            case "dup" -> (fd, a1, a2, a3, a4, a5) -> fds.dup(fd, 0);
            case "dup2" -> (fd, target, a2, a3, a4, a5) -> fds.dupTo(fd, target);
            case "dup3" -> (fd, target, flags, a3, a4, a5) -> dup3(fd, target, flags);
            default -> null;
        };
    }

    /** UIO_MAXIOV: the most iovecs one call may pass. */
    static final long IOV_MAX = 1024;
    static final long F_DUPFD = OpenFlags.F_DUPFD, F_DUPFD_CLOEXEC = OpenFlags.F_DUPFD_CLOEXEC;
    static final long F_GETFD = OpenFlags.F_GETFD, F_SETFD = OpenFlags.F_SETFD;
    static final long F_GETFL = OpenFlags.F_GETFL, F_SETFL = OpenFlags.F_SETFL;
    /** The status flags F_SETFL changes here; Linux also takes O_ASYNC, O_DIRECT, O_NOATIME (see {@link #setStatusFlags}). */
    static final int SETTABLE_FLAGS = OpenFlags.O_APPEND | OpenFlags.O_NONBLOCK;
    /** The most bytes one sendfile moves, as Linux caps it (MAX_RW_COUNT). */
    static final long MAX_RW_COUNT = 0x7ffff000L;

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
     * fcntl: F_GETFD/F_SETFD (close-on-exec: the guest never execs, so nothing to keep),
     * F_GETFL (the access mode and flags, with O_NONBLOCK as the guest set it, not as the
     * monitor does on the host), F_SETFL ({@link #setStatusFlags}), F_DUPFD and
     * F_DUPFD_CLOEXEC (the lowest free guest fd at or above {@code arg}). Locks, leases, owners
     * and the rest are not served: -EINVAL, as Linux answers a command it does not know.
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
        if (cmd == F_SETFL) return setStatusFlags(fd, host, (int) arg);
        if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) return fds.dup(fd, arg);      // arg: unsigned long, as Linux reads it
        return -Errno.EINVAL;
    }

    /**
     * F_SETFL: O_APPEND and O_NONBLOCK change as on Linux; the other bits are ignored (the
     * access mode and creation flags as Linux ignores them; O_ASYNC because no signal is ever
     * delivered, O_DIRECT and O_NOATIME because they are the host's business). On an fd that
     * may block the host description stays O_NONBLOCK and the guest's choice is recorded
     * ({@link FdTable}); the lent stdio's description is the lender's, so a change to it is
     * -EPERM (setting what it already has is 0). O_PATH fds are -EBADF, as on Linux.
     */
    long setStatusFlags(long fd, int host, int arg) {
        int current = HostFiles.statusFlags(host);
        if (current < 0) return current;
        if ((current & OpenFlags.O_PATH) != 0) return -Errno.EBADF;
        boolean nonblocking = (arg & OpenFlags.O_NONBLOCK) != 0;
        int wanted = (current & ~OpenFlags.O_APPEND) | (arg & OpenFlags.O_APPEND);
        if (!fds.isOwned(fd)) {
            int asked = (current & ~SETTABLE_FLAGS) | (arg & SETTABLE_FLAGS);
            return asked == current ? 0 : -Errno.EPERM;
        }
        if (fds.neverBlocks(fd)) {
            wanted = nonblocking ? wanted | OpenFlags.O_NONBLOCK : wanted & ~OpenFlags.O_NONBLOCK;
        }
        int rc = wanted == current ? 0 : HostFiles.setStatusFlags(host, wanted);
        if (rc == 0) fds.setGuestNonblocking(fd, nonblocking);
        return rc;
    }

    /** dup3: dup2 but the same fd twice is -EINVAL, and O_CLOEXEC is the only flag. */
    long dup3(long fd, long target, long flags) {
        if ((flags & ~OpenFlags.O_CLOEXEC) != 0) return -Errno.EINVAL;
        if ((int) fd == (int) target) return -Errno.EINVAL;
        return fds.dupTo(fd, target);
    }

    /**
     * getdents64: the host directory's {@code linux_dirent64} records straight into the guest's
     * buffer (the layout is the same on both sides; d_ino and d_off are the host's, as fstat's
     * st_ino is: see the README). An fd that is not a directory is -ENOTDIR, a buffer too small
     * for the next entry -EINVAL, both from the kernel itself. {@code count} is an unsigned int.
     */
    long getdents64(long fd, long dirp, long count) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        return io.getdents64(host, dirp, count & 0xFFFFFFFFL);
    }

    /**
     * pread64/pwrite64: at {@code offset}, without moving the file offset. A negative offset or
     * count is -EINVAL; pipes, FIFOs, sockets and terminals (fds that may block) have no offset:
     * -ESPIPE, as on Linux, without a host call that could wait.
     */
    long positioned(long fd, long buf, long count, long offset, boolean write) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        if (count < 0 || offset < 0) return -Errno.EINVAL;
        if (!fds.neverBlocks(fd)) return -Errno.ESPIPE;
        return write ? io.pwrite(host, buf, count, offset) : io.pread(host, buf, count, offset);
    }

    /**
     * sendfile between two fds that never block (files, /dev/null): the host moves the bytes,
     * from {@code in}'s offset, or from the guest's {@code *offset} (read and updated) without
     * moving it. If either fd may block (a pipe, a socket, a terminal) the answer is -EINVAL, as
     * Linux gives for fds it cannot splice, and programs fall back to read and write (busybox
     * and coreutils do), which wait interruptibly.
     */
    long sendfile(long out, long in, long offsetGpa, long count) {
        int outHost = fds.host(out), inHost = fds.host(in);
        if (outHost < 0 || inHost < 0) return -Errno.EBADF;
        if (count < 0) return -Errno.EINVAL;
        if (!fds.neverBlocks(out) || !fds.neverBlocks(in)) return -Errno.EINVAL;
        long n = Math.min(count, MAX_RW_COUNT);
        if (offsetGpa == 0) return HostFiles.sendfile(outHost, inHost, n);
        long offset = memory.readU64(offsetGpa);
        if (offset < 0) return -Errno.EINVAL;
        long moved = HostFiles.sendfileAt(outHost, inHost, offset, n);
        if (moved > 0) memory.writeU64(offsetGpa, offset + moved);
        return moved;
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
