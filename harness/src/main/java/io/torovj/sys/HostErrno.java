package io.torovj.sys;

/** The host C library's text for an errno value, for the monitor's own error messages. */
public final class HostErrno {
    private HostErrno() {}

    /** strerror(3) of {@code errno} (positive, or negated as the -errno results of this package). */
    public static String describe(int errno) {
        return LibC.INSTANCE.strerror(Math.abs(errno));
    }
}
