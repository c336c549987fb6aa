package io.torovj.sys;

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
        long n = LibC.INSTANCE.lseek(fd, offset, whence);
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
        return LibC.INSTANCE.fsync(fd) < 0 ? -LibC.errno() : 0;
    }

    /** openat2(2) of {@code path} relative to {@code dirFd}, as {@code how} says: the new host fd, or -errno. */
    public static int openat2(int dirFd, HostPath path, OpenHow how) {
        long fd = LibC.INSTANCE.syscall(SYS_OPENAT2, dirFd, path.address(), how.address(), OpenHow.SIZE);
        return fd < 0 ? -LibC.errno() : (int) fd;
    }

    /** unlinkat(2) of {@code path} relative to {@code dirFd}: 0 or -errno. */
    public static int unlinkat(int dirFd, HostPath path, int flags) {
        return LibC.INSTANCE.unlinkat(dirFd, path.address(), flags) < 0 ? -LibC.errno() : 0;
    }
}
