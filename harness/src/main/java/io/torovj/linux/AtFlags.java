package io.torovj.linux;

/** The *at(2) calls' special directory fd and flags ({@code <linux/fcntl.h>}). */
public final class AtFlags {
    private AtFlags() {}

    /** dirfd meaning "the current working directory". */
    public static final int AT_FDCWD = -100;
    /** unlinkat: remove a directory, as rmdir(2). */
    public static final int AT_REMOVEDIR = 0x200;
}
