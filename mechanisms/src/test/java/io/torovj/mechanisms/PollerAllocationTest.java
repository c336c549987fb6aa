package io.torovj.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.log.MonitorLog;
import io.torovj.policy.SyscallPolicy;
import io.torovj.syscall.ProcessSyscalls;
import io.torovj.syscall.SyscallDispatcher;
import io.torovj.transport.SyscallTransport;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The busy-polling transports' poller threads allocate nothing per call, the syscall layer
 * included: a real dispatcher (getppid performed on the host) behind the poller, this test as the
 * guest, and the poller thread's allocated bytes for 20,000 calls no larger (within noise) than
 * for 2,000 (the e2e CallPathAllocationTest checks every transport, vCPU and poller threads, in real VMs on both platforms).
 */
class PollerAllocationTest {
    private static final long GETPPID = 110;

    private final RingFixture f = new RingFixture("line");
    private final SyscallDispatcher dispatcher = new SyscallDispatcher(f.memory, SyscallPolicy.defaultPolicy(), f.control,
            new MonitorLog(new PrintStream(OutputStream.nullOutputStream())));
    private SyscallTransport transport;

    PollerAllocationTest() {
        new ProcessSyscalls(f.memory, f.control).registerWith(dispatcher);
    }

    @AfterEach
    void free() {
        if (transport != null) transport.close();
        f.close();
    }

    private static Thread poller(String name) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        for (;;) {
            for (Thread t : Thread.getAllStackTraces().keySet()) if (t.getName().equals(name)) return t;
            if (System.nanoTime() > deadline) throw new AssertionError("no thread " + name);
            Thread.sleep(1);
        }
    }

    /**
     * Makes {@code calls} getppid calls through {@code call} (the guest's side: one call, given its
     * 0-based number, returning the result) and returns what the poller allocated meanwhile.
     */
    private static long allocatedBy(Thread poller, int calls, long[] next, LongUnaryOperator call) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getThreadAllocatedBytes(poller.getId());
        long ppid = ProcessHandle.current().parent().orElseThrow().pid();
        for (int i = 0; i < calls; i++) {
            long ret = call.applyAsLong(next[0]++);
            if (ret != ppid) throw new AssertionError("call " + (next[0] - 1) + " returned " + ret);
        }
        long after = threads.getThreadAllocatedBytes(poller.getId());
        assertTrue(before >= 0 && after >= 0, "allocation measurement unsupported");
        return after - before;
    }

    private static void assertNoAllocationPerCall(Thread poller, LongUnaryOperator call) {
        long[] next = {0};
        for (int i = 0; i < 3; i++) allocatedBy(poller, 5_000, next, call);     // let the JIT settle
        long small = Long.MAX_VALUE, large = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            small = Math.min(small, allocatedBy(poller, 2_000, next, call));
            large = Math.min(large, allocatedBy(poller, 20_000, next, call));
        }
        double perCall = (double) (large - small) / 18_000;
        assertTrue(perCall < 1.0, String.format("%s: %.2f bytes allocated per call (2k calls: %d B, 20k calls: %d B)",
                poller.getName(), perCall, small, large));
    }

    /** Attaches and starts {@code t}, then makes calls through {@code call} (the guest's side) against its poller. */
    private void assertPollerAllocatesNothing(SyscallTransport t, String name, LongUnaryOperator call) throws Exception {
        assertPollerAllocatesNothing(t, name, call, java.util.Map.of());
    }

    private void assertPollerAllocatesNothing(SyscallTransport t, String name, LongUnaryOperator call,
                                              java.util.Map<String, String> options) throws Exception {
        transport = t;
        t.attach(f.context(name, dispatcher, options));
        t.start();
        assertNoAllocationPerCall(poller("torovj-" + name + "-poller"), call);
        assertFalse(f.control.isStopped(), f.control.report);
    }

    @Test
    void linePollerAllocatesNothingPerCall() throws Exception {
        long area = f.context("line", dispatcher).transportArea();
        assertPollerAllocatesNothing(new LineTransport(), "line", i -> {
            f.memory.writeU64(area + LineTransport.OFF_REQ_NR, GETPPID);
            f.memory.setLongRelease(area + LineTransport.OFF_REQ_SEQ, i + 1);
            while (f.memory.getLongAcquire(area + LineTransport.OFF_RESP_SEQ) != i + 1) Thread.onSpinWait();
            return f.memory.readU64(area + LineTransport.OFF_RESP_RET);
        });
    }

    /** The guest's side of ring.h: call i in its slot, then wait for its completion's tag. */
    private long ringCall(long area, long i) {
        f.submit(area, i, GETPPID, 0, 0, 0, 0, 0, 0);
        while (!f.completed(area, i)) Thread.onSpinWait();
        return f.cqeRet(area, i);
    }

    @Test
    void ringPollerAllocatesNothingPerCall() throws Exception {
        long area = f.context("ring", dispatcher).transportArea();
        assertPollerAllocatesNothing(new RingTransport(), "ring", i -> ringCall(area, i));
    }

    /** The guest's side of ring.h for aring: as {@link #ringCall}, ringing the doorbell if the poller sleeps (step 4). */
    private long aringCall(long area, long i) {
        f.submit(area, i, GETPPID, 0, 0, 0, 0, 0, 0);
        java.lang.invoke.VarHandle.fullFence();     // between the tag's store and the flags' load
        if ((f.memory.readU32(area + RingLayout.OFF_FLAGS) & RingLayout.FLAG_POLLER_SLEEPING) != 0) f.doorbell.ring();
        while (!f.completed(area, i)) Thread.onSpinWait();
        return f.cqeRet(area, i);
    }

    /** aring's poller serving back-to-back calls (the default spin budget outlasts the gaps). */
    @Test
    void aringPollerAllocatesNothingPerCall() throws Exception {
        long area = f.context("aring", dispatcher).transportArea();
        assertPollerAllocatesNothing(new AdaptiveRingTransport(), "aring", i -> aringCall(area, i));
    }

    /**
     * aring's poller sleeping and woken for every call (a zero spin budget): the sleep handshake
     * allocates nothing either.
     */
    @Test
    void aringPollerThatSleepsBetweenCallsAllocatesNothingPerCall() throws Exception {
        long area = f.context("aring", dispatcher).transportArea();
        assertPollerAllocatesNothing(new AdaptiveRingTransport(), "aring", i -> aringCall(area, i),
                java.util.Map.of(AdaptiveRingTransport.IDLE_SPIN_OPTION, "0"));
    }
}
