package io.torovj.linux;

/**
 * The {@code st_mode} bits of {@code struct stat} ({@code <linux/stat.h>}): the file type and the
 * permission bits, and the device number encoding of {@code st_rdev} ({@code <sys/sysmacros.h>}).
 */
public final class FileModes {
    private FileModes() {}

    public static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000,
            S_IFBLK = 060000, S_IFDIR = 040000, S_IFCHR = 020000, S_IFIFO = 010000;
    /** Set-user-ID, set-group-ID and sticky bits. */
    public static final int S_ISUID = 04000, S_ISGID = 02000, S_ISVTX = 01000;
    /** The read, write and execute bits of owner, group and others: all a guest may ask for. */
    public static final int PERMISSION_BITS = 0777;

    /** The major number of {@code st_rdev} (glibc's {@code major()}). */
    public static int major(long rdev) {
        return (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
    }

    /** The minor number of {@code st_rdev} (glibc's {@code minor()}). */
    public static int minor(long rdev) {
        return (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
    }
}
