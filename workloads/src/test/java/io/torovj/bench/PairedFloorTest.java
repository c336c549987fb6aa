package io.torovj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.kvm.Kvm;
import io.torovj.report.ResultsSchema;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The floor measured around a transport's nullcall: the bracket's arithmetic, and cfloor --only for real. */
class PairedFloorTest {
    private static CFloorProbe.Line line(String name, double p50, long samples) {
        return new CFloorProbe.Line(name, p50, p50 * 1.1, p50 * 2, p50 * 3, p50 * 10, samples);
    }

    @Test
    void theFloorIsTheMeanOfBothSidesAndItsDriftIsRelativeToTheSmaller() {
        String f = ResultsSchema.C_FLOOR_RING_1LINE_GETPPID;
        PairedFloor p = new PairedFloor(f, line(f, 300, 1000), line(f, 360, 900), null, null, 1);
        assertEquals(0.2, p.drift(), 1e-12);
        assertFalse(p.steady(), "20% apart is more than " + PairedFloor.MAX_DRIFT);
        CFloorProbe.Line c = p.combined();
        assertEquals(330, c.p50(), 1e-9);
        assertEquals(660, c.p99(), 1e-9);
        assertEquals(3600, c.max(), 1e-9, "the max of both");
        assertEquals(1900, c.samples());
        assertEquals(f, c.name());
        assertTrue(new PairedFloor(f, line(f, 300, 1), line(f, 330, 1), null, null, 2).steady());
        assertEquals(Double.POSITIVE_INFINITY, PairedFloor.drift(0, 5));
        assertFalse(p.environment().containsKey("pingpong_before_p50_ns"), "no ping-pong measured, none written");
    }

    /** A floor side that gives the p50s listed, one per measurement, and fails past them. */
    private static PairedFloor.FloorSide sides(String floor, double... p50s) {
        int[] next = {0};
        return () -> {
            if (next[0] == p50s.length) throw new IllegalStateException("cfloor failed");
            return new PairedFloor.Side(line(floor, p50s[next[0]++], 100), null, null);
        };
    }

    @Test
    void aSteadyBracketMeasuresOnceADriftingOneAgainUpToTheLimitKeepingTheLast() throws Exception {
        String f = ResultsSchema.C_FLOOR_VM_LIFECYCLE;
        List<String> progress = new java.util.ArrayList<>();
        int[] runs = {0};
        var steady = PairedFloor.bracket(f, sides(f, 500, 520), () -> ++runs[0],
                (p, again) -> progress.add(p.attempts() + ":" + again));
        assertEquals(1, steady.measured());
        assertEquals(1, steady.pair().attempts());
        assertEquals(List.of("1:false"), progress);
        assertNull(steady.unmeasured());

        progress.clear();
        runs[0] = 0;
        var drifting = PairedFloor.bracket(f, sides(f, 500, 700, 500, 800, 600, 900), () -> ++runs[0],
                (p, again) -> progress.add(p.attempts() + ":" + again));
        assertEquals(PairedFloor.MAX_ATTEMPTS, drifting.measured(), "measured once per bracket, the last kept");
        assertEquals(PairedFloor.MAX_ATTEMPTS, drifting.pair().attempts());
        assertEquals(600, drifting.pair().before().p50());
        assertEquals(900, drifting.pair().after().p50());
        assertEquals(List.of("1:true", "2:true", "3:false"), progress);

        progress.clear();
        runs[0] = 0;
        var steadiedOnTheSecond = PairedFloor.bracket(f, sides(f, 500, 700, 500, 510), () -> ++runs[0], (p, again) -> {});
        assertEquals(2, steadiedOnTheSecond.measured());
        assertTrue(steadiedOnTheSecond.pair().steady());
    }

