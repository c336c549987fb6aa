package io.torovj.sys;

import io.torovj.linux.Errno;
import io.torovj.linux.OpenFlags;
import io.torovj.linux.SyscallNames;

/**
 * The host file calls that take no pointer into guest memory: open of a host path the monitor
 * chose or checked, close, lseek, fsync, and the two calls whose only pointers are monitor-owned
 * ({@link HostPath}, {@link OpenHow}): openat2 and unlinkat. Each returns the Linux convention, a
 * result {@code >= 0} or {@code -errno}, and allocates nothing (except {@link #open}'s
 * String-to-C conversion).
 */
public final class HostFiles {
    private static final long SYS_OPENAT2 = SyscallNames.number("openat2");
    private static final long SYS_RENAMEAT2 = SyscallNames.number("renameat2");
    /** fchmodat2 (Linux 6.6): newer than the syscall table's header, so by number. */
    private static final long SYS_FCHMODAT2 = 452;
    private static final long SYS_FACCESSAT2 = SyscallNames.number("faccessat2");
    private static final long SYS_SENDFILE = SyscallNames.number("sendfile");
    private static final int AT_EMPTY_PATH = 0x1000;
    /** The empty path of the AT_EMPTY_PATH calls: they act on the fd itself (an O_PATH fd included). */
    private static final NativeBuffer EMPTY_PATH = new NativeBuffer(1);

    private HostFiles() {}

    /** open(2) of {@code path}: the new host fd, or -errno. */
    public static int open(String path, int flags, int mode) {
        int fd = LibC.INSTANCE.open(path, flags, mode);
        return fd < 0 ? -LibC.errno() : fd;
    }

    /** close(2): 0 or -errno (the fd is gone either way, EINTR included). */
    public static int close(int fd) {
        return LibC.INSTANCE.close(fd) != 0 ? -LibC.errno() : 0;
    }

    /** lseek(2): the new offset, or -errno. */
    public static long lseek(int fd, long offset, int whence) {
        long n = FileCalls.INSTANCE.lseek(fd, offset, whence);
        return n < 0 ? -LibC.errno() : n;
    }

    /** fcntl(2) F_GETFL: the file status flags of {@code fd}'s open file description (O_NONBLOCK, ...), or -errno. */
    public static int statusFlags(int fd) {
        int flags = LibC.INSTANCE.fcntl(fd, OpenFlags.F_GETFL, 0);
        return flags < 0 ? -LibC.errno() : flags;
    }

    /** fcntl(2) F_SETFL: sets the settable status flags (O_APPEND, O_NONBLOCK, ...) of {@code fd}: 0 or -errno. */
    public static int setStatusFlags(int fd, int flags) {
        return LibC.INSTANCE.fcntl(fd, OpenFlags.F_SETFL, flags & 0xFFFFFFFFL) < 0 ? -LibC.errno() : 0;
    }

    /**
     * Sets or clears O_NONBLOCK on {@code fd}'s open file description, leaving its other flags:
     * 0 or -errno. Only for descriptions the monitor opened (the flag is shared by every fd on them).
     */
    public static int setNonblocking(int fd, boolean nonblocking) {
        int flags = statusFlags(fd);
        if (flags < 0) return flags;
        int wanted = nonblocking ? flags | OpenFlags.O_NONBLOCK : flags & ~OpenFlags.O_NONBLOCK;
        return wanted == flags ? 0 : setStatusFlags(fd, wanted);
    }

    /** fsync(2): 0 or -errno. */
    public static int fsync(int fd) {
        return FileCalls.INSTANCE.fsync(fd) < 0 ? -LibC.errno() : 0;
    }

    /** openat2(2) of {@code path} relative to {@code dirFd}, as {@code how} says: the new host fd, or -errno. */
    public static int openat2(int dirFd, HostPath path, OpenHow how) {
        long fd = LibC.INSTANCE.syscall(SYS_OPENAT2, dirFd, path.address(), how.address(), OpenHow.SIZE);
        return fd < 0 ? -LibC.errno() : (int) fd;
    }

