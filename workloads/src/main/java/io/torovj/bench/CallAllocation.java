package io.torovj.bench;

import io.torovj.report.ResultsSchema;
import java.lang.management.ManagementFactory;

/**
 * JVM heap bytes one forwarded syscall allocates, without the VM's set-up and teardown: the
 * difference between a VM making {@link #LARGE} calls and one making {@link #SMALL}, divided by
 * the calls between them. JMH's GC profiler cannot give this: each of its invocations builds,
 * runs and closes a VM (about 120 KiB, most of it the syscall layer's and the loader's set-up),
 * so its bytes per call are that per-VM cost divided by the invocation's calls, whatever the
 * call path does. Counted over every thread of this JVM, ended ones included (the pollers of
 * closed VMs), as JMH counts; the least of {@link #REPEATS} runs of each size, so that a JIT
 * compilation or a lazy initialisation in one run does not count. Run after the workload's
 * latency run in the same JVM, which is its warm-up.
 */
final class CallAllocation {
    static final int SMALL = ResultsSchema.ALLOC_SMALL_CALLS, LARGE = ResultsSchema.ALLOC_LARGE_CALLS,
            REPEATS = ResultsSchema.ALLOC_REPEATS;

    /** One workload's figures: bytes per call (the marginal) and bytes per VM of {@link #SMALL} calls. */
    record Bytes(double perCall, long perVm) {}

    private final GuestLauncher launcher;
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    CallAllocation(GuestLauncher launcher) {
        this.launcher = launcher;
    }

    /**
     * Measures {@code program} over {@code transport}; {@code args} makes the arguments of a run
     * of {@code calls} syscalls (e.g. mmap's pair count is half of them).
     */
    Bytes measure(String transport, String program, java.util.function.IntFunction<String[]> args) {
        // no warm-up of its own: the bench measured this workload over this transport in this JVM just
        // before (class loading and JIT done); the least of the repeats drops a one-off
        long small = Long.MAX_VALUE, large = Long.MAX_VALUE;
        for (int i = 0; i < REPEATS; i++) {
            small = Math.min(small, allocatedBy(transport, program, args.apply(SMALL)));
            large = Math.min(large, allocatedBy(transport, program, args.apply(LARGE)));
        }
        return new Bytes(Math.max(0, large - small) / (double) (LARGE - SMALL), small);
    }

    private long allocatedBy(String transport, String program, String[] args) {
        long before = threads.getTotalThreadAllocatedBytes();
        launcher.vm(transport, 0, program, args);
        return threads.getTotalThreadAllocatedBytes() - before;
    }
}
