package io.torovj.linux;

/**
 * Flags of open(2), openat(2) and openat2(2) on x86-64 ({@code <asm-generic/fcntl.h>}), and the
 * {@code resolve} bits of openat2's {@code struct open_how} ({@code <linux/openat2.h>}).
 */
public final class OpenFlags {
    private OpenFlags() {}

    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_ACCMODE = 3;
    public static final int O_CREAT = 0x40, O_EXCL = 0x80, O_TRUNC = 0x200, O_APPEND = 0x400, O_NONBLOCK = 0x800,
            O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    /** {@code __O_TMPFILE}: the bit O_TMPFILE adds to O_DIRECTORY; set, the call creates a file. */
    public static final int O_TMPFILE_BIT = 0x400000;

    /** fcntl(2): get and set the file status flags (O_APPEND, O_NONBLOCK, ...) of an open file description. */
    public static final int F_GETFL = 3, F_SETFL = 4;
    /** fcntl(2): duplicate onto the lowest free fd at or above the argument (and set close-on-exec). */
    public static final int F_DUPFD = 0, F_DUPFD_CLOEXEC = 1030;
    /** fcntl(2): close-on-exec flag of an fd. */
    public static final int F_GETFD = 1, F_SETFD = 2, FD_CLOEXEC = 1;

    /** open_how.resolve: no /proc/[pid]/fd-style magic links. */
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    /** open_how.resolve: the path may not leave the directory it is resolved against (EXDEV). */
    public static final long RESOLVE_BENEATH = 0x08;
}
