package io.torovj.syscall;

import static io.torovj.linux.AtFlags.AT_EACCESS;
import static io.torovj.linux.AtFlags.AT_EMPTY_PATH;
import static io.torovj.linux.AtFlags.AT_FDCWD;
import static io.torovj.linux.AtFlags.AT_NO_AUTOMOUNT;
import static io.torovj.linux.AtFlags.AT_REMOVEDIR;
import static io.torovj.linux.AtFlags.AT_SYMLINK_NOFOLLOW;
import static io.torovj.linux.AtFlags.RENAME_EXCHANGE;
import static io.torovj.linux.AtFlags.RENAME_NOREPLACE;
import static io.torovj.linux.FileModes.PERMISSION_BITS;

import io.torovj.linux.Errno;
import io.torovj.memory.GuestIo;
import io.torovj.memory.GuestMemory;
import io.torovj.sys.HostFiles;
import io.torovj.sys.HostPath;

/**
 * The calls that name a file by path without opening it for I/O: stat, lstat, newfstatat,
 * access/faccessat/faccessat2, mkdir/mkdirat, rmdir, rename/renameat/renameat2,
 * chmod/fchmodat/fchmod, utimensat and umask. Every path is confined by {@link PathResolver}
 * exactly as open's are: the file is reached through an O_PATH fd that openat2 resolved
 * beneath the root (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: no escape through "..", a
 * symlink or a /proc magic link) or an exact allowed path, and the call acts on that fd
 * (fstat, faccessat2/fchmodat2/utimensat with AT_EMPTY_PATH), so the host never resolves the
 * guest's path a second time; the calls that never follow their last component (mkdir, rmdir,
 * rename) act on one name in a parent resolved the same way. Changes (mode, times, names) are
 * for files beneath a writable root only. What stat answers is the host's {@code struct stat}
 * as the kernel gives it (inode and device numbers included: see the README).
 */
public final class PathSyscalls implements SyscallGroup {
    static final int F_OK_MASK = 7;              // R_OK | W_OK | X_OK
    static final int W_OK = 2;

    private final GuestMemory memory;
    private final GuestIo io;
    private final FdTable fds;
    private final PathResolver paths;
    private final HostPath name = new HostPath(PathResolver.PATH_MAX);
    private final HostPath name2 = new HostPath(PathResolver.PATH_MAX);

    public PathSyscalls(GuestMemory memory, FdTable fds, PathResolver paths) {
        this.memory = memory;
        this.io = new GuestIo(memory);
        this.fds = fds;
        this.paths = paths;
    }

    @Override
    public SyscallHandler handler(String call) {
        return switch (call) {
            case "stat" -> (p, buf, a2, a3, a4, a5) -> stat(AT_FDCWD, p, buf, 0);
            case "lstat" -> (p, buf, a2, a3, a4, a5) -> stat(AT_FDCWD, p, buf, AT_SYMLINK_NOFOLLOW);
            case "newfstatat" -> (dirfd, p, buf, flags, a4, a5) -> stat(dirfd, p, buf, flags);
            case "access" -> (p, mode, a2, a3, a4, a5) -> access(AT_FDCWD, p, mode, 0);
            case "faccessat" -> (dirfd, p, mode, a3, a4, a5) -> access(dirfd, p, mode, 0);
            case "faccessat2" -> (dirfd, p, mode, flags, a4, a5) -> access(dirfd, p, mode, flags);
            case "mkdir" -> (p, mode, a2, a3, a4, a5) -> mkdir(AT_FDCWD, p, mode);
            case "mkdirat" -> (dirfd, p, mode, a3, a4, a5) -> mkdir(dirfd, p, mode);
            case "rmdir" -> (p, a1, a2, a3, a4, a5) -> paths.unlinkat(AT_FDCWD, p, AT_REMOVEDIR);
            case "rename" -> (from, to, a2, a3, a4, a5) -> rename(AT_FDCWD, from, AT_FDCWD, to, 0);
            case "renameat" -> (fromDir, from, toDir, to, a4, a5) -> rename(fromDir, from, toDir, to, 0);
            case "renameat2" -> (fromDir, from, toDir, to, flags, a5) -> rename(fromDir, from, toDir, to, flags);
            case "chmod" -> (p, mode, a2, a3, a4, a5) -> chmod(AT_FDCWD, p, mode);
            case "fchmodat" -> (dirfd, p, mode, a3, a4, a5) -> chmod(dirfd, p, mode);
            case "fchmod" -> (fd, mode, a2, a3, a4, a5) -> fchmod(fd, mode);
            case "utimensat" -> (dirfd, p, times, flags, a4, a5) -> utimensat(dirfd, p, times, flags);
            case "umask" -> (mask, a1, a2, a3, a4, a5) -> paths.umask(mask);
            default -> null;
        };
    }

