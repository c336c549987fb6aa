package io.torovj.bench;

import io.torovj.report.ResultsSchema;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.ToDoubleFunction;

/**
 * A transport's C floor measured in the seconds around the transport's own measurement, and, where
 * the measurement comes in rounds, between every two of them: floor, round 1, floor, round 2, ...,
 * floor (the nullcall's floor around each of its fresh VMs; the C VM lifecycle once before and once
 * after the cold VMs).
 *
 * <p>Why: on this kind of host both the floors and the monitor run in one of a few placements,
 * which the hypervisor below changes within seconds and between processes (measured in one run,
 * consecutive cfloor processes a second apart: the ring floor 260, 631, 300, 260 ns; the pio exit
 * floor 26.7, 27.8, 36.9, 28.4, 37.2 µs; the monitor's VMs alike). A floor taken minutes away, or one
 * mean of a before and an after, then sets a VM in one placement against floors in another: a ratio
 * of 0.74 or of 1.9 for the same code, and the p50s of either side spread over a continuum
 * between the placements (pio floors 26.2, 26.6, 26.8, 31.1, 31.3, 33.3, 34.7 µs in one bracket).
 * What the host adds is one-sided: interference only ever adds time. So, with a per-round p50, the
 * comparison is best against best ({@link #bestRatio}): the fastest round's p50 over the fastest
 * floor's, each the least disturbed of its side's draws (8 VMs, 9 floors: the same chances). It
 * decides only where each side's best is confirmed by a second draw within {@link #MAX_DRIFT} (a
 * lone best may be a rare state the other side never had a chance at: one mmio floor of 25.0 µs
 * among 33.7-37.3 µs ones, and VMs of 30.4-36.5 µs) and is at least {@link #MIN_BEST_RATIO} (below,
 * the floors missed a placement the transport met). Each round's own ratio to the floors right around it is kept for the
 * record. Without per-round p50s (the cold VMs: one round), the drift between the floor before
 * and after says whether the placement stayed put.
 *
 * @param floor      the headline floor's name (a {@code floor-c-*} part)
 * @param sides      the floor's measurements in order: before the first round, after each round (at least two)
 * @param pingBefore the host threads' cache-line ping-pong just before (the placement's signature), or null
 * @param pingAfter  the same just after, or null
 * @param attempts   how many brackets were measured (an undecided one is measured again)
 * @param stepsBefore the floor's own steps just before, as the tool gave them ({@link CFloorProbe.Result#steps}), or null
 * @param stepsAfter  the same just after, or null
 * @param roundP50s  each round's p50, in the floor's unit; empty where the measurement gives none
 */
