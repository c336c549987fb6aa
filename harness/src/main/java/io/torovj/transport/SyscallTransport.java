package io.torovj.transport;

/**
 * How a guest's system calls reach the monitor. One implementation per mechanism (I/O-port
 * exit, MMIO exit, shared-memory ring, ...), each with a guest half in C registered under its
 * provider's name ({@link TransportProvider}). The monitor's run loop knows nothing
 * transport-specific: a transport claims doorbells on the buses in {@link #attach}, may start
 * threads in {@link #start}, and executes system calls through {@link TransportContext#executor()}.
 *
 * <p>Life cycle, all on the VM's builder/vCPU thread: attach (before the guest runs) → start
 * (just before the first KVM_RUN) → close (after the vCPU stopped; must stop every thread it
 * started and never touch guest memory afterwards).
 */
public interface SyscallTransport extends AutoCloseable {

    /** Lays out shared structures, fills the boot information, claims ports or MMIO ranges. */
    void attach(TransportContext context);

    /** Called once just before the vCPU first enters the guest. */
    default void start() {}

    /**
     * What the transport counted in this VM (e.g. aring's poller sleeps), by name; read once the
     * transport has closed. Empty by default.
     */
    default java.util.Map<String, Long> counters() { return java.util.Map.of(); }

    /** Stops whatever {@link #start} started. Idempotent. */
    @Override
    void close();
}
