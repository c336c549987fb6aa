package io.torovj.syscall;

import io.torovj.memory.GuestMemory;
import io.torovj.sys.LibC;
import io.torovj.transport.VmControl;

/**
 * exit, exit_group, getpid, getppid, clock_gettime. The guest's process is the monitor's: its pid
 * is the monitor's pid, as in ToroV.
 */
public final class ProcessSyscalls {
    private static final int TIMESPEC_SIZE = 16;
    /** CLOCK_TAI, the highest static clock id; CLOCK_REALTIME (0) .. CLOCK_TAI are per-system or per-process. */
    private static final long MAX_STATIC_CLOCK = 11;
    private final GuestMemory memory;
    private final VmControl control;

    public ProcessSyscalls(GuestMemory memory, VmControl control) {
        this.memory = memory;
        this.control = control;
    }

    public void registerWith(SyscallDispatcher d) {
        d.register("exit", (status, a1, a2, a3, a4, a5) -> exit(status));
        d.register("exit_group", (status, a1, a2, a3, a4, a5) -> exit(status));
        d.register("getpid", (a0, a1, a2, a3, a4, a5) -> LibC.INSTANCE.getpid());
        d.register("getppid", (a0, a1, a2, a3, a4, a5) -> LibC.INSTANCE.getppid());
        d.register("clock_gettime", (clock, tp, a2, a3, a4, a5) -> clockGettime(clock, tp));
    }

    private long exit(long status) {
        control.stop(VmControl.Ending.EXITED, (int) (status & 0xff), null);
        return 0;
    }

    private long clockGettime(long clock, long tp) {
        // only the static clocks: a negative id is a dynamic clock, i.e. the CPU clock of any host
        // process or thread (by pid), or a clock behind one of the JVM's own fds (by fd number)
        if (clock < 0 || clock > MAX_STATIC_CLOCK) return -Errno.EINVAL;
        return LibC.INSTANCE.clock_gettime((int) clock, memory.hostAddress(tp, TIMESPEC_SIZE)) < 0 ? -LibC.errno() : 0;
    }
}