record PairedFloor(String floor, List<CFloorProbe.Line> sides, CFloorProbe.Line pingBefore, CFloorProbe.Line pingAfter,
                   int attempts, String stepsBefore, String stepsAfter, List<Double> roundP50s) {
    /** A floor before and after one round whose p50s differ by more than this (relative): the placement moved. */
    static final double MAX_DRIFT = ResultsSchema.PAIRED_FLOOR_MAX_DRIFT;
    /**
     * A best ratio below this cannot be the transport's (it is never faster than its floor in one
     * placement, bar noise of a few per cent): the floors missed a placement it met.
     */
    static final double MIN_BEST_RATIO = ResultsSchema.MIN_BEST_RATIO;
    /** Brackets measured at most per transport; the last one is kept, its drift reported. */
    static final int MAX_ATTEMPTS = 3;

    PairedFloor {
        sides = List.copyOf(sides);
        roundP50s = List.copyOf(roundP50s);
        if (sides.size() < 2) throw new IllegalArgumentException("a bracket has a floor before and after: " + sides.size());
        if (!roundP50s.isEmpty() && roundP50s.size() != sides.size() - 1) {
            throw new IllegalArgumentException(roundP50s.size() + " round p50s for " + (sides.size() - 1) + " rounds");
        }
    }

    /** One round between two floors, no steps and no ratio (tests, and the arithmetic of a plain bracket). */
    PairedFloor(String floor, CFloorProbe.Line before, CFloorProbe.Line after, CFloorProbe.Line pingBefore,
                CFloorProbe.Line pingAfter, int attempts) {
        this(floor, List.of(before, after), pingBefore, pingAfter, attempts, null, null, List.of());
    }

    /** The floor just before the first round. */
    CFloorProbe.Line before() { return sides.get(0); }

    /** The floor just after the last round. */
    CFloorProbe.Line after() { return sides.get(sides.size() - 1); }

    int rounds() { return sides.size() - 1; }

    /** Round {@code r}'s drift: |after − before| ÷ the smaller, of the p50s of the floors around it. */
    double drift(int r) {
        return drift(sides.get(r).p50(), sides.get(r + 1).p50());
    }

    /** The largest drift of any round. */
    double drift() {
        double d = 0;
        for (int r = 0; r < rounds(); r++) d = Math.max(d, drift(r));
        return d;
    }

    static double drift(double a, double b) {
        double low = Math.min(a, b);
        return low > 0 ? Math.abs(a - b) / low : Double.POSITIVE_INFINITY;
    }

    /** Each floor's p50, in order. */
    List<Double> sideP50s() {
        return sides.stream().map(CFloorProbe.Line::p50).toList();
    }

    /** Round {@code r}'s p50 over the mean of the floors right before and right after it. */
    double roundRatio(int r) {
        double around = (sides.get(r).p50() + sides.get(r + 1).p50()) / 2;
        return around > 0 ? roundP50s.get(r) / around : Double.NaN;
    }

    /**
     * The transport over its floor, best against best: the fastest round's p50 over the fastest
     * floor's. NaN without per-round p50s.
     */
    double bestRatio() {
        if (roundP50s.isEmpty()) return Double.NaN;
        double round = roundP50s.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double floor = sideP50s().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        return floor > 0 ? round / floor : Double.NaN;
    }

    /** True if the second smallest of {@code values} is within {@link #MAX_DRIFT} of the smallest. */
    static boolean confirmed(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length >= 2 && v[1] <= v[0] * (1 + MAX_DRIFT);
    }

    /** Both sides' bests confirmed by a second draw (see {@link #confirmed}). */
    boolean bestsConfirmed() {
        return confirmed(roundP50s) && confirmed(sideP50s());
    }

    /**
     * The bracket decides: with per-round p50s, when both bests are {@link #bestsConfirmed} and the
     * {@link #bestRatio} is at least {@link #MIN_BEST_RATIO}; without, when its floors before and
     * after stayed within {@link #MAX_DRIFT}. An undecided bracket is measured again, up to
     * {@link #MAX_ATTEMPTS}.
     */
    boolean steady() {
        return roundP50s.isEmpty() ? drift() <= MAX_DRIFT : bestsConfirmed() && bestRatio() >= MIN_BEST_RATIO;
    }

    /** The floor as one row set: each percentile the mean over the sides, the samples of all. */
    CFloorProbe.Line combined() {
        double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
        long samples = 0;
        for (CFloorProbe.Line s : sides) {
            p50 += s.p50();
            p90 += s.p90();
            p99 += s.p99();
            p999 += s.p999();
            max = Math.max(max, s.max());
            samples += s.samples();
        }
        int n = sides.size();
        return new CFloorProbe.Line(floor, p50 / n, p90 / n, p99 / n, p999 / n, max, samples);
    }

    /** environment.json's record of it, under cfloor.paired.&lt;transport&gt; (or paired_lifecycle). */
    Map<String, Object> environment() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("floor", floor);
        m.put("before_p50_ns", before().p50());
        m.put("after_p50_ns", after().p50());
        m.put("drift", drift());
        m.put("attempts", attempts);
        if (rounds() > 1) m.put("sides_p50_ns", sideP50s());
        if (!roundP50s.isEmpty()) {
            m.put("round_p50_ns", roundP50s);
            List<Double> ratios = new ArrayList<>();
            for (int r = 0; r < rounds(); r++) ratios.add(roundRatio(r));
            m.put("round_ratios", ratios);
            m.put("best_ratio", bestRatio());
            m.put("bests_confirmed", bestsConfirmed());
            m.put("decided", steady());
        }
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

    /** The pair of two sides, one round. */
    static PairedFloor of(String floor, Side before, Side after, int attempts) {
        return of(floor, List.of(before, after), attempts, List.of());
    }

    private static PairedFloor of(String floor, List<Side> sides, int attempts, List<Double> roundP50s) {
        Side first = sides.get(0), last = sides.get(sides.size() - 1);
        return new PairedFloor(floor, sides.stream().map(Side::floor).toList(), first.pingPong(), last.pingPong(), attempts,
                first.steps(), last.steps(), roundP50s);
    }

    /** One side of a bracket: the floor measured once. */
    interface FloorSide {
        Side measure() throws IOException, InterruptedException;
    }

    /** What a bracket times between its two floors; run again, from scratch, when they drift apart. */
    interface Measurement<T> {
        T run() throws Exception;
    }

    /** One round of a measurement in rounds ({@code round} from 0). */
    interface Round<T> {
        T run(int round) throws Exception;
    }

    /**
     * A bracket's outcome: the last measurement, and the floors around it, or, where the first
     * floor could not be measured at all, none and why ({@code unmeasured}).
     */
    record Bracketed<T>(T measured, PairedFloor pair, String unmeasured) {}

    /** {@link #interleaved} with one round and no ratio: the floor, {@code measurement}, the floor. */
    static <T> Bracketed<T> bracket(String floor, FloorSide side, Measurement<T> measurement,
                                    BiConsumer<PairedFloor, Boolean> progress) throws Exception {
        Bracketed<List<T>> b = interleaved(floor, side, 1, r -> measurement.run(), null, progress);
        return new Bracketed<>(b.measured().get(0), b.pair(), b.unmeasured());
    }

    /**
     * The floor, then each of {@code rounds} rounds followed by the floor again; while the bracket
     * does not decide ({@link #steady}), all of it again, up to {@link #MAX_ATTEMPTS} brackets, the
     * last kept. {@code p50} (may be null) gives a round's median in the floor's unit. A floor that
     * cannot be measured before the first round leaves the rounds unbracketed (run once, no pair);
     * one that fails before a later attempt keeps the bracket measured. {@code progress} gets each
     * bracket's pair and whether another follows.
     */
    static <T> Bracketed<List<T>> interleaved(String floor, FloorSide side, int rounds, Round<T> round,
                                              ToDoubleFunction<T> p50, BiConsumer<PairedFloor, Boolean> progress)
            throws Exception {
        if (rounds < 1) throw new IllegalArgumentException("a bracket of " + rounds + " rounds");
        List<T> measured = null;
        PairedFloor pair = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS && (pair == null || !pair.steady()); attempt++) {
            Side first;
            try {
                first = side.measure();
            } catch (IllegalStateException e) {
                if (pair != null) break;
                List<T> alone = new ArrayList<>();
                for (int r = 0; r < rounds; r++) alone.add(round.run(r));
                return new Bracketed<>(alone, null, e.getMessage());
            }
            List<Side> sides = new ArrayList<>(List.of(first));
            measured = new ArrayList<>();
            List<Double> p50s = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                T t = round.run(r);
                measured.add(t);
                if (p50 != null) p50s.add(p50.applyAsDouble(t));
                sides.add(side.measure());
            }
            pair = of(floor, sides, attempt, p50s);
            progress.accept(pair, !pair.steady() && attempt < MAX_ATTEMPTS);
        }
        return new Bracketed<>(measured, pair, null);
    }
}
