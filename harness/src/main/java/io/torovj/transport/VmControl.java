package io.torovj.transport;

/**
 * Ends a VM from any thread: the first {@link #stop} wins, later ones are ignored, and the vCPU
 * is kicked out of KVM_RUN so that a guest spinning in shared memory stops promptly.
 */
public interface VmControl {
    /** How a VM ended. */
    enum Ending { EXITED, FAULT, TRIPLE_FAULT, UNEXPECTED_EXIT, POLICY_KILL, TIME_LIMIT, MONITOR_ERROR, DEBUGGER_KILL }

    /** Ends the VM; {@code status} is the guest exit status for EXITED, else the CLI status to use. */
    void stop(Ending ending, int status, String report);

    boolean isStopped();

    /**
     * What a transport's write-only doorbell port answers to an IN: it ends the VM with a report
     * rather than hand the guest a made-up value. Returns the (unused) value for the IN.
     */
    static long refuseDoorbellRead(VmControl control, String transport, int port, int size) {
        control.stop(Ending.UNEXPECTED_EXIT, 134, String.format(
                "%s transport: bad doorbell access: %d-byte IN from port 0x%x (the doorbell is write-only)",
                transport, size, port));
        return 0;
    }
}