    /** unlinkat(2) of {@code path} relative to {@code dirFd}: 0 or -errno. */
    public static int unlinkat(int dirFd, HostPath path, int flags) {
        return FileCalls.INSTANCE.unlinkat(dirFd, path.address(), flags) < 0 ? -LibC.errno() : 0;
    }

    /** mkdirat(2) of {@code path} relative to {@code dirFd}: 0 or -errno. */
    public static int mkdirat(int dirFd, HostPath path, int mode) {
        return FileCalls.INSTANCE.mkdirat(dirFd, path.address(), mode) < 0 ? -LibC.errno() : 0;
    }

    /** renameat2(2) of {@code oldPath} (relative to {@code oldDir}) to {@code newPath} (relative to {@code newDir}): 0 or -errno. */
    public static int renameat2(int oldDir, HostPath oldPath, int newDir, HostPath newPath, int flags) {
        long rc = LibC.INSTANCE.syscall(SYS_RENAMEAT2, oldDir, oldPath.address(), newDir, newPath.address(),
                flags & 0xFFFFFFFFL, 0);
        return rc < 0 ? -LibC.errno() : 0;
    }

    /**
     * Sets the mode of the file {@code fd} (an O_PATH fd too) refers to: fchmodat2(2) with
     * AT_EMPTY_PATH, or, on a kernel older than 6.6, chmod(2) of its /proc/self/fd link (the
     * monitor's own fd, resolved by the host kernel to that very file). 0 or -errno.
     */
    public static int chmod(int fd, int mode) {
        long rc = LibC.INSTANCE.syscall(SYS_FCHMODAT2, fd, EMPTY_PATH.address(), mode, AT_EMPTY_PATH);
        if (rc < 0 && LibC.errno() == Errno.ENOSYS) {
            rc = FileCalls.INSTANCE.chmod(LibC.cString("/proc/self/fd/" + fd), mode);
        }
        return rc < 0 ? -LibC.errno() : 0;
    }

    /** faccessat2(2) with AT_EMPTY_PATH: may the monitor access the file {@code fd} refers to as {@code mode} says; 0 or -errno. */
    public static int access(int fd, int mode) {
        long rc = LibC.INSTANCE.syscall(SYS_FACCESSAT2, fd, EMPTY_PATH.address(), mode, AT_EMPTY_PATH);
        return rc < 0 ? -LibC.errno() : 0;
    }

    /** fcntl(2) F_DUPFD_CLOEXEC: a new host fd on the same open file description, or -errno. */
    public static int dup(int fd) {
        int n = LibC.INSTANCE.fcntl(fd, OpenFlags.F_DUPFD_CLOEXEC, 0);
        return n < 0 ? -LibC.errno() : n;
    }

    /** sendfile(2) of up to {@code count} bytes from {@code inFd}'s offset to {@code outFd}: bytes moved, or -errno. */
    public static long sendfile(int outFd, int inFd, long count) {
        long n = LibC.INSTANCE.syscall(SYS_SENDFILE, outFd, inFd, 0, count);
        return n < 0 ? -LibC.errno() : n;
    }

    /**
     * sendfile(2) of up to {@code count} bytes from {@code inFd} at {@code offset} (its file
     * offset unchanged) to {@code outFd}: bytes moved, or -errno. Allocates the offset's 8 bytes.
     */
    public static long sendfileAt(int outFd, int inFd, long offset, long count) {
        NativeBuffer at = new NativeBuffer(8);
        at.putLong(0, offset);
        long n = LibC.INSTANCE.syscall(SYS_SENDFILE, outFd, inFd, at.address(), count);
        java.lang.ref.Reference.reachabilityFence(at);    // freed once unreachable: not before the call is done
        return n < 0 ? -LibC.errno() : n;
    }
}
