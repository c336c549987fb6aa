package io.torovj.syscall;

import io.torovj.memory.GuestMemory;
import io.torovj.sys.LibC;

/**
 * read, write, open, openat, close, lseek, fstat, fsync, unlink, unlinkat: executed on host fds
 * from the guest's {@link FdTable}, with guest buffers passed in place (zero copy) after a bounds
 * check. Paths go through {@link PathResolver}, which confines them to the policy.
 */
public final class FileSyscalls {
    static final int STAT_SIZE = 144;

    private final GuestMemory memory;
    private final FdTable fds;
    private final PathResolver paths;

    public FileSyscalls(GuestMemory memory, FdTable fds, PathResolver paths) {
        this.memory = memory;
        this.fds = fds;
        this.paths = paths;
    }

    public void registerWith(SyscallDispatcher d) {
        d.register("read", (fd, buf, count, a3, a4, a5) -> read(fd, buf, count));
        d.register("write", (fd, buf, count, a3, a4, a5) -> write(fd, buf, count));
        d.register("open", (path, flags, mode, a3, a4, a5) -> paths.openat(PathResolver.AT_FDCWD, path, flags, mode));
        d.register("openat", (dirfd, path, flags, mode, a4, a5) -> paths.openat(dirfd, path, flags, mode));
        d.register("close", (fd, a1, a2, a3, a4, a5) -> fds.close(fd));
        d.register("lseek", (fd, offset, whence, a3, a4, a5) -> lseek(fd, offset, whence));
        d.register("fstat", (fd, buf, a2, a3, a4, a5) -> fstat(fd, buf));
        d.register("fsync", (fd, a1, a2, a3, a4, a5) -> fsync(fd));
        d.register("unlink", (path, a1, a2, a3, a4, a5) -> paths.unlinkat(PathResolver.AT_FDCWD, path, 0));
        d.register("unlinkat", (dirfd, path, flags, a3, a4, a5) -> paths.unlinkat(dirfd, path, flags));
    }

    long read(long fd, long buf, long count) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        if (count < 0) return -Errno.EINVAL;
        long n = LibC.INSTANCE.read(host, memory.hostAddress(buf, count), count);
        return n < 0 ? -LibC.errno() : n;
    }

    long write(long fd, long buf, long count) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        if (count < 0) return -Errno.EINVAL;
        long n = LibC.INSTANCE.write(host, memory.hostAddress(buf, count), count);
        return n < 0 ? -LibC.errno() : n;
    }

    long lseek(long fd, long offset, long whence) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        if (whence < 0 || whence > 4) return -Errno.EINVAL;
        long n = LibC.INSTANCE.lseek(host, offset, (int) whence);
        return n < 0 ? -LibC.errno() : n;
    }

    long fstat(long fd, long buf) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        return LibC.INSTANCE.fstat(host, memory.hostAddress(buf, STAT_SIZE)) < 0 ? -LibC.errno() : 0;
    }

    long fsync(long fd) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        return LibC.INSTANCE.fsync(host) < 0 ? -LibC.errno() : 0;
    }
}
