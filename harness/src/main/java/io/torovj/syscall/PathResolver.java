package io.torovj.syscall;

import static io.torovj.linux.AtFlags.AT_FDCWD;
import static io.torovj.linux.AtFlags.AT_REMOVEDIR;
import static io.torovj.linux.OpenFlags.O_ACCMODE;
import static io.torovj.linux.OpenFlags.O_CLOEXEC;
import static io.torovj.linux.OpenFlags.O_CREAT;
import static io.torovj.linux.OpenFlags.O_DIRECTORY;
import static io.torovj.linux.OpenFlags.O_PATH;
import static io.torovj.linux.OpenFlags.O_TMPFILE_BIT;
import static io.torovj.linux.OpenFlags.O_TRUNC;
import static io.torovj.linux.OpenFlags.RESOLVE_BENEATH;
import static io.torovj.linux.OpenFlags.RESOLVE_NO_MAGICLINKS;

import io.torovj.log.MonitorLog;
import io.torovj.linux.Errno;
import io.torovj.memory.GuestMemory;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.HostErrno;
import io.torovj.sys.HostFiles;
import io.torovj.sys.HostPath;
import io.torovj.sys.OpenHow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Confines the guest's paths to its policy: an exact allowed path (e.g. /dev/null), or a path
 * beneath the policy's root directory, resolved by the kernel with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS) so that neither ".." nor a symlink can leave the root. Relative paths
 * are relative to the root (the guest's working directory). Anything else is -EPERM.
 */
public final class PathResolver implements AutoCloseable {
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
        int hostFd;
        if (path.startsWith("/")) {
            SyscallPolicy.AllowedPath exact = exactMatch(path);
            if (exact != null) {
                if (writes && exact.readOnly()) return denied("openat", path, "read-only");
                hostFd = HostFiles.open(path, flags | O_CLOEXEC, (int) mode);
                return hostFd < 0 ? hostFd : fds.install(hostFd, false);
            }
            String rel = beneathRoot(path);
            if (rel == null) return denied("openat", path, "outside the policy's files");
            if (writes && policy.readOnly()) return denied("openat", path, "read-only");
            hostFd = openBeneath(rootFd, rel, flags, mode);
        } else {
            int base = baseDir(dirfd);
            if (base == -Errno.EBADF) return -Errno.EBADF;
            if (base < 0) return denied("openat", path, "no file root in the policy");
            if (writes && policy.readOnly()) return denied("openat", path, "read-only");
            hostFd = openBeneath(base, path, flags, mode);
        }
        return hostFd < 0 ? hostFd : fds.install(hostFd, true);
    }

    long unlinkat(long dirfd, long pathGpa, long flags) {
        String path = readPath(pathGpa);
        if (path.isEmpty()) return -Errno.ENOENT;
        if ((flags & ~AT_REMOVEDIR) != 0) return -Errno.EINVAL;
        int base;
        String rel;
        if (path.startsWith("/")) {
            rel = beneathRoot(path);
            base = rootFd;
            if (rel == null) return denied("unlink", path, "outside the policy's files");
        } else {
            base = baseDir(dirfd);
            rel = path;
            if (base == -Errno.EBADF) return -Errno.EBADF;
            if (base < 0) return denied("unlink", path, "no file root in the policy");
        }
        if (policy.readOnly()) return denied("unlink", path, "read-only");
        while (rel.endsWith("/") && rel.length() > 1) rel = rel.substring(0, rel.length() - 1);
        int slash = rel.lastIndexOf('/');
        String parent = slash < 0 ? "." : rel.substring(0, Math.max(slash, 1));
        String name = rel.substring(slash + 1);
        if (name.isEmpty() || name.equals(".") || name.equals("..")) return -Errno.EINVAL;
        int parentFd = openBeneath(base, parent, O_PATH | O_DIRECTORY, 0);
        if (parentFd < 0) return parentFd;
        try {
            hostPath.set(name.getBytes(StandardCharsets.UTF_8));
            return HostFiles.unlinkat(parentFd, hostPath, (int) flags);
        } finally {
            HostFiles.close(parentFd);
        }
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
        openHow.set(flags | O_CLOEXEC, (flags & (O_CREAT | O_TMPFILE_BIT)) != 0 ? mode & 07777 : 0,
                RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
        int fd = HostFiles.openat2(dirFd, hostPath, openHow);
        // EXDEV: the kernel saw the path escape the root (.., an absolute symlink)
        return fd == -Errno.EXDEV ? -Errno.EPERM : fd;
    }

    /** The path relative to the root if it lies beneath it, else null. */
    private String beneathRoot(String path) {
        if (root == null) return null;
        if (path.equals(root)) return ".";
        String prefix = root.endsWith("/") ? root : root + "/";
        return path.startsWith(prefix) ? path.substring(prefix.length()) : null;
    }

    private SyscallPolicy.AllowedPath exactMatch(String path) {
        for (SyscallPolicy.AllowedPath p : policy.allowPaths()) {
            if (p.path().toString().equals(path)) return p;
        }
        return null;
    }

    private String readPath(long gpa) {
        int len = memory.readCString(gpa, pathBytes, PATH_MAX - 1);
        return new String(pathBytes, 0, len, StandardCharsets.UTF_8);
    }

    private long denied(String call, String path, String why) {
        log.once("path-denied:" + call, "policy denied " + call + "(\"" + path + "\"): " + why + ": -EPERM (logged once)");
        return -Errno.EPERM;
    }

    @Override
    public void close() {
        if (rootFd >= 0) HostFiles.close(rootFd);
    }
}
