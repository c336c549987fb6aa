package io.torovj.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.torovj.report.ResultsSchema.*;
import static org.junit.jupiter.api.Assertions.*;

/** Issue 10's repeatability check on the comparison page, over two small runs written here. */
class RepeatabilityTableTest {
    @TempDir
    Path tmp;

    private ResultSet run(String id, double pio, double ring, double pingpong, double hello) throws Exception {
        return run(id, pio, ring, pingpong, hello, 0, 0);
    }

    private ResultSet run(String id, double pio, double ring, double pingpong, double hello, double alloc, double perSecond)
            throws Exception {
        Path dir = tmp.resolve("results").resolve(id);
        try (MetricsCsvWriter csv = MetricsCsvWriter.create(dir)) {
            csv.stat(NULLCALL, NATIVE, LATENCY, P50, 80, UNIT_NS, 5000);
            csv.stat(NULLCALL, "pio", LATENCY, P50, pio, UNIT_NS, 5000);
            csv.stat(NULLCALL, "ring", LATENCY, P50, ring, UNIT_NS, 5000);
            csv.stat(NULLCALL, "ring", LATENCY, P99, ring * 10, UNIT_NS, 5000);     // not a median: not compared
            csv.stat(C_FLOOR_PINGPONG, NATIVE, LATENCY, P50, pingpong, UNIT_NS, 5000);
            csv.mean(HELLOWORLD, "pio", WALL, hello, hello / 20, UNIT_US, 4);        // JMH's: a mean and no median
            if (perSecond > 0) {
                csv.mean(NULLCALL, "ring", ALLOC_PER_CALL, alloc, 0, UNIT_BYTES, 2);
                csv.mean(serveHttpClients(1), "pio", THROUGHPUT, perSecond, perSecond / 50, UNIT_PER_S, 3);
            }
        }
        return ResultSet.read(dir);
    }

    @Test
    void mediansElseMeansOfBothRunsAreComparedAndOnlyThose() throws Exception {
        ResultSet a = run("20261201-100000-aaaaaaa", 25_000, 400, 100, 800);
        ResultSet b = run("20261202-100000-bbbbbbb", 35_000, 440, 380, 900);
        List<RepeatabilityTable.Difference> ds = RepeatabilityTable.differences(a, b);
        assertEquals(5, ds.size(), "four p50s and one mean: " + ds);
        assertTrue(ds.stream().noneMatch(d -> d.statistic().equals(P99)));
        RepeatabilityTable.Difference pio = ds.stream().filter(d -> d.transport().equals("pio") && d.workload().equals(NULLCALL))
                .findFirst().orElseThrow();
        assertEquals(1.4, pio.ratio(), 1e-9);
        assertFalse(pio.within());
        RepeatabilityTable.Difference hello = ds.stream().filter(d -> d.workload().equals(HELLOWORLD)).findFirst().orElseThrow();
        assertEquals(MEAN, hello.statistic());
        assertTrue(hello.within(), "900 against 800 µs is 12.5%");
        RepeatabilityTable.Difference faster = new RepeatabilityTable.Difference(NULLCALL, "ring", LATENCY, P50, 400, 300);
        assertEquals(400.0 / 300, faster.factor(), 1e-9, "25% faster is as far off as 33% slower");
        assertFalse(faster.within());
        assertTrue(new RepeatabilityTable.Difference(NULLCALL, "ring", LATENCY, P50, 400, 460).within(), "exactly +15%");
    }

    @Test
    void theComparisonPageCountsTheMonitorAndTheCFloorsApartAndListsTheFurthestFirst() throws Exception {
        ResultSet a = run("20261201-100000-aaaaaaa", 25_000, 400, 100, 800);
        ResultSet b = run("20261202-100000-bbbbbbb", 35_000, 440, 380, 900);
        List<Path> pages = new ReportWriter(tmp.resolve("reports")).writeAll(List.of(a, b));
        String html = Files.readString(pages.get(2));
        String summary = between(html, "id=\"repeatability-1-summary\"", "</p>");
        assertTrue(summary.contains("3 of 4 of the monitor's values within ±15%"), summary);
        assertTrue(summary.contains("0 of 1 of the C floors within ±15%"), summary);
        assertTrue(summary.contains("Not held"), summary);
        String table = between(html, "id=\"repeatability-1\"", "</table>");
        int pingpong = table.indexOf(C_FLOOR_PINGPONG), pio = table.indexOf(">pio<");
        assertTrue(pingpong >= 0 && pio > pingpong, "3.8× before 1.4×: " + table);
        assertFalse(table.contains(HELLOWORLD), "within ±15%: not listed");
        assertTrue(table.contains("3.80×") && table.contains("1.40×"), table);

        ResultSet same = run("20261203-100000-ccccccc", 25_500, 410, 104, 790);
        String held = Files.readString(new ReportWriter(tmp.resolve("reports2")).writeAll(List.of(a, same)).get(2));
        assertTrue(between(held, "id=\"repeatability-1-summary\"", "</p>").contains("Held"));
        assertFalse(held.contains("id=\"repeatability-1\""), "nothing outside: no table");
    }

