package io.torovj.syscall;

import static io.torovj.linux.AtFlags.AT_FDCWD;
import static io.torovj.linux.AtFlags.AT_REMOVEDIR;
import static io.torovj.linux.FileModes.PERMISSION_BITS;
import static io.torovj.linux.FileModes.S_IFIFO;
import static io.torovj.linux.FileModes.S_IFMT;
import static io.torovj.linux.OpenFlags.O_ACCMODE;
import static io.torovj.linux.OpenFlags.O_CLOEXEC;
import static io.torovj.linux.OpenFlags.O_CREAT;
import static io.torovj.linux.OpenFlags.O_DIRECTORY;
import static io.torovj.linux.OpenFlags.O_NOFOLLOW;
import static io.torovj.linux.OpenFlags.O_NONBLOCK;
import static io.torovj.linux.OpenFlags.O_PATH;
import static io.torovj.linux.OpenFlags.O_RDONLY;
import static io.torovj.linux.OpenFlags.O_TMPFILE_BIT;
import static io.torovj.linux.OpenFlags.O_TRUNC;
import static io.torovj.linux.OpenFlags.O_WRONLY;
import static io.torovj.linux.OpenFlags.RESOLVE_BENEATH;
import static io.torovj.linux.OpenFlags.RESOLVE_NO_MAGICLINKS;

