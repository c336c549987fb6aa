package io.torovj.lifecycle;

/**
 * How a VM ended, and the status the command line exits with for it. The guest's own exit
 * ({@link #EXITED}) and a guest exception ({@link #FAULT}, 128 + the signal a native process
 * would have died of) carry their status with them; every other ending has one fixed status,
 * the shell's convention for it.
 */
public enum Ending {
    /** The guest called exit_group: its own status. */
    EXITED(-1),
    /** A guest exception ended the VM: 128 + the signal (139 for SIGSEGV). */
    FAULT(-1),
    /** KVM_EXIT_SHUTDOWN: the guest faulted while delivering a fault (as SIGABRT: 134). */
    TRIPLE_FAULT(134),
    /** An exit the monitor cannot serve (unclaimed address, bad doorbell access, corrupt ring). */
    UNEXPECTED_EXIT(134),
    /** The policy's "kill" on a denied call (as SIGKILL: 137). */
    POLICY_KILL(137),
    /** The wall-clock or CPU-time limit (as timeout(1): 124). */
    TIME_LIMIT(124),
    /** The monitor failed (EX_SOFTWARE: 70). */
    MONITOR_ERROR(70),
    /** A debugger killed the guest (as SIGKILL: 137). */
    DEBUGGER_KILL(137);

    private final int status;

    Ending(int status) {
        this.status = status;
    }

    /** True if the ending's status is fixed (all but {@link #EXITED} and {@link #FAULT}). */
    public boolean hasFixedStatus() { return status >= 0; }

    /** The fixed status; throws for {@link #EXITED} and {@link #FAULT}, whose status comes with the stop. */
    public int status() {
        if (status < 0) throw new IllegalStateException(this + " has no fixed status");
        return status;
    }
}
