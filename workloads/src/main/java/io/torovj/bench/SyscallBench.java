package io.torovj.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * Per-syscall cost: each invocation runs a workload that makes {@link #CALLS} timed syscalls
 * (getppid; 64-byte writes to /dev/null; mmap+munmap pairs) under a transport or natively, so
 * the score is nanoseconds per syscall including the VM's (or process's) start-up amortized
 * over {@link #CALLS} calls. The per-call distribution, without that start-up, comes from the
 * workloads' own rdtsc samples (see {@link LatencyRecorder}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SyscallBench {
    /** Syscalls per invocation. */
    public static final int CALLS = 20_000;

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public int nullcall(TransportState state) { return state.run("nullcall", Integer.toString(CALLS)); }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public int write(TransportState state) { return state.run("write", Integer.toString(CALLS), "64"); }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public int mmap(TransportState state) { return state.run("mmap", Integer.toString(CALLS / 2), "16"); }
}
