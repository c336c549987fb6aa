package io.torovj.mechanisms;

import io.torovj.boot.BootInfo;
import io.torovj.boot.GuestLayout;
import io.torovj.lifecycle.Ending;
import io.torovj.lifecycle.VmControl;
import io.torovj.memory.GuestMemory;
import io.torovj.syscall.SyscallExecutor;
import io.torovj.transport.DeviceBus;
import io.torovj.transport.KernelDoorbell;
import io.torovj.transport.MmioDevice;
import io.torovj.transport.PortIoDevice;
import io.torovj.transport.TransportContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A ring transport's world without a VM: plain guest memory laid out as the VM lays it out
 * (boot info page, transport area), a fake {@link VmControl} that records how the VM was ended,
 * and the guest's side of the ring protocol (ring.h) written in Java.
 */
final class RingFixture implements AutoCloseable {
    /** The doorbell port the VM hands transports (VmBuilder.TRANSPORT_PORT). */
    static final int DOORBELL_PORT = 0x0100;

    final GuestMemory memory = GuestMemory.allocate(GuestLayout.MIN_RAM);
    final BootInfo bootInfo;
    final FakeControl control = new FakeControl();
    final DeviceBus<PortIoDevice> portBus = new DeviceBus<>("port");
    final DeviceBus<MmioDevice> mmioBus = new DeviceBus<>("mmio");
    /** The one kernel doorbell a transport may claim (aring's). */
    final CountingDoorbell doorbell = new CountingDoorbell();

    RingFixture(String transport) {
        bootInfo = BootInfo.create(memory, transport);
    }

    TransportContext context(String transport, SyscallExecutor executor, long transportAreaSize) {
        return context(transport, executor, transportAreaSize, Map.of());
    }

    TransportContext context(String transport, SyscallExecutor executor, Map<String, String> options) {
        return context(transport, executor, GuestLayout.TRANSPORT_AREA_SIZE, options);
    }

    TransportContext context(String transport, SyscallExecutor executor, long transportAreaSize,
                             Map<String, String> options) {
        KernelDoorbell.Factory doorbells = (port, owner, path) -> doorbell;
        return new TransportContext(transport, memory, bootInfo, portBus, mmioBus, executor, control, doorbells,
                new TransportContext.Slots(GuestLayout.requestBlock(0), GuestLayout.TRANSPORT_AREA, transportAreaSize,
                        GuestLayout.DEVICE_WINDOW, DOORBELL_PORT),
                options);
    }

    TransportContext context(String transport, SyscallExecutor executor) {
        return context(transport, executor, GuestLayout.TRANSPORT_AREA_SIZE);
    }

    /** Waits up to 10 s for {@code done} (checked every ms), else fails naming {@code what}. */
    static void await(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(1);
        }
    }

    // ---- the guest's side of ring.h, against the area RingLayout.format returned ----

    /** Writes nr and args into the SQE of call {@code index} (does not tag it). */
    void writeSqe(long area, long index, long nr, long... args) {
        if (args.length != 6) throw new IllegalArgumentException("six arguments");
        long e = RingLayout.sqe(area, index);
        memory.writeU64(e + RingLayout.SQE_OFF_NR, nr);
        for (int i = 0; i < 6; i++) memory.writeU64(e + RingLayout.SQE_OFF_ARGS + 8L * i, args[i]);
    }

    /** Tags the SQE of call {@code index}'s slot with {@code seq} (release): the guest's publication. */
    void tagSqe(long area, long index, long seq) {
        memory.setLongRelease(RingLayout.sqe(area, index) + RingLayout.SQE_OFF_SEQ, seq);
    }

    /** Submits call {@code index}: nr and args, then the tag index + 1. */
    void submit(long area, long index, long nr, long... args) {
        writeSqe(area, index, nr, args);
        tagSqe(area, index, index + 1);
    }

    long cqeSeq(long area, long index) {
        return memory.getLongAcquire(RingLayout.cqe(area, index) + RingLayout.CQE_OFF_SEQ);
    }

    long cqeRet(long area, long index) {
        return memory.readU64(RingLayout.cqe(area, index) + RingLayout.CQE_OFF_RET);
    }

    /** True once call {@code index} is completed (its CQE tagged index + 1). */
    boolean completed(long area, long index) {
        return cqeSeq(area, index) == index + 1;
    }

    @Override
    public void close() {
        memory.close();
    }

    /**
     * A kernel doorbell without a kernel: rings count until the next return from await, as an
     * eventfd's do. Allocation-free (a park, not a lock's queue node), so that the pollers' sleep
     * path can be checked for allocation.
     */
    static final class CountingDoorbell implements KernelDoorbell {
        private final java.util.concurrent.atomic.AtomicBoolean rung = new java.util.concurrent.atomic.AtomicBoolean();
        private volatile Thread waiter;

        @Override
        public void await() {
            waiter = Thread.currentThread();
            while (!rung.getAndSet(false)) java.util.concurrent.locks.LockSupport.park(this);
            waiter = null;
        }

        /** True while a poller waits in {@link #await}: it is asleep. */
        boolean waiting() {
            return waiter != null;
        }

        @Override
        public void ring() {
            rung.set(true);
            Thread w = waiter;
            if (w != null) java.util.concurrent.locks.LockSupport.unpark(w);
        }
    }

    /** One system call as the executor received it. */
    record Call(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {}

    /** A fake syscall layer: records every call and answers {@code result(nr, a0)}. */
    static final class RecordingExecutor implements SyscallExecutor {
        final List<Call> calls = new ArrayList<>();
        private final java.util.function.LongBinaryOperator result;

        RecordingExecutor(java.util.function.LongBinaryOperator result) {
            this.result = result;
        }

        @Override
        public synchronized long execute(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
            calls.add(new Call(nr, a0, a1, a2, a3, a4, a5));
            return result.applyAsLong(nr, a0);
        }

        synchronized List<Call> calls() { return List.copyOf(calls); }
    }

    /** A fake VM control: the first stop wins, as in the VM's. */
    static final class FakeControl implements VmControl {
        private volatile boolean stopped;
        volatile Ending ending;
        volatile String report;
        volatile int stops;

        @Override
        public synchronized void stop(Ending ending, String report) {
            stops++;
            if (stopped) return;
            this.ending = ending;
            this.report = report;
            stopped = true;
        }

        @Override
        public synchronized void exit(int status) {
            stop(Ending.EXITED, "exit " + status);
        }

        @Override
        public synchronized void fault(int signal, String report) {
            stop(Ending.FAULT, report);
        }

        @Override
        public boolean isStopped() { return stopped; }

        /** Asserts that the VM was stopped exactly once, with {@code expected} and {@code expectedReport}. */
        void assertEndedOnce(Ending expected, String expectedReport) {
            org.junit.jupiter.api.Assertions.assertTrue(stopped, "the VM is ended");
            org.junit.jupiter.api.Assertions.assertEquals(expected, ending);
            org.junit.jupiter.api.Assertions.assertEquals(expectedReport, report);
            org.junit.jupiter.api.Assertions.assertEquals(1, stops, "stopped once");
        }
    }
}
