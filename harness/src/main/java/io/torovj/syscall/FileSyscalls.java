package io.torovj.syscall;

import io.torovj.linux.AtFlags;
import io.torovj.linux.Errno;
import io.torovj.memory.GuestIo;
import io.torovj.memory.GuestMemory;
import io.torovj.sys.HostFiles;

/**
 * read, write, open, openat, close, lseek, fstat, fsync, unlink, unlinkat: executed on host fds
 * from the guest's {@link FdTable}, with guest buffers passed in place (zero copy) after a bounds
 * check ({@link GuestIo}). Paths go through {@link PathResolver}, which confines them to the policy.
 * Reads and writes of fds that may block (pipes, FIFOs, terminals, sockets) go through
 * {@link BlockingIo}, which never lets a host call outlast the VM's stop; regular files and
 * /dev/null take the direct path.
 */
public final class FileSyscalls {
    private final GuestIo io;
    private final BlockingIo blocking;
    private final FdTable fds;
    private final PathResolver paths;

    public FileSyscalls(GuestMemory memory, FdTable fds, PathResolver paths) {
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
