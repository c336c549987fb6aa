package io.torovj.linux;

/** The *at(2) calls' special directory fd and flags ({@code <linux/fcntl.h>}). */
public final class AtFlags {
    private AtFlags() {}

    /** dirfd meaning "the current working directory". */
    public static final int AT_FDCWD = -100;
    /** unlinkat: remove a directory, as rmdir(2). */
    public static final int AT_REMOVEDIR = 0x200;
    /** stat-like calls: do not follow a symlink in the last component. */
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    /** faccessat: check with the effective ids. */
    public static final int AT_EACCESS = 0x200;
    /** Do not automount the last component (accepted, meaningless here). */
    public static final int AT_NO_AUTOMOUNT = 0x800;
    /** An empty path names the dirfd itself. */
    public static final int AT_EMPTY_PATH = 0x1000;
    /** renameat2: fail if the new path exists; swap the two. */
    public static final int RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2;
}
