package io.torovj.linux;

/** Facts of Linux pipes and FIFOs ({@code <linux/limits.h>}, {@code <linux/splice.h>}). */
public final class Pipes {
    private Pipes() {}

    /** The largest write to a pipe that is atomic; a pipe that polls writable takes at least this many bytes. */
    public static final int PIPE_BUF = 4096;

    /** tee(2)/splice(2) flag: do not block on the pipes (EAGAIN instead). */
    public static final int SPLICE_F_NONBLOCK = 0x02;
}
