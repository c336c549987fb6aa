package io.torovj.syscall;

import io.torovj.lifecycle.Ending;
import io.torovj.linux.Errno;
import io.torovj.memory.GuestIo;
import io.torovj.memory.GuestMemory;
import io.torovj.sys.HostProcess;
import io.torovj.lifecycle.VmControl;

/**
 * exit, exit_group, getpid, getppid, clock_gettime. The guest's process is the monitor's: its pid
 * is the monitor's pid, as in ToroV.
 */
public final class ProcessSyscalls implements SyscallGroup {
    /** CLOCK_TAI, the highest static clock id; CLOCK_REALTIME (0) .. CLOCK_TAI are per-system or per-process. */
    private static final long MAX_STATIC_CLOCK = 11;
    private final GuestIo io;
    private final VmControl control;

    public ProcessSyscalls(GuestMemory memory, VmControl control) {
        this.io = new GuestIo(memory);
        this.control = control;
    }

    @Override
    public SyscallHandler handler(String call) {
        return switch (call) {
            case "exit" -> (status, a1, a2, a3, a4, a5) -> exit(status);
            case "exit_group" -> (status, a1, a2, a3, a4, a5) -> exit(status);
            case "getpid" -> (a0, a1, a2, a3, a4, a5) -> HostProcess.pid();
            case "getppid" -> (a0, a1, a2, a3, a4, a5) -> HostProcess.parentPid();
            case "clock_gettime" -> (clock, tp, a2, a3, a4, a5) -> clockGettime(clock, tp);
            default -> null;
        };
    }

    private long exit(long status) {
        control.exit((int) (status & 0xff));
        return 0;
    }

    private long clockGettime(long clock, long tp) {
        // only the static clocks: a negative id is a dynamic clock, i.e. the CPU clock of any host
        // process or thread (by pid), or a clock behind one of the JVM's own fds (by fd number)
        if (clock < 0 || clock > MAX_STATIC_CLOCK) return -Errno.EINVAL;
        return io.clockGettime((int) clock, tp);
    }
}
