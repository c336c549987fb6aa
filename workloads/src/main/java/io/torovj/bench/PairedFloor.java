package io.torovj.bench;

import io.torovj.report.ResultsSchema;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A transport's C floor measured in the seconds around the transport's own measurement: once right
 * before and once right after it (its nullcall's floor around the nullcall, the C VM lifecycle
 * around its cold VMs). On this kind of host the floors move between minutes: where the
 * hypervisor below places the machine's two vCPUs decides what a cache line costs to move (seen here:
 * 120 ns and 500 ns for the same ping-pong, an hour apart), and an exit's cost moves with the host's
 * load. A floor taken minutes away from the transport can then make a transport look faster than its
 * floor, or far slower. The ratio to a bracketing floor compares like with like; the drift between the
 * two says whether the placement stayed put during the measurement.
 *
 * @param floor    the headline floor's name (a {@code floor-c-*} part)
 * @param before   the floor just before the transport's measurement
 * @param after    the floor just after it
 * @param pingBefore the host threads' cache-line ping-pong just before (the placement's signature), or null
 * @param pingAfter  the same just after, or null
 * @param attempts how many brackets were measured (a drifting one is measured again, see {@link #MAX_DRIFT})
 * @param stepsBefore the floor's own steps just before, as the tool gave them ({@link CFloorProbe.Result#steps}), or null
 * @param stepsAfter  the same just after, or null
 */
record PairedFloor(String floor, CFloorProbe.Line before, CFloorProbe.Line after, CFloorProbe.Line pingBefore,
                   CFloorProbe.Line pingAfter, int attempts, String stepsBefore, String stepsAfter) {
    /** A pair whose floor tells no steps. */
    PairedFloor(String floor, CFloorProbe.Line before, CFloorProbe.Line after, CFloorProbe.Line pingBefore,
                CFloorProbe.Line pingAfter, int attempts) {
        this(floor, before, after, pingBefore, pingAfter, attempts, null, null);
    }

    /** A bracket whose two floors differ by more than this (relative to the smaller) is measured again. */
    static final double MAX_DRIFT = ResultsSchema.PAIRED_FLOOR_MAX_DRIFT;
    /** Brackets measured at most per transport; the last one is kept, its drift reported. */
    static final int MAX_ATTEMPTS = 3;

    /** |after − before| ÷ the smaller, of the p50s. */
    double drift() {
        return drift(before.p50(), after.p50());
    }

    static double drift(double a, double b) {
        double low = Math.min(a, b);
        return low > 0 ? Math.abs(a - b) / low : Double.POSITIVE_INFINITY;
    }

    boolean steady() {
        return drift() <= MAX_DRIFT;
    }

    /** The floor as one row set: each percentile the mean of the two, the samples of both. */
    CFloorProbe.Line combined() {
        return new CFloorProbe.Line(floor, mean(before.p50(), after.p50()), mean(before.p90(), after.p90()),
                mean(before.p99(), after.p99()), mean(before.p999(), after.p999()), Math.max(before.max(), after.max()),
                before.samples() + after.samples());
    }

    private static double mean(double a, double b) {
        return (a + b) / 2;
    }

    /** environment.json's record of it, under cfloor.paired.&lt;transport&gt;. */
    Map<String, Object> environment() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("floor", floor);
        m.put("before_p50_ns", before.p50());
        m.put("after_p50_ns", after.p50());
        m.put("drift", drift());
        m.put("attempts", attempts);
        if (pingBefore != null && pingAfter != null) {
            m.put("pingpong_before_p50_ns", pingBefore.p50());
            m.put("pingpong_after_p50_ns", pingAfter.p50());
        }
        if (stepsBefore != null) m.put("steps_before", stepsBefore);
        if (stepsAfter != null) m.put("steps_after", stepsAfter);
        return m;
    }

    /** The parts one bracket side measures: the floor, and the thread ping-pong beside a cache-line floor. */
    static List<String> parts(String floor) {
        return floor.equals(ResultsSchema.C_FLOOR_RING_1LINE_GETPPID) || floor.equals(ResultsSchema.C_FLOOR_RING_1LINE)
                ? List.of(ResultsSchema.C_FLOOR_PINGPONG, floor) : List.of(floor);
    }

    /** What one side of a bracket measures, with {@link CFloorProbe#runOnly}; {@code steps} may be null. */
    record Side(CFloorProbe.Line floor, CFloorProbe.Line pingPong, String steps) {}

    /**
     * Measures one side: {@code calls} samples for a per-call floor, {@code exits} for an exit floor,
     * {@code vms} for the VM lifecycle.
     */
    static Side measure(String floor, int calls, int exits, int vms, int partMillis) throws IOException, InterruptedException {
        CFloorProbe.Result r = CFloorProbe.runOnly(parts(floor), calls, exits, vms, partMillis);
        return new Side(r.line(floor), r.line(ResultsSchema.C_FLOOR_PINGPONG), r.steps(floor));
    }

    /** The pair of two sides. */
    static PairedFloor of(String floor, Side before, Side after, int attempts) {
        return new PairedFloor(floor, before.floor(), after.floor(), before.pingPong(), after.pingPong(), attempts,
                before.steps(), after.steps());
    }

    /** One side of a bracket: the floor measured once. */
    interface FloorSide {
        Side measure() throws IOException, InterruptedException;
    }

    /** What a bracket times between its two floors; run again, from scratch, when they drift apart. */
    interface Measurement<T> {
        T run() throws Exception;
    }

    /**
     * A bracket's outcome: the last measurement, and the floors around it, or, where the first
     * floor could not be measured at all, none and why ({@code unmeasured}).
     */
    record Bracketed<T>(T measured, PairedFloor pair, String unmeasured) {}

    /**
     * The floor, then {@code measurement}, then the floor again; while the two floors drift apart
     * by more than {@link #MAX_DRIFT}, all three again, up to {@link #MAX_ATTEMPTS} brackets, the
     * last kept (its drift reported). A floor that cannot be measured before the first measurement
     * leaves it unbracketed; one that fails before a later attempt keeps the bracket measured.
     * {@code progress} gets each bracket's pair and whether another follows.
     */
    static <T> Bracketed<T> bracket(String floor, FloorSide side, Measurement<T> measurement,
                                    BiConsumer<PairedFloor, Boolean> progress) throws Exception {
        T measured = null;
        PairedFloor pair = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS && (pair == null || !pair.steady()); attempt++) {
            Side before;
            try {
                before = side.measure();
            } catch (IllegalStateException e) {
                if (pair != null) break;
                return new Bracketed<>(measurement.run(), null, e.getMessage());
            }
            measured = measurement.run();
            pair = of(floor, before, side.measure(), attempt);
            progress.accept(pair, !pair.steady() && attempt < MAX_ATTEMPTS);
        }
        return new Bracketed<>(measured, pair, null);
    }
}