import io.torovj.log.MonitorLog;
import io.torovj.linux.Errno;
import io.torovj.memory.GuestMemory;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.HostErrno;
import io.torovj.sys.HostFiles;
import io.torovj.sys.HostPath;
import io.torovj.sys.HostStat;
import io.torovj.sys.OpenHow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Confines the guest's paths to its policy: an exact allowed path (e.g. /dev/null), or a path
 * beneath the policy's root directory, resolved by the kernel with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS) so that neither ".." nor a symlink can leave the root. Relative paths
 * are relative to the root (the guest's working directory). Anything else is -EPERM. Files the
 * guest creates get its permission bits only (no set-user-ID, set-group-ID or sticky bit), and
 * opening a FIFO waits for its other end as on Linux, but never longer than the VM lives.
 */
public final class PathResolver implements AutoCloseable, io.torovj.lifecycle.Rewindable {
    static final int PATH_MAX = 4096;

    private final GuestMemory memory;
    private final FdTable fds;
    private final SyscallPolicy policy;
    private final MonitorLog log;
    private final String root;          // absolute real path, or null: no file access beneath a root
    private final int rootFd;           // O_PATH fd of root, or -1
    private final byte[] pathBytes = new byte[PATH_MAX];
    private final HostPath hostPath = new HostPath(PATH_MAX);
    private final OpenHow openHow = new OpenHow();
    private final HostStat stat = new HostStat();

    public PathResolver(GuestMemory memory, FdTable fds, SyscallPolicy policy, MonitorLog log) {
        this.memory = memory;
        this.fds = fds;
        this.policy = policy;
        this.log = log;
        Path rootPath = policy.fileRoot().orElse(null);
        this.root = rootPath == null ? null : rootPath.toString();
        if (root != null) {
            int fd = HostFiles.open(root, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
            if (fd < 0) throw new IllegalArgumentException("cannot open policy root " + root + ": " + HostErrno.describe(fd));
            rootFd = fd;
        } else {
            rootFd = -1;
        }
    }

    long openat(long dirfd, long pathGpa, long flagsArg, long mode) {
        String path = readPath(pathGpa);
        if (path.isEmpty()) return -Errno.ENOENT;
        int flags = (int) flagsArg;
        boolean writes = (flags & O_ACCMODE) != 0 || (flags & (O_CREAT | O_TRUNC | O_TMPFILE_BIT)) != 0;
        // the guest's files get only permission bits: never set-user-ID, set-group-ID or sticky
        // (the monitor creates them, as its own user: root, possibly)
        long permissions = creationMode(mode);
        if (path.startsWith("/")) {
            SyscallPolicy.AllowedPath exact = exactMatch(path);
            if (exact != null) {
                if (writes && exact.readOnly()) return denied("openat", path, "read-only");
                return open((f, m) -> HostFiles.open(path, f | O_CLOEXEC, (int) m), flags, permissions, false);
            }
            String rel = beneathRoot(path);
            if (rel == null) return denied("openat", path, "outside the policy's files");
            if (writes && policy.readOnly()) return denied("openat", path, "read-only");
            return open((f, m) -> openBeneath(rootFd, rel, f, m), flags, permissions, true);
        }
        int base = baseDir(dirfd);
        if (base == -Errno.EBADF) return -Errno.EBADF;
        if (base < 0) return denied("openat", path, "no file root in the policy");
        if (writes && policy.readOnly()) return denied("openat", path, "read-only");
        return open((f, m) -> openBeneath(base, path, f, m), flags, permissions, true);
    }

    /** One way of opening the guest's path: {@code flags} (O_CLOEXEC is added) and {@code mode} in, a host fd or -errno out. */
    private interface Opener {
        int open(int flags, long mode);
    }

    /**
     * Opens as Linux's open(2) would with {@code flags} and {@code mode}, except that the open
     * itself never blocks unboundedly: it is made O_NONBLOCK (so a FIFO without its other end
     * does not wait in the kernel), and where Linux would wait - a blocking O_RDONLY or O_WRONLY
     * open of a FIFO, until its other end is open - the wait is {@link StopSignal}'s, which the
     * VM's stop ends with -EINTR. The fd is installed with the guest's O_NONBLOCK
     * recorded; the host description stays O_NONBLOCK only if calls on it may block
     * ({@link FdTable}).
     */
    private long open(Opener opener, int flags, long mode, boolean beneath) {
        boolean guestNonblocking = (flags & O_NONBLOCK) != 0;
        if ((flags & O_PATH) != 0) {
            int fd = opener.open(flags, 0);
            return fd < 0 ? fd : fds.install(fd, beneath, guestNonblocking, FdTable.NEVER_BLOCKS);
        }
        int access = flags & O_ACCMODE;
        int fd = opener.open(flags | O_NONBLOCK, mode);
        if (fd == -Errno.ENXIO && access == O_WRONLY && !guestNonblocking) {
            fd = openFifoForWriting(opener, flags);     // Linux: wait for a reader
        }
        if (fd < 0) return fd;
        int kind = FdTable.MAY_BLOCK;
        boolean fifo = false;
        if (stat.fstat(fd) == 0) {
            kind = FdTable.kindOf(stat.mode(), stat.rdev());
            fifo = (stat.mode() & S_IFMT) == S_IFIFO;
        }
        if (fifo && access == O_RDONLY && !guestNonblocking) {
            // Linux: wait for a writer (the read end just opened is the guest's fd then)
            int waited = fds.stopSignal().awaitFifoWriter(fd);
            if (waited < 0) {
                HostFiles.close(fd);
                return waited;
            }
        }
        if (kind == FdTable.NEVER_BLOCKS && !guestNonblocking) HostFiles.setNonblocking(fd, false);
        return fds.install(fd, beneath, guestNonblocking, kind);
    }

    /**
     * After a non-blocking O_WRONLY open answered ENXIO: if the path is a FIFO (no reader yet),
     * waits for a reader as Linux's blocking open does, interruptibly; else ENXIO stands.
     */
    private int openFifoForWriting(Opener opener, int flags) {
        int probe = opener.open(O_PATH | (flags & O_NOFOLLOW), 0);
        if (probe < 0) return -Errno.ENXIO;
        try {
            if (stat.fstat(probe) < 0 || (stat.mode() & S_IFMT) != S_IFIFO) return -Errno.ENXIO;
            int fd = fds.stopSignal().openFifoForWriting(probe, flags);
            return fd == -Errno.ENOENT ? opener.open(flags, 0) : fd;       // no /proc: not interruptible
        } finally {
            HostFiles.close(probe);
        }
    }

    /**
     * unlink, unlinkat and rmdir-like AT_REMOVEDIR, through {@link #inParent}: the kernel gives
     * Linux's answers (a trailing slash on a non-directory is ENOTDIR, unlink of a directory
     * EISDIR, "dir/" with AT_REMOVEDIR removes it, "." and ".." are refused).
     */
    long unlinkat(long dirfd, long pathGpa, long flags) {
        String path = readPath(pathGpa);
        if (path.isEmpty()) return -Errno.ENOENT;
        if ((flags & ~AT_REMOVEDIR) != 0) return -Errno.EINVAL;
        return inParent("unlink", dirfd, path, hostPath, (parent, name) -> HostFiles.unlinkat(parent, name, (int) flags));
    }

    /** A call on one name in a directory: {@code parentFd} (O_PATH) and the name, a single component. */
    interface AtParent {
        int apply(int parentFd, HostPath name);
    }

    /**
     * Runs {@code op} on the last component of the guest's non-empty {@code path}, relative to
     * its parent directory, for the calls that never follow the last component (unlink, rmdir,
     * mkdir, rename). The parent is resolved beneath the root like any path; the last component,
     * with any trailing slashes (the kernel judges them), goes into {@code name}. It never
     * contains an inner slash and these calls never follow it, so nothing outside the parent
     * can be reached. A read-only policy refuses them all.
     */
    int inParent(String call, long dirfd, String path, HostPath name, AtParent op) {
        int base;
        String rel;
        if (path.startsWith("/")) {
            rel = beneathRoot(path);
            base = rootFd;
            if (rel == null) return denied(call, path, "outside the policy's files");
        } else {
            base = baseDir(dirfd);
            rel = path;
            if (base == -Errno.EBADF) return -Errno.EBADF;
            if (base < 0) return denied(call, path, "no file root in the policy");
        }
        if (policy.readOnly()) return denied(call, path, "read-only");
        int end = rel.length();
        while (end > 0 && rel.charAt(end - 1) == '/') end--;
        if (end == 0) return -Errno.EINVAL;                  // not reached: rel is never empty nor absolute
        int slash = rel.lastIndexOf('/', end - 1);
        String parent = slash < 0 ? "." : rel.substring(0, slash + 1);
        byte[] last = rel.substring(slash + 1).getBytes(StandardCharsets.UTF_8);
        int parentFd = openBeneath(base, parent, O_PATH | O_DIRECTORY, 0);
        if (parentFd < 0) return parentFd;
        try {
            if (!name.set(last)) return -Errno.ENAMETOOLONG;
            return op.apply(parentFd, name);
        } finally {
            HostFiles.close(parentFd);
        }
    }

    /**
     * An O_PATH host fd (the caller closes it) for the file the guest's non-empty {@code path}
     * names, confined exactly as {@link #openat} confines (an exact allowed path, or beneath the
     * root with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), for the calls that act on a file
     * without opening it for I/O: stat, access, chmod, utimensat. With {@code noFollow} a symlink
     * in the last component names itself (lstat). {@code changes}: the call changes the file's
     * metadata (mode, times), which only files beneath a writable root may have changed: an
     * exact allowed path such as /dev/null is the host's own file, opened, never re-moded.
     * -errno on failure.
     */
    int openPath(String call, long dirfd, String path, boolean noFollow, boolean changes) {
        int flags = O_PATH | (noFollow ? O_NOFOLLOW : 0);
        if (path.startsWith("/")) {
            SyscallPolicy.AllowedPath exact = exactMatch(path);
            if (exact != null) {
                if (changes) return denied(call, path, "an allowed host path, not beneath the root");
                return HostFiles.open(path, flags | O_CLOEXEC, 0);
            }
            String rel = beneathRoot(path);
            if (rel == null) return denied(call, path, "outside the policy's files");
            if (changes && policy.readOnly()) return denied(call, path, "read-only");
            return openBeneath(rootFd, rel, flags, 0);
        }
        int base = baseDir(dirfd);
        if (base == -Errno.EBADF) return -Errno.EBADF;
        if (base < 0) return denied(call, path, "no file root in the policy");
        if (changes && policy.readOnly()) return denied(call, path, "read-only");
        return openBeneath(base, path, flags, 0);
    }

    /** True if the policy's files are read-only (then writes beneath the root are refused). */
    boolean readOnly() { return policy.readOnly(); }

    /** The guest's file-creation mask: applied to the modes of open(O_CREAT) and mkdir, as Linux does. */
    private static final int DEFAULT_UMASK = 022;
    private int umask = DEFAULT_UMASK;

    /** A pooled VM's reset: the guest's umask is the default again. */
    @Override
    public void rewind() {
        umask = DEFAULT_UMASK;
    }

    /** umask(2): sets the guest's mask to {@code mask}'s permission bits and answers the previous one. */
    long umask(long mask) {
        int old = umask;
        umask = (int) mask & PERMISSION_BITS;
        return old;
    }

    /** {@code mode}'s permission bits less the guest's umask: what a file or directory the guest creates gets. */
    long creationMode(long mode) {
        return mode & PERMISSION_BITS & ~umask;
    }

    /** Host fd to resolve a relative path against: the root for AT_FDCWD, or a directory the guest opened. */
    private int baseDir(long dirfd) {
        if ((int) dirfd == AT_FDCWD) return rootFd < 0 ? -Errno.EPERM : rootFd;
        int host = fds.host(dirfd);
        if (host < 0) return -Errno.EBADF;
        // only a directory opened beneath the root can anchor a relative path
        return fds.isBeneathRoot(dirfd) ? host : -Errno.EPERM;
    }

    private int openBeneath(int dirFd, String rel, int flags, long mode) {
        byte[] bytes = rel.getBytes(StandardCharsets.UTF_8);
        if (!hostPath.set(bytes)) return -Errno.ENAMETOOLONG;
        openHow.set(flags | O_CLOEXEC, (flags & (O_CREAT | O_TMPFILE_BIT)) != 0 ? mode & PERMISSION_BITS : 0,
                RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
        int fd = HostFiles.openat2(dirFd, hostPath, openHow);
        // EXDEV: the kernel saw the path escape the root (.., an absolute symlink)
        return fd == -Errno.EXDEV ? -Errno.EPERM : fd;
    }

    /**
     * The path relative to the root if it lies beneath it, else null: never empty nor absolute
     * ("." for the root itself; "root//x" is "x", as Linux reads repeated slashes).
     */
    private String beneathRoot(String path) {
        if (root == null) return null;
        if (path.equals(root)) return ".";
        String prefix = root.endsWith("/") ? root : root + "/";
        if (!path.startsWith(prefix)) return null;
        int i = prefix.length();
        while (i < path.length() && path.charAt(i) == '/') i++;
        return i == path.length() ? "." : path.substring(i);
    }

    private SyscallPolicy.AllowedPath exactMatch(String path) {
        for (SyscallPolicy.AllowedPath p : policy.allowPaths()) {
            if (p.path().toString().equals(path)) return p;
        }
        return null;
    }

    /** The guest's NUL-terminated path at {@code gpa} (at most PATH_MAX - 1 bytes: longer is -ENAMETOOLONG). */
    String readPath(long gpa) {
        int len = memory.readCString(gpa, pathBytes, PATH_MAX - 1);
        return new String(pathBytes, 0, len, StandardCharsets.UTF_8);
    }

    private int denied(String call, String path, String why) {
        log.once("path-denied:" + call, "policy denied " + call + "(\"" + path + "\"): " + why + ": -EPERM (logged once)");
        return -Errno.EPERM;
    }

    @Override
    public void close() {
        if (rootFd >= 0) HostFiles.close(rootFd);
    }
}
