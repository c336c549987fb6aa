package io.torovj.lifecycle;

/**
 * Ends a VM from any thread: the first stop wins, later ones are ignored, and the vCPU is
 * kicked out of KVM_RUN so that a guest spinning in shared memory stops promptly.
 */
public interface VmControl {
    /** Ends the VM with an ending whose status is fixed ({@link Ending#hasFixedStatus()}) and a one-line report. */
    void stop(Ending ending, String report);

    /** The guest exited with {@code status} (0-255). */
    void exit(int status);

    /** A guest exception ended the VM: status 128 + {@code signal}. */
    void fault(int signal, String report);

    boolean isStopped();

    /**
     * What a transport's write-only doorbell port answers to an IN: it ends the VM with a report
     * rather than hand the guest a made-up value. Returns the (unused) value for the IN.
     */
    static long refuseDoorbellRead(VmControl control, String transport, int port, int size) {
        control.stop(Ending.UNEXPECTED_EXIT, String.format(
                "%s transport: bad doorbell access: %d-byte IN from port 0x%x (the doorbell is write-only)",
                transport, size, port));
        return 0;
    }
}
