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
        transport = t;
        t.attach(f.context(name, dispatcher));
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

    @Test
    void ringPollerAllocatesNothingPerCall() throws Exception {
        long area = f.context("ring", dispatcher).transportArea();
        assertPollerAllocatesNothing(new RingTransport(), "ring", i -> {
            f.writeSqe(area, i, i, GETPPID, 0, 0, 0, 0, 0, 0);
            f.setSqTail(area, i + 1);
            while (f.cqTail(area) != i + 1) Thread.onSpinWait();
            long ret = f.memory.readU64(RingFixture.cqe(area, i) + 8);
            assertEquals(i, f.memory.readU64(RingFixture.cqe(area, i)), "user_data");
            f.setCqHead(area, i + 1);
            return ret;
        });
    }
}