    @Test
    void theTransportIsSetAgainstItsFloorBestAgainstBest() throws Exception {
        String f = ResultsSchema.C_FLOOR_PIO_EXIT_GETPPID;
        // both sides spread between a fast (~27 µs) and a slow (~37 µs) placement, as measured here
        double[] vmP50 = {27_535, 27_039, 27_071, 35_423, 31_759, 37_503, 35_711, 27_343};
        List<Integer> ran = new java.util.ArrayList<>();
        var b = PairedFloor.interleaved(f, sides(f, 34_702, 26_590, 34_151, 33_320, 31_146, 31_257, 26_219, 26_810, 26_810), 8,
                r -> {
                    ran.add(r);
                    return vmP50[r];
                }, x -> x, (p, again) -> {});
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), ran, "each round once, in order");
        PairedFloor p = b.pair();
        assertEquals(8, p.rounds());
        assertEquals(34_702, p.before().p50());
        assertEquals(26_810, p.after().p50());
        assertEquals(27_535 / ((34_702 + 26_590) / 2.0), p.roundRatio(0), 1e-12, "a round against the floors right around it");
        assertEquals(27_039 / 26_219.0, p.bestRatio(), 1e-12, "the fastest VM over the fastest floor");
        assertTrue(p.steady());
        assertEquals(8, p.roundP50s().size());
        var env = p.environment();
        assertEquals(9, ((List<?>) env.get("sides_p50_ns")).size());
        assertEquals(p.bestRatio(), (double) env.get("best_ratio"), 1e-12);
        assertEquals(true, env.get("decided"));
        assertEquals(8, ((List<?>) env.get("round_ratios")).size());
    }

    @Test
    void aBracketWhoseFastestVmBeatsEveryFloorIsMeasuredAgain() throws Exception {
        String f = ResultsSchema.C_FLOOR_MMIO_EXIT_GETPPID;
        int[] runs = {0};
        List<Boolean> again = new java.util.ArrayList<>();
        // first bracket: VMs met a placement (29.6, 30.0 µs) no floor did (31.4 at best): 0.94, undecided;
        // the second: 27.3 over 26.4, each confirmed by a second draw, decided
        double[] vms = {36_400, 29_600, 30_000, 27_800, 27_300, 36_600};
        var b = PairedFloor.interleaved(f, sides(f, 35_000, 31_400, 34_700, 32_600, 26_400, 26_600, 37_100, 38_000), 3,
                r -> vms[runs[0]++], x -> x, (p, a) -> again.add(a));
        assertEquals(List.of(true, false), again);
        assertEquals(6, runs[0], "every round again");
        assertEquals(List.of(27_800.0, 27_300.0, 36_600.0), b.measured(), "the last bracket's rounds");
        assertEquals(2, b.pair().attempts());
        assertEquals(27_300 / 26_400.0, b.pair().bestRatio(), 1e-12);
        assertTrue(b.pair().steady());
        assertTrue(Double.isNaN(new PairedFloor(f, line(f, 300, 1), line(f, 330, 1), null, null, 1).bestRatio()),
                "no ratio without rounds' p50s");
    }

    @Test
    void aLoneFastestDrawOnEitherSideDecidesNothing() throws Exception {
        String f = ResultsSchema.C_FLOOR_MMIO_EXIT_GETPPID;
        // as measured: one floor of 25.0 µs among 33.7-37.3 µs ones, VMs of 30.4-36.5 µs: 1.21× is a rare floor's
        List<Double> floors = List.of(33_700.0, 34_300.0, 35_200.0, 34_800.0, 36_300.0, 36_300.0, 35_300.0, 36_100.0, 25_000.0);
        List<Double> vms = List.of(34_900.0, 35_200.0, 35_200.0, 35_700.0, 36_500.0, 30_400.0, 35_900.0, 33_400.0);
        PairedFloor p = new PairedFloor(f, floors.stream().map(x -> line(f, x, 100)).toList(), null, null, 1, null, null, vms);
        assertEquals(30_400 / 25_000.0, p.bestRatio(), 1e-12);
        assertFalse(PairedFloor.confirmed(floors), "25.0 has no second within 15%");
        assertTrue(PairedFloor.confirmed(vms), "30.4 has 33.4, 10% above it");
        assertFalse(p.bestsConfirmed());
        assertFalse(p.steady());
        assertEquals(false, p.environment().get("decided"));
        assertTrue(PairedFloor.confirmed(List.of(100.0, 114.0, 300.0)));
        assertFalse(PairedFloor.confirmed(List.of(100.0)), "one draw confirms nothing");
    }

    @Test
    void aFloorThatCannotBeMeasuredFirstLeavesTheMeasurementUnbracketedLaterKeepsTheBracket() throws Exception {
        String f = ResultsSchema.C_FLOOR_PIO_EXIT_GETPPID;
        int[] runs = {0};
        var none = PairedFloor.bracket(f, sides(f), () -> ++runs[0], (p, again) -> {});
        assertEquals(1, none.measured(), "measured all the same, once");
        assertNull(none.pair());
        assertEquals("cfloor failed", none.unmeasured());

        runs[0] = 0;
        var kept = PairedFloor.bracket(f, sides(f, 500, 700), () -> ++runs[0], (p, again) -> {});
        assertEquals(1, kept.measured(), "the drifting bracket is kept when the next cannot start");
        assertEquals(700, kept.pair().after().p50());
        assertNull(kept.unmeasured());
    }

    @Test
    void aCacheLineFloorIsMeasuredWithTheThreadPingPongBesideItAnExitFloorAlone() {
        assertEquals(List.of(ResultsSchema.C_FLOOR_PINGPONG, ResultsSchema.C_FLOOR_RING_1LINE_GETPPID),
                PairedFloor.parts(ResultsSchema.C_FLOOR_RING_1LINE_GETPPID));
        assertEquals(List.of(ResultsSchema.C_FLOOR_PIO_EXIT_GETPPID), PairedFloor.parts(ResultsSchema.C_FLOOR_PIO_EXIT_GETPPID));
    }

    @Test
    void cfloorOnlyMeasuresJustTheNamedHostPart() throws Exception {
        PairedFloor.Side s = PairedFloor.measure(ResultsSchema.C_FLOOR_PINGPONG, 2000, 1000, 50, 300);
        assertNotNull(s.floor());
        assertTrue(s.floor().p50() > 0 && s.floor().samples() > 0, "measured: " + s.floor());
        CFloorProbe.Result r = CFloorProbe.runOnly(List.of(ResultsSchema.C_FLOOR_TIMER_OVERHEAD), 2000, 1000, 50, 300);
        assertEquals(List.of(ResultsSchema.C_FLOOR_TIMER_OVERHEAD), r.lines().stream().map(CFloorProbe.Line::name).toList(),
                "only the part asked for");
        assertNull(r.kvmProblem());
    }

    @Test
    void anUnknownPartIsAUsageErrorNotAnEmptyResult() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CFloorProbe.runOnly(List.of("floor-c-no-such-part"), 2000, 1000, 50, 300));
        assertTrue(e.getMessage().contains("status 2") && e.getMessage().contains("--only"), e.getMessage());
    }

    @Test
    void onKvmTheCacheLineAndExitFloorsAreMeasuredAlone() throws Exception {
        Assumptions.assumeTrue(Kvm.deviceExists(), "SKIPPED LOUDLY: /dev/kvm is absent: cfloor's VM parts need KVM");
        PairedFloor.Side ring = PairedFloor.measure(ResultsSchema.C_FLOOR_RING_1LINE_GETPPID, 2000, 1000, 50, 300);
        assertNotNull(ring.floor());
        assertNotNull(ring.pingPong(), "the placement's signature beside a cache-line floor");
        PairedFloor.Side pio = PairedFloor.measure(ResultsSchema.C_FLOOR_PIO_EXIT_GETPPID, 2000, 1000, 50, 300);
        assertEquals(ResultsSchema.C_FLOOR_PIO_EXIT_GETPPID, pio.floor().name());
        assertTrue(pio.floor().samples() > 0 && ring.floor().samples() > 0, pio + " " + ring);
        assertNull(pio.pingPong());
        PairedFloor p = PairedFloor.of(ResultsSchema.C_FLOOR_PIO_EXIT_GETPPID, pio, pio, 1);
        assertEquals(0, p.drift());
        // the VM lifecycle, as the cold VMs are bracketed: as many VMs as asked
        PairedFloor.Side vm = PairedFloor.measure(ResultsSchema.C_FLOOR_VM_LIFECYCLE, 2000, 1000, 50, 300);
        assertEquals(ResultsSchema.C_FLOOR_VM_LIFECYCLE, vm.floor().name());
        assertEquals(50, vm.floor().samples(), vm.toString());
        assertTrue(vm.floor().p50() > 10_000, "a VM's whole life takes more than 10 µs: " + vm);
        // and its steps, named as VmBuilder's, each a median in µs, together no more than the whole's p99
        assertNotNull(vm.steps(), "the lifecycle's steps: " + vm);
        assertTrue(vm.steps().matches("memory \\d+, boot \\d+, vcpu \\d+, run \\d+, close \\d+ µs"), vm.steps());
        long sum = java.util.Arrays.stream(vm.steps().replace(" µs", "").split(", "))
                .mapToLong(st -> Long.parseLong(st.substring(st.indexOf(' ') + 1))).sum();
        assertTrue(sum > 0 && sum * 1000 <= vm.floor().p99() + 5000, sum + " µs of steps against " + vm);
        assertNull(pio.steps(), "an exit floor has no steps");
    }

    @Test
    void theStepsLineIsReadIntoOneSentenceAndAMalformedOneIntoNone() {
        String ok = "steps floor-c-vm-lifecycle memory=129.8 boot=18.4 vcpu=58.5 run=87.1 close=180.7";
        var r = new CFloorProbe.Result(List.of(), List.of("time x 5 ms", ok), null, "");
        assertEquals("memory 130, boot 18, vcpu 59, run 87, close 181 µs", r.steps(ResultsSchema.C_FLOOR_VM_LIFECYCLE));
        assertNull(r.steps(ResultsSchema.C_FLOOR_VM_LIFECYCLE_COLD), "another part's");
        var bad = new CFloorProbe.Result(List.of(), List.of("steps floor-c-vm-lifecycle memory=x"), null, "");
        assertNull(bad.steps(ResultsSchema.C_FLOOR_VM_LIFECYCLE));
        assertEquals("floor-c-vm-lifecycle memory=129.8 boot=18.4 vcpu=58.5 run=87.1 close=180.7",
                CFloorProbe.environment(r, List.of()).get("steps"));
    }
}