    @Test
    void allocationNearZeroAgreesByTheByteAndThroughputShowsPerSecond() throws Exception {
        ResultSet a = run("20261201-100000-aaaaaaa", 25_000, 400, 100, 800, 0.014, 10_000);
        ResultSet b = run("20261202-100000-bbbbbbb", 25_000, 400, 100, 800, 0, 5_000);
        List<RepeatabilityTable.Difference> ds = RepeatabilityTable.differences(a, b);
        RepeatabilityTable.Difference alloc = ds.stream().filter(d -> d.metric().equals(ALLOC_PER_CALL)).findFirst().orElseThrow();
        assertTrue(alloc.within(), "0.014 B against 0 B per call");
        assertFalse(new RepeatabilityTable.Difference(NULLCALL, "ring", ALLOC_PER_CALL, MEAN, 0.5, 16).within(), "16 B is not ~0");
        String html = Files.readString(new ReportWriter(tmp.resolve("reports")).writeAll(List.of(a, b)).get(2));
        String table = between(html, "id=\"repeatability-1\"", "</table>");
        assertTrue(table.contains("10,000 /s") && table.contains("5,000 /s") && table.contains("0.500×"), table);
        assertFalse(table.contains("allocation"), "within a byte: not listed");
    }

    /** A run whose pio nullcall and cold VMs each have their floor beside them (the C exit and the C VM lifecycle, in µs). */
    private ResultSet pairedRun(String id, double nullcall, double exitFloor, double cold, double lifecycle) throws Exception {
        Path dir = tmp.resolve("results").resolve(id);
        try (MetricsCsvWriter csv = MetricsCsvWriter.create(dir)) {
            csv.stat(NULLCALL, NATIVE, LATENCY, P50, 80, UNIT_NS, 5000);
            csv.stat(NULLCALL, "pio", LATENCY, P50, nullcall * 1000, UNIT_NS, 5000);
            csv.stat(C_FLOOR_PIO_EXIT_GETPPID, "pio", LATENCY, P50, exitFloor * 1000, UNIT_NS, 5000);
            csv.stat(HELLOWORLD, "pio", WALL, P50, cold * 1000, UNIT_NS, 200);
            csv.stat(C_FLOOR_VM_LIFECYCLE, "pio", LATENCY, P50, lifecycle * 1000, UNIT_NS, 800);
        }
        return ResultSet.read(dir);
    }

    @Test
    void theTargetsRatiosAreSetRunAgainstRunBesideTheMedians() throws Exception {
        // the host slower by 40% in the second run, floors included: every median moves, the ratios do not
        ResultSet a = pairedRun("20261201-100000-aaaaaaa", 26, 25, 760, 500);
        ResultSet b = pairedRun("20261202-100000-bbbbbbb", 36.4, 35, 1064, 700);
        List<TargetRatios.Ratio> ratios = TargetRatios.of(a);
        assertEquals(List.of(TargetRatios.NULLCALL_OVER_FLOOR, TargetRatios.COLD_OVER_LIFECYCLE),
                ratios.stream().map(TargetRatios.Ratio::target).toList(), ratios.toString());
        assertEquals(26.0 / 25, ratios.get(0).value(), 1e-9);
        assertEquals(760.0 / 500, ratios.get(1).value(), 1e-9);

        List<RepeatabilityTable.Difference> ds = RepeatabilityTable.ratioDifferences(a, b);
        assertEquals(2, ds.size(), ds.toString());
        assertTrue(ds.stream().allMatch(RepeatabilityTable.Difference::within), ds.toString());
        assertEquals(1.0, ds.get(0).ratio(), 1e-9);
        assertTrue(RepeatabilityTable.differences(a, b).stream().filter(d -> d.transport().equals("pio"))
                .noneMatch(RepeatabilityTable.Difference::within), "every median of pio's moved 40%");

        String html = Files.readString(new ReportWriter(tmp.resolve("reports")).writeAll(List.of(a, b)).get(2));
        String summary = between(html, "id=\"repeatability-1-summary\"", "</p>");
        assertTrue(summary.contains("Not held"), "the criterion is on the medians: " + summary);
        assertTrue(summary.contains("The targets' ratios (each over its floor measured beside it): 2 of 2 within ±15%"), summary);
        String table = between(html, "id=\"repeatability-1-ratios\"", "</table>");
        assertTrue(table.contains(TargetRatios.COLD_OVER_LIFECYCLE) && table.contains("1.52×") && table.contains("1.04×"), table);

        // the cold VMs 30% slower against the same lifecycle: that ratio is flagged
        ResultSet c = pairedRun("20261203-100000-ccccccc", 26, 25, 988, 500);
        List<RepeatabilityTable.Difference> moved = RepeatabilityTable.ratioDifferences(a, c);
        assertFalse(moved.get(1).within(), moved.toString());
        assertTrue(moved.get(0).within(), moved.toString());
    }

    private static String between(String s, String from, String to) {
        int i = s.indexOf(from);
        assertTrue(i >= 0, "missing " + from);
        int j = s.indexOf(to, i);
        return s.substring(i, j < 0 ? s.length() : j);
    }
}
