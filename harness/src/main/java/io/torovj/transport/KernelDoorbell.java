package io.torovj.transport;

/**
 * A doorbell the guest rings with a 1-byte OUT to its port, which wakes a host thread blocked
 * in {@link #await()}. On KVM the kernel answers the OUT itself (KVM_IOEVENTFD on an eventfd):
 * the vCPU never leaves KVM_RUN for it. On the process platform the OUT reaches the monitor as
 * an exit, and the doorbell's device on the port bus signals the same eventfd.
 *
 * <p>Owned by the VM, which creates it for a transport ({@link Factory}) and releases it after
 * the transport has closed; a transport only rings and waits.
 */
public interface KernelDoorbell {
    /** Blocks until the doorbell has been rung (by the guest or by {@link #ring()}) since the last return. */
    void await();

    /** Rings it from the host: wakes a thread in {@link #await()}, or makes its next call return at once. */
    void ring();

    /** Creates the VM's doorbells. */
    @FunctionalInterface
    interface Factory {
        /**
         * A doorbell on I/O port {@code port}, claimed on the port bus (so the I/O bitmap grants
         * it) in the name of {@code owner}, whose name an IN from the port is reported under.
         */
        KernelDoorbell claim(int port, String owner);
    }
}
