package io.torovj.mechanisms;

import io.torovj.memory.GuestMemory;
import io.torovj.memory.GuestMemoryException;
import io.torovj.syscall.SyscallDispatcher;
import io.torovj.transport.PortIoDevice;
import io.torovj.transport.SyscallTransport;
import io.torovj.transport.TransportContext;
import io.torovj.transport.TransportProvider;
import io.torovj.transport.VmControl;

/**
 * Shared-memory rings with polling: no VM exit per syscall. The guest writes a submission
 * entry, publishes it with a release store of sq_tail and spins on cq_tail with acquire loads;
 * a host poller thread spins ({@link Thread#onSpinWait()}) on sq_tail, executes each request
 * and publishes the completion. The vCPU thread stays inside KVM_RUN the whole time; the
 * guest's exit stops the VM through {@link VmControl}, which kicks the vCPU out.
 *
 * <p>Layout at the transport area, mirrored by src/main/guest/ring.h:
 * header {sq_entries u32 @0, cq_entries u32 @4, sqe_offset u32 @8, cqe_offset u32 @12,
 * sq_tail u64 @64, sq_head u64 @128, cq_tail u64 @192, cq_head u64 @256, flags u32 @320},
 * SQE (64 B) {user_data @0, nr @8, args[6] @16}, CQE (16 B) {user_data @0, ret @8}. Indices are
 * free-running; each sits in its own cache line. The guest is hostile: every index it writes
 * is checked, and an impossible one ends the VM with a report.
 */
public final class RingTransport implements SyscallTransport, PortIoDevice {
    static final int ENTRIES = 64;
    static final int OFF_SQ_ENTRIES = 0, OFF_CQ_ENTRIES = 4, OFF_SQE = 8, OFF_CQE = 12;
    static final int OFF_SQ_TAIL = 64, OFF_SQ_HEAD = 128, OFF_CQ_TAIL = 192, OFF_CQ_HEAD = 256, OFF_FLAGS = 320;
    static final int SQE_SIZE = 64, CQE_SIZE = 16;
    static final int SQE_ARRAY = 512, CQE_ARRAY = SQE_ARRAY + ENTRIES * SQE_SIZE;
    static final int AREA_BYTES = CQE_ARRAY + ENTRIES * CQE_SIZE;
    /** flags bit 0: the poller sleeps and wants the doorbell (never set by this busy-polling ring). */
    static final int FLAG_POLLER_SLEEPING = 1;

    private GuestMemory memory;
    private SyscallDispatcher dispatcher;
    private VmControl control;
    private long area;
    private Thread poller;
    private volatile boolean closing;

    @Override
    public String name() { return "ring"; }

    @Override
    public void attach(TransportContext context) {
        if (context.transportAreaSize() < AREA_BYTES) throw new IllegalStateException("transport area too small for the ring");
        memory = context.memory();
        dispatcher = context.dispatcher();
        control = context.control();
        area = context.transportArea();
        memory.fill(area, AREA_BYTES, (byte) 0);
        memory.writeU32(area + OFF_SQ_ENTRIES, ENTRIES);
        memory.writeU32(area + OFF_CQ_ENTRIES, ENTRIES);
        memory.writeU32(area + OFF_SQE, SQE_ARRAY);
        memory.writeU32(area + OFF_CQE, CQE_ARRAY);
        context.bootInfo().setTransportArea(area, AREA_BYTES);
        // the doorbell of the adaptive variant; harmless here
        context.portBus().register(context.doorbellPort(), 1, this);
        context.bootInfo().setDoorbellPort(context.doorbellPort());
    }

    @Override
    public void start() {
        poller = new Thread(this::poll, "torovj-ring-poller");
        poller.setDaemon(true);
        poller.start();
    }

    /** The poller: consume submissions in order, complete each before the next. Allocation-free. */
    private void poll() {
        final long mask = ENTRIES - 1;
        long sqHead = 0, cqTail = 0;
        try {
            while (!closing && !control.isStopped()) {
                long sqTail = memory.getLongAcquire(area + OFF_SQ_TAIL);
                if (sqTail == sqHead) {
                    Thread.onSpinWait();
                    continue;
                }
                if (sqTail - sqHead < 0 || sqTail - sqHead > ENTRIES) {
                    corrupt(String.format("sq_tail=%d with sq_head=%d and %d entries", sqTail, sqHead, ENTRIES));
                    return;
                }
                long sqe = area + SQE_ARRAY + (sqHead & mask) * SQE_SIZE;
                long userData = memory.readU64(sqe);
                long ret = dispatcher.dispatch(memory.readU64(sqe + 8), memory.readU64(sqe + 16), memory.readU64(sqe + 24),
                        memory.readU64(sqe + 32), memory.readU64(sqe + 40), memory.readU64(sqe + 48), memory.readU64(sqe + 56));
                sqHead++;
                memory.setLongRelease(area + OFF_SQ_HEAD, sqHead);
                for (;;) {
                    long cqHead = memory.getLongAcquire(area + OFF_CQ_HEAD);
                    long used = cqTail - cqHead;
                    if (used < 0 || used > ENTRIES) {
                        // consumed completions never produced, or moved back: waiting would never end
                        corrupt(String.format("cq_head=%d with cq_tail=%d and %d entries", cqHead, cqTail, ENTRIES));
                        return;
                    }
                    if (used < ENTRIES) break;
                    if (closing || control.isStopped()) return;
                    Thread.onSpinWait();    // the guest has not consumed its completions yet
                }
                long cqe = area + CQE_ARRAY + (cqTail & mask) * CQE_SIZE;
                memory.writeU64(cqe, userData);
                memory.writeU64(cqe + 8, ret);
                cqTail++;
                memory.setLongRelease(area + OFF_CQ_TAIL, cqTail);
            }
        } catch (GuestMemoryException e) {
            corrupt(e.getMessage());
        } catch (RuntimeException e) {
            control.stop(VmControl.Ending.MONITOR_ERROR, 70, "ring poller failed: " + e);
        }
    }

    private void corrupt(String what) {
        control.stop(VmControl.Ending.UNEXPECTED_EXIT, 134, "ring transport: corrupt ring from the guest: " + what);
    }

    @Override
    public void out(int port, int size, long value) {
        // busy-polling ring: the poller never sleeps, so a doorbell needs no action
    }

    @Override
    public long in(int port, int size) {
        // the doorbell is write-only: end the VM rather than hand the guest a made-up value
        control.stop(VmControl.Ending.UNEXPECTED_EXIT, 134, String.format(
                "ring transport: bad doorbell access: %d-byte IN from port 0x%x (the doorbell is write-only)", size, port));
        return 0;
    }

    @Override
    public void close() {
        closing = true;
        Thread t = poller;
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Registry entry. */
    public static final class Provider implements TransportProvider {
        @Override public String name() { return "ring"; }
        @Override public String description() { return "shared-memory SQ/CQ rings, host poller thread, no VM exit per syscall"; }
        @Override public SyscallTransport create() { return new RingTransport(); }
    }
}
