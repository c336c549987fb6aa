package io.torovj.transport;

/**
 * A doorbell the guest rings with a 1-byte OUT to its port, which wakes a host thread blocked
 * in {@link #await()} (on an eventfd). The OUT either exits to the monitor, whose device on the
 * port bus signals the eventfd ({@link Path#EXIT}; the only path on the process platform), or,
 * on KVM and if asked for, is answered by the kernel itself ({@link Path#IOEVENTFD}: the vCPU
 * does not leave KVM_RUN for it, but the registration costs milliseconds to take down).
 *
 * <p>Owned by the VM, which creates it for a transport ({@link Factory}) and releases it after
 * the transport has closed; a transport only rings and waits.
 */
public interface KernelDoorbell {
    /** Blocks until the doorbell has been rung (by the guest or by {@link #ring()}) since the last return. */
    void await();

    /** Rings it from the host: wakes a thread in {@link #await()}, or makes its next call return at once. */
    void ring();

    /**
     * {@link System#nanoTime()} when the monitor last handled the guest's OUT as an exit (0 if
     * never: an ioeventfd's are not seen). The guest is still outside its code until the vCPU
     * re-enters it, so a poller that times idle spells counts from here, not from its last call.
     */
    default long lastExitNanos() { return 0; }

    /** How the guest's OUT reaches the eventfd. */
    enum Path {
        /** An exit to the monitor's port bus: nothing to register or take down. */
        EXIT,
        /**
         * KVM_IOEVENTFD where the platform has it (else an exit): no exit to user space per
         * ring (~17 µs less per doorbell on this project's PVM host), but taking the
         * registration down (KVM_IOEVENTFD deassign, or the VM fd's close) cost ~5 ms there,
         * more than a whole fresh VM otherwise.
         */
        IOEVENTFD
    }

    /** Creates the VM's doorbells. */
    @FunctionalInterface
    interface Factory {
        /**
         * A doorbell on I/O port {@code port}, claimed on the port bus (so the I/O bitmap grants
         * it) in the name of {@code owner}, whose name an IN from the port is reported under.
         */
        KernelDoorbell claim(int port, String owner, Path path);
    }
}
