package io.torovj.bench;

import io.torovj.report.MetricRow;
import io.torovj.report.ResultsSchema;
import io.torovj.vmm.VmResult;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The price of polling: the think workload (K getppid calls, a fixed think time of guest computation between two
 * calls) at each think time of {@link ResultsSchema#THINK_TIMES_NS}, per transport and natively. Per point: the
 * per-call latency percentiles (each call timed alone, think time excluded) and the host CPU time per call over the
 * whole run. What that CPU time holds is said in {@link ResultsSchema} ("Think time"): the think time itself is in
 * it for every transport and native alike (the vCPU thread, or the native process, runs it), so a transport's cost
 * is its excess over native at the same think time.
 */
final class ThinkTimeRuns {
    /** The guest program (workloads/src/main/guest/think.c). */
    static final String PROGRAM = "think";
    /** The transports measured, when registered: the exit-based pio against the polling ones. */
    static final List<String> TRANSPORTS = List.of("pio", "ring", "aring", "line");
    /** Fewest calls per point: enough for a p99 at the 1 ms think time. */
    static final long MIN_CALLS = 200;
    /**
     * Most calls per point: bounds a cheap native point (and stays within the native runtime's 1 Mi samples, so
     * that every native call is sampled and counted); a VM's samples kept are capped by {@link #MAX_SAMPLES}.
     */
    static final long MAX_CALLS = 1_000_000;
    /** Most latency samples kept per VM point (1.6 MB of guest memory); later calls are counted, not sampled. */
    static final int MAX_SAMPLES = 200_000;

    private final LatencyRecorder latency;
    private final GuestLauncher launcher;
    private final long pointNanos;

    ThinkTimeRuns(LatencyRecorder latency, GuestLauncher launcher, long pointMillis) {
        this.latency = latency;
        this.launcher = launcher;
        this.pointNanos = pointMillis * 1_000_000L;
    }

    /**
     * Calls per point: about {@code pointNanos} of run time at {@code callNanos} per call (the transport's
     * nullcall median in this run) plus the think time, within [{@link #MIN_CALLS}, {@link #MAX_CALLS}].
     */
    static long calls(long pointNanos, long thinkNanos, double callNanos) {
        double perCall = thinkNanos + Math.max(callNanos, 1);
        return Math.max(MIN_CALLS, Math.min(MAX_CALLS, Math.round(pointNanos / perCall)));
    }

    /** What one point measured: its rows, and a line for the bench's log. */
    record Point(List<MetricRow> rows, long calls, double p50Nanos, double cpuPerCallNanos) {
    }

    /**
     * Runs the think workload for {@code calls} calls with {@code thinkNanos} between calls under {@code transport},
     * or until 1.5 × the point's time has passed, whichever comes first: where calls are far slower than their
     * median says (a loaded host, a poller that shares a core with the vCPU), the run stops early. The calls made
     * are counted from the samples the guest recorded, one per call.
     */
    Point measure(String transport, long thinkNanos, long calls) throws Exception {
        String workload = ResultsSchema.thinkWorkload(thinkNanos);
        String[] args = {Long.toString(calls), Long.toString(thinkNanos), Long.toString(Math.round(latency.tscHz())),
                Long.toString(pointNanos * 3 / 2)};
        long made;
        Histogram h;
        double cpuNanos;
        if (transport.equals(GuestLauncher.NATIVE)) {
            NativeUsage.Sampled sampled = NativeUsage.sampled(latency, PROGRAM, args);
            h = sampled.latency();
            made = h.getTotalCount();
            cpuNanos = sampled.usage().cpuNanos();
        } else {
            long cpu0 = BenchMain.processCpuNanos();
            VmResult r = launcher.vm(transport, (int) Math.min(calls, MAX_SAMPLES), PROGRAM, args);
            cpuNanos = BenchMain.processCpuNanos() - cpu0;
            h = latency.fromCycles(r.latencyCycles());
            made = r.latencyCycles().length + r.latencyDropped();
        }
        made = Math.max(1, made);
        List<MetricRow> rows = new ArrayList<>(LatencyRecorder.percentileRows(workload, transport, h));
        double cpuPerCall = cpuNanos / made;
        rows.add(MetricRow.mean(workload, transport, ResultsSchema.CPU_PER_CALL, cpuPerCall, null, ResultsSchema.UNIT_NS, made));
        return new Point(rows, made, h.getValueAtPercentile(50), cpuPerCall);
    }
}
