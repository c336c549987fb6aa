package io.torovj.sys;

/** The monitor's own process as the host sees it: the ids a guest is told are its own. */
public final class HostProcess {
    private HostProcess() {}

    /** getpid(2) of the monitor. */
    public static int pid() { return LibC.INSTANCE.getpid(); }

    /** getppid(2) of the monitor (it cannot fail: no errno kept, {@link InfallibleCalls}). */
    public static int parentPid() { return InfallibleCalls.INSTANCE.getppid(); }
}
