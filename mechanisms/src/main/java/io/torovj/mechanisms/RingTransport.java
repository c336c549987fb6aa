package io.torovj.mechanisms;

import io.torovj.lifecycle.Ending;

import io.torovj.memory.GuestMemory;
import io.torovj.memory.GuestMemoryException;
import io.torovj.syscall.SyscallExecutor;
import io.torovj.transport.PortIoDevice;
import io.torovj.transport.SyscallTransport;
import io.torovj.transport.TransportContext;
import io.torovj.transport.TransportProvider;
import io.torovj.lifecycle.VmControl;

/**
 * Shared-memory rings with polling: no VM exit per syscall. The guest writes a submission
 * entry and publishes it by tagging it with its call number + 1, then spins on the completion
 * entry of the same slot until the monitor tags it alike; a host poller thread spins
 * ({@link Thread#onSpinWait()}) on the tag of the slot it serves next, executes each request
 * and publishes the completion. One cache line moves each way per call (no shared indices). The vCPU thread stays inside KVM_RUN the whole time; the
 * guest's exit stops the VM through {@link VmControl}, which kicks the vCPU out.
 *
 * <p>Layout at the transport area: {@link RingLayout}, mirrored by src/main/guest/ring.h. The
 * poller never sleeps, so it never sets the flags' POLLER_SLEEPING bit (see
 * {@link AdaptiveRingTransport} for the variant that does). The guest is hostile: the poller reads no
 * index the guest wrote (the slot is its own count of calls served), and a tag no guest following
 * ring.h writes ends the VM with a report ({@link RingServer}).
 */
public final class RingTransport implements SyscallTransport, PortIoDevice {
    private GuestMemory memory;
    private SyscallExecutor executor;
    private VmControl control;
    private long area;
    private final PollerThread poller = new PollerThread("torovj-ring-poller");
    /**
     * Idle spins between two yields of the CPU (~30-60 µs of PAUSEs; a power of two). Back-to-back
     * calls never wait that long, so they never yield; a long idle spell means the guest computes,
     * or its vCPU thread waits for the CPU this poller holds - on an oversubscribed host (2 cores,
     * other builds) a poller that never yields keeps its own guest off the CPU for whole time
     * slices, while aring's, which sleeps, does not. The poller still never sleeps: no doorbell.
     */
    static final int YIELD_EVERY_SPINS = 1024;

    private String name;

    @Override
    public void attach(TransportContext context) {
        name = context.transportName();
        memory = context.memory();
        executor = context.executor();
        control = context.control();
        area = RingLayout.format(context);
        // the doorbell of the adaptive variant; harmless here
        context.portBus().register(context.doorbellPort(), 1, this);
        context.bootInfo().setDoorbellPort(context.doorbellPort());
    }

    @Override
    public void start() {
        poller.start(this::poll);
    }

    /** The poller: serve the calls in order, each as soon as its SQE is tagged. Allocation-free. */
    private void poll() {
        RingServer server = new RingServer(memory, area, executor, control, name, poller::closing);
        try {
            long idleSpins = 0;
            for (;;) {
                int step = server.serveNext();
                if (step == RingServer.SERVED) {
                    idleSpins = 0;
                    continue;
                }
                if (step == RingServer.END) return;
                // checked only while idle: a call pending is served first, the stop a spin later
                if (poller.closing() || control.isStopped()) return;
                if ((++idleSpins & (YIELD_EVERY_SPINS - 1)) == 0) Thread.yield();
                else Thread.onSpinWait();
            }
        } catch (GuestMemoryException e) {
            server.corrupt(e.getMessage());
        } catch (RuntimeException e) {
            control.stop(Ending.MONITOR_ERROR, name + " poller failed: " + e);
        }
    }

    @Override
    public void out(int port, int size, long value) {
        // busy-polling ring: the poller never sleeps, so a doorbell needs no action
    }

    @Override
    public long in(int port, int size) {
        return VmControl.refuseDoorbellRead(control, name, port, size);
    }

    @Override
    public void stop() {
        poller.stop(name);
    }

    @Override
    public void close() {
        poller.close(name);
    }

    /** Registry entry. */
    public static final class Provider implements TransportProvider {
        @Override public String name() { return "ring"; }
        @Override public String description() { return "shared-memory rings of sequence-tagged slots (one cache line each way per call), host poller thread, no VM exit per syscall"; }
        @Override public Floor floor() { return Floor.CACHE_LINE_PING_PONG; }
        @Override public SyscallTransport create() { return new RingTransport(); }
    }
}
