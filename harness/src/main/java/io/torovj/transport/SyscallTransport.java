package io.torovj.transport;

/**
 * How a guest's system calls reach the monitor. One implementation per mechanism (I/O-port
 * exit, MMIO exit, shared-memory ring, ...), each with a guest half in C registered under its
 * provider's name ({@link TransportProvider}). The monitor's run loop knows nothing
 * transport-specific: a transport claims doorbells on the buses in {@link #attach}, may start
 * threads in {@link #start}, and executes system calls through {@link TransportContext#executor()}.
 *
 * <p>Life cycle, all on the VM's builder/vCPU thread: attach (before the guest runs), then per
 * run start (just before the run's first KVM_RUN) and stop (after the vCPU stopped; whatever
 * start started no longer touches guest memory), then close (releases everything). A one-shot
 * VM runs once; a pooled VM runs again after a reset has returned guest memory to its state at
 * the end of the build, so start must bring the transport's host-side state (cursors, sequence
 * numbers, counters) back to what attach left.
 */
public interface SyscallTransport extends AutoCloseable {

    /** Lays out shared structures, fills the boot information, claims ports or MMIO ranges. */
    void attach(TransportContext context);

    /** Called just before the vCPU enters the guest for a run. */
    default void start() {}

    /** Ends the run: whatever {@link #start} started is stopped (a poller parks). Idempotent. */
    default void stop() {}

    /**
     * What the transport counted in this run (e.g. aring's poller sleeps), by name; read once the
     * run has stopped. Empty by default.
     */
    default java.util.Map<String, Long> counters() { return java.util.Map.of(); }

    /** Stops whatever {@link #start} started and releases the rest. Idempotent. */
    @Override
    void close();
}