    /**
     * newfstatat (and stat, lstat): the file's {@code struct stat}. An empty path with
     * AT_EMPTY_PATH is fstat of {@code dirfd} (of the root, the guest's working directory, for
     * AT_FDCWD); without it, -ENOENT.
     */
    long stat(long dirfd, long pathGpa, long buf, long flags) {
        if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
        String path = paths.readPath(pathGpa);
        if (path.isEmpty()) {
            if ((flags & AT_EMPTY_PATH) == 0) return -Errno.ENOENT;
            if ((int) dirfd != AT_FDCWD) {
                int host = fds.host(dirfd);
                return host < 0 ? -Errno.EBADF : io.fstat(host, buf);
            }
            path = ".";
        }
        if (!memory.contains(buf, GuestIo.STAT_SIZE)) return -Errno.EFAULT;
        int fd = paths.openPath("stat", dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) != 0, false);
        if (fd < 0) return fd;
        try {
            return io.fstat(fd, buf);
        } finally {
            HostFiles.close(fd);
        }
    }

    /**
     * faccessat2 (and access, faccessat): whether the monitor, which does the guest's I/O, may
     * read, write or execute the file. Asking for W_OK on a file the policy keeps read-only is
     * refused as a write would be.
     */
    long access(long dirfd, long pathGpa, long mode, long flags) {
        if ((mode & ~F_OK_MASK) != 0) return -Errno.EINVAL;
        if ((flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
        String path = paths.readPath(pathGpa);
        if (path.isEmpty()) {
            if ((flags & AT_EMPTY_PATH) == 0) return -Errno.ENOENT;
            if ((int) dirfd != AT_FDCWD) {
                int host = fds.host(dirfd);
                return host < 0 ? -Errno.EBADF : HostFiles.access(host, (int) mode);
            }
            path = ".";
        }
        int fd = paths.openPath("access", dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) != 0, (mode & W_OK) != 0);
        if (fd < 0) return fd;
        try {
            return HostFiles.access(fd, (int) mode);
        } finally {
            HostFiles.close(fd);
        }
    }

    /** mkdirat (and mkdir): the mode's permission bits less the guest's umask (never set-group-ID or sticky). */
    long mkdir(long dirfd, long pathGpa, long mode) {
        String path = paths.readPath(pathGpa);
        if (path.isEmpty()) return -Errno.ENOENT;
        int permissions = (int) paths.creationMode(mode);
        return paths.inParent("mkdir", dirfd, path, name, (parent, last) -> HostFiles.mkdirat(parent, last, permissions));
    }

    /** renameat2 (and rename, renameat): both names confined; RENAME_NOREPLACE and RENAME_EXCHANGE as Linux. */
    long rename(long fromDir, long fromGpa, long toDir, long toGpa, long flags) {
        if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) != 0) return -Errno.EINVAL;
        if ((flags & RENAME_NOREPLACE) != 0 && (flags & RENAME_EXCHANGE) != 0) return -Errno.EINVAL;
        String from = paths.readPath(fromGpa);
        String to = paths.readPath(toGpa);
        if (from.isEmpty() || to.isEmpty()) return -Errno.ENOENT;
        return paths.inParent("rename", fromDir, from, name, (fromParent, fromName) ->
                paths.inParent("rename", toDir, to, name2, (toParent, toName) ->
                        HostFiles.renameat2(fromParent, fromName, toParent, toName, (int) flags)));
    }

    /** fchmodat (and chmod): permission bits only, so a guest can never make a set-user-ID file. */
    long chmod(long dirfd, long pathGpa, long mode) {
        String path = paths.readPath(pathGpa);
        if (path.isEmpty()) return -Errno.ENOENT;
        int fd = paths.openPath("chmod", dirfd, path, false, true);
        if (fd < 0) return fd;
        try {
            return HostFiles.chmod(fd, (int) mode & PERMISSION_BITS);
        } finally {
            HostFiles.close(fd);
        }
    }

    long fchmod(long fd, long mode) {
        int host = changeableHost(fd);
        return host < 0 ? host : HostFiles.chmod(host, (int) mode & PERMISSION_BITS);
    }

    /**
     * utimensat: the file's access and modification times from the guest's {@code timespec[2]}
     * (UTIME_NOW and UTIME_OMIT as Linux reads them), or now if {@code times} is 0. A null path
     * is futimens of {@code dirfd}.
     */
    long utimensat(long dirfd, long pathGpa, long times, long flags) {
        if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
        if (pathGpa == 0) {
            if ((flags & AT_SYMLINK_NOFOLLOW) != 0) return -Errno.EINVAL;
            int host = changeableHost(dirfd);
            return host < 0 ? host : io.utimens(host, times);
        }
        String path = paths.readPath(pathGpa);
        if (path.isEmpty()) {
            if ((flags & AT_EMPTY_PATH) == 0) return -Errno.ENOENT;
            int host = changeableHost(dirfd);
            return host < 0 ? host : io.utimens(host, times);
        }
        int fd = paths.openPath("utimensat", dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) != 0, true);
        if (fd < 0) return fd;
        try {
            return io.utimens(fd, times);
        } finally {
            HostFiles.close(fd);
        }
    }

    /**
     * The host fd of guest fd {@code fd} if its file's metadata may change: one the guest opened
     * beneath a writable root; -EBADF if it is not open; -EPERM for lent stdio (the shell's
     * files) and exact allowed paths (the host's own, such as /dev/null).
     */
    private int changeableHost(long fd) {
        int host = fds.host(fd);
        if (host < 0) return -Errno.EBADF;
        if (!fds.isOwned(fd) || !fds.isBeneathRoot(fd) || paths.readOnly()) return -Errno.EPERM;
        return host;
    }
}
