package io.torovj.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.torovj.report.ResultsSchema.*;
import static org.junit.jupiter.api.Assertions.*;

class ReportTest {
    static final String RUN = "20261127-191100-abc1234";

    @TempDir
    Path tmp;

    private SyntheticResults.Written synthetic(String runId, long seed, double slowdown) throws IOException {
        return SyntheticResults.write(tmp.resolve("results").resolve(runId), seed, slowdown, 20_000);
    }

    @Test
    void metricsRoundTripThroughTheCsv() throws Exception {
        SyntheticResults.Written w = synthetic(RUN, 1, 1.0);
        List<String> lines = Files.readAllLines(metricsCsv(w.dir()), StandardCharsets.UTF_8);
        assertEquals("workload,transport,metric,statistic,value,error,unit,samples", lines.get(0));
        assertEquals(w.rows().size() + 1, lines.size());
        for (String l : lines) {
            assertFalse(l.contains("E") && l.matches(".*\\d[eE][-+]?\\d.*"), "no exponent notation: " + l);
        }

        ResultSet rs = ResultSet.read(w.dir());
        assertEquals(RUN, rs.runId());
        assertEquals(w.rows(), rs.rows(), "rows read back equal the rows written, in order");
        assertEquals(SyntheticResults.TRANSPORTS, rs.transports());
        List<String> workloads = new ArrayList<>(List.of(HELLOWORLD, SERVE_WARM, SERVE_HTTP, CLI_RUN, SERVE_POOL));
        SERVE_CLIENTS.forEach(c -> workloads.add(serveHttpClients(c)));
        workloads.addAll(List.of(NULLCALL, WRITE, FILEIO, MMAP, ECHO, ECHO_RR));
        THINK_TIMES_NS.forEach(t -> workloads.add(thinkWorkload(t)));
        workloads.addAll(List.of(FLOOR_EXIT, FLOOR_PINGPONG));
        workloads.addAll(C_FLOORS);
        assertEquals(workloads, rs.workloads(), "known workloads, the think ones, the monitor's floors, the C floors");
        assertEquals(List.of(), rs.warnings());
        assertEquals("PVM (nested)", rs.env(ENV_KVM_FLAVOUR).orElseThrow());
        assertEquals(2, rs.notes().size());

        MetricRow echo = rs.find(ECHO, "pio", LATENCY, MEAN).orElseThrow();
        assertEquals(UNIT_US, echo.unit());
        assertTrue(echo.hasError());
        assertEquals(echo.value() * 1000, echo.baseValue(), 1e-6);
        assertTrue(rs.find(ECHO, "ring", LATENCY, P50).isEmpty(), "missing rows stay missing");
        MetricRow p50 = rs.find(NULLCALL, "pio", LATENCY, P50).orElseThrow();
        assertNull(p50.error());
        assertEquals(20_000, p50.samples());

        // HdrHistogram logs: found and matched to their pair (names with '-' included)
        assertEquals(w.hdrLogs().size(), rs.hdrLogs().size());
        assertEquals(hdrLog(w.dir(), FLOOR_EXIT, "pio"), rs.hdrLogs().get(new ResultSet.Pair(FLOOR_EXIT, "pio")));
        Histogram h = HdrLogs.readMerged(rs.hdrLogs().get(new ResultSet.Pair(NULLCALL, "pio")));
        assertEquals(20_000, h.getTotalCount());
        assertEquals(p50.value(), h.getValueAtPercentile(50), 0.0, "the log and the p50 row agree");
    }

    @Test
    void hdrLogsHelperWritesWhatTheReaderReads() throws Exception {
        Path dir = tmp.resolve("results").resolve("x");
        Histogram a = new Histogram(3);
        Histogram b = new Histogram(3);
        for (int i = 1; i <= 1000; i++) {
            a.recordValue(100 + i);
            b.recordValue(5000 + i);
        }
        Path f = HdrLogs.write(dir, NULLCALL, "ring", System.currentTimeMillis(), List.of(a, b));
        assertEquals(dir.resolve("hdr").resolve("nullcall-ring.hlog"), f);
        Histogram merged = HdrLogs.readMerged(f);
        assertEquals(2000, merged.getTotalCount());
        assertEquals(6000, merged.getMaxValue(), 10);

        Files.writeString(dir.resolve("hdr").resolve("broken-pio.hlog"), "not a log\n");
        assertThrows(IOException.class, () -> HdrLogs.readMerged(dir.resolve("hdr").resolve("broken-pio.hlog")));
    }

    @Test
    void reportHasEverySectionChartAndRelativeLink() throws Exception {
        SyntheticResults.Written w = synthetic(RUN, 2, 1.0);
        ReportWriter writer = new ReportWriter(tmp.resolve("reports"));
        Path index = writer.write(ResultSet.read(w.dir()));
        assertEquals(tmp.resolve("reports").resolve(RUN).resolve("index.html"), index);
        String html = Files.readString(index);

        for (String s : List.of("id=\"summary\"", "Smaller is better", RUN, "quick", "mvn -P bench -Dbench.quick",
                "mvn -P bench -Dbench.full", "id=\"environment\"", "PVM (nested)", "2 cores: the ring poller",
                "abc1234", "id=\"raw-files\"")) {
            assertTrue(html.contains(s), "page shows " + s);
        }
        assertFalse(html.matches("(?s).*(src|href)=\"(https?:)?//.*"), "no network resource");
        assertFalse(html.contains("<script"), "the report itself needs no script");

        // the summary: one row per workload, native first, ratios with the native value beside them, floors
        String summary = between(html, "id=\"summary\"", "</table>");
        // helloworld, serve-warm, serve-http, cli-run, 4 latency workloads, 2 floors (echo and echo-rr are not per-call
        // latencies; throughput, memory and think rows have their own tables)
        assertEquals(10, count(summary, "<tr data-workload="));
        assertTrue(summary.indexOf(">native") < summary.indexOf(">pio"));
        assertTrue(summary.contains("× native</b> <span title=\"native p50\">(60"), "ratio to native with the native value");
        assertTrue(summary.contains("× floor-exit</b>"), "pio/mmio ratio to their floor");
        assertTrue(summary.contains("× floor-pingpong</b>"), "ring's ratio to its floor");
        assertTrue(summary.contains(">n/a<"), "missing pairs are n/a");
        assertTrue(summary.contains("mean ± 99.9% CI"), "vsock has only a mean");
        assertTrue(summary.contains("µs"));

        // every chart: PNG (decodable) and SVG, and the page refers to each
        Path charts = index.getParent().resolve("charts");
        List<String> names = new ArrayList<>(List.of("latency", "wall", "memory", "cpu"));
        for (String wl : List.of(NULLCALL, WRITE, FILEIO, MMAP, ECHO, FLOOR_EXIT, FLOOR_PINGPONG)) {
            names.add("percentiles-" + wl);
        }
        names.add("c-floors-host");
        names.add("c-floors-vm");
        for (String c : C_FLOORS) {
            assertFalse(Files.exists(charts.resolve("percentiles-" + c + ".png")), "no chart per C floor: " + c);
        }
        for (String n : names) {
            BufferedImage img = ImageIO.read(charts.resolve(n + ".png").toFile());
            assertNotNull(img, n + ".png decodes");
            assertTrue(img.getWidth() >= 600 && img.getHeight() >= 300, n + ".png size");
            String svg = Files.readString(charts.resolve(n + ".svg"));
            assertTrue(svg.contains("<svg"), n + ".svg is SVG");
            assertTrue(html.contains("src=\"charts/" + n + ".png\""), "page shows " + n);
            assertTrue(html.contains("href=\"charts/" + n + ".svg\""), "page links " + n + ".svg");
        }
        assertTrue(html.contains("clipped"), "the noisy mmio/mmap error bar is clipped, and said so");

        // relative links to the raw files resolve from the report folder
        Matcher m = Pattern.compile("href=\"(\\.\\./[^\"]+)\"").matcher(html);
        int links = 0;
        while (m.find()) {
            assertTrue(Files.isRegularFile(index.getParent().resolve(m.group(1)).normalize()), m.group(1));
            links++;
        }
        assertEquals(4 + w.hdrLogs().size(), links, "metrics.csv, environment.json, jmh.json, cfloor.txt and every log");
        assertTrue(html.contains("href=\"../../results/" + RUN + "/cfloor.txt\""));
        assertTrue(html.contains("href=\"../../results/" + RUN + "/metrics.csv\""));

        // latest/ is a real copy
        Path latest = tmp.resolve("reports").resolve(LATEST);
        assertFalse(Files.isSymbolicLink(latest));
        assertEquals(html, Files.readString(latest.resolve("index.html")));
        assertTrue(Files.isRegularFile(latest.resolve("charts").resolve("latency.png")));
        assertTrue(Files.isRegularFile(latest.resolve("charts").resolve("latency.svg")));
    }

    @Test
    void thinkSectionDrawsTwoPanelsAndSaysFromWhereExitsAreCheaper() throws Exception {
        SyntheticResults.Written w = synthetic(RUN, 5, 1.0);
        String html = Files.readString(new ReportWriter(tmp.resolve("reports")).write(ResultSet.read(w.dir())));
        String section = between(html, "id=\"think\"", "id=\"charts\"");
        String figure = between(section, "id=\"chart-think\"", "</figure>");
        assertEquals(2, count(figure, "<img "), "one figure, two panels side by side");
        assertTrue(figure.contains("src=\"charts/think-latency.png\"") && figure.contains("src=\"charts/think-cpu.png\""));
        assertTrue(figure.contains("href=\"charts/think-latency.svg\"") && figure.contains("href=\"charts/think-cpu.svg\""));
        Path charts = tmp.resolve("reports").resolve(RUN).resolve("charts");
        for (String n : List.of("think-latency", "think-cpu")) {
            BufferedImage img = ImageIO.read(charts.resolve(n + ".png").toFile());
            assertEquals(ThinkTimeCharts.PANEL_WIDTH, img.getWidth(), n);
        }
        // synthetic ring: CPU 2 × (think + call), pio: think + call: pio is cheaper from 1 µs on
        assertTrue(section.contains("<b>pio costs less host CPU per call than ring</b> from a think time of 1.00 µs on"),
                section);
        assertTrue(section.contains("all the") || section.contains("whole JVM"), "says what the CPU time includes");

        String table = between(section, "id=\"think-table\"", "</table>");
        assertEquals(THINK_TIMES_NS.size(), count(table, "<tr data-workload=\"think-"));
        assertTrue(table.indexOf("data-workload=\"think-0\"") < table.indexOf("data-workload=\"think-1000000\""),
                "ordered by think time");
        assertEquals(3, count(between(table, "<thead>", "</thead>"), "<th>") - 1, "native, pio, ring: the transports with rows");
        assertTrue(table.contains("0 (back to back)") && table.contains("p99") && table.contains("host CPU"));
        assertFalse(between(html, "id=\"summary\"", "</table>").contains("think-"), "not in the summary");
        assertFalse(between(html, "id=\"cpu-table\"", "</table>").contains("think-"), "nor in the CPU table");
    }

    @Test
    void floorSectionShowsTheDistanceToTheCFloors() throws Exception {
        SyntheticResults.Written w = synthetic(RUN, 12, 1.0);
        ResultSet rs = ResultSet.read(w.dir());
        String html = Files.readString(new ReportWriter(tmp.resolve("reports")).write(rs));
        assertTrue(html.indexOf("id=\"floors\"") > html.indexOf("id=\"summary\""), "floors after the summary");
        assertTrue(html.indexOf("id=\"floors\"") < html.indexOf("id=\"charts\""), "and before the charts");

        // the summary stays one row per workload of the monitor: the C floors are in their own tables
        String summary = between(html, "id=\"summary\"", "</table>");
        assertFalse(summary.contains(C_FLOOR_PREFIX), "no C floor in the summary");
        assertTrue(summary.contains("× floor-exit</b>"), "the summary's floor is still the monitor's");

        // distance to the floor: one row per transport, the headline C floor, ratio and overhead from the p50s
        String distance = between(html, "id=\"floor-distance\"", "</table>");
        assertEquals(4, count(distance, "<tr data-transport="), "pio, mmio, ring, vsock");
        for (String t : List.of("pio", "mmio", "ring")) {
            String row = between(distance, "data-transport=\"" + t + "\"", "</tr>");
            String floor = SyntheticResults.HEADLINE.get(t);
            double call = rs.find(NULLCALL, t, LATENCY, P50).orElseThrow().baseValue();
            double f = rs.find(floor, t, LATENCY, P50).orElseThrow().baseValue();
            assertEquals(SyntheticResults.C_FLOOR_P50.get(floor), f, 1e-9);
            assertTrue(row.contains(floor), t + " is compared with " + floor + ": " + row);
            assertTrue(row.contains(">" + DisplayFormat.ratio(call / f) + "<"), t + " ratio: " + row);
            assertTrue(row.contains(">" + DisplayFormat.quantity(true, call - f) + "<"), t + " overhead: " + row);
            String bare = floor.substring(0, floor.length() - "-getppid".length());
            assertTrue(row.contains(bare), t + " shows the bare mechanism " + bare);
            assertTrue(row.contains(CellValues.floors(rs).get(t)), t + " shows the monitor's own floor");
            double goal = t.equals("ring") ? FloorTables.SHARED_MEMORY_TARGET : FloorTables.EXIT_TARGET;
            String target = between(row, "class=\"target\"", "</td>");
            String verdict = t.equals("mmio") ? ">not decided<" : call / f <= goal ? ">held<" : ">missed<";
            assertTrue(target.contains(verdict) && target.contains(DisplayFormat.ratio(goal)),
                    t + " target verdict for " + call / f + ": " + target);
        }
        // a floor measured around the transport's nullcall shows both sides and their drift; the others say whose they are
        String ringRow = between(distance, "data-transport=\"ring\"", "</tr>");
        assertTrue(ringRow.contains("around the nullcall: 300 ns before, 330 ns after (drift 10%, measured 2 times)"
                + "; thread ping-pong 120 ns / 131 ns"), ringRow);
        double ringCall = rs.find(NULLCALL, "ring", LATENCY, P50).orElseThrow().baseValue();
        String libc = between(ringRow, "class=\"ratio libc\"", "</td>");
        assertTrue(libc.contains(">" + DisplayFormat.ratio(ringCall / 450.0) + "<") && libc.contains(C_FLOOR_RING_1LINE_GETPPID_LIBC),
                "ring's ratio to the floor whose poller calls glibc's getppid: " + libc);
        assertFalse(between(distance, "data-transport=\"pio\"", "</tr>").contains("ratio libc"), "no libc-call floor for an exit");
        assertTrue(between(distance, "data-transport=\"pio\"", "</tr>").contains("the whole-run probe's"));
        assertTrue(between(distance, "data-transport=\"mmio\"", "</tr>").contains("the floor drifted 50% around the nullcall"),
                "a floor that moved during the measurement decides no target");
        String pio = between(distance, "data-transport=\"pio\"", "</tr>");
        assertTrue(pio.contains(">1.0") || pio.contains(">1.1"), "pio is about 1.09× its floor: " + pio);
        assertTrue(between(distance, "data-transport=\"vsock\"", "</tr>").contains("no C floor for vsock"));

        // the timer check: raw, less the timer, against the plain C loop
        String timer = between(html, "id=\"timer-check\"", "</table>");
        assertEquals(5, count(timer, "<tr data-row="), "nullcall, libc and inline getppid, per call and per loop");
        assertTrue(timer.contains(">8.00 ns<"), "the timer's p50: " + timer);
        double nullcall = rs.find(NULLCALL, NATIVE, LATENCY, P50).orElseThrow().baseValue();
        assertTrue(timer.contains(DisplayFormat.quantity(true, nullcall - 8)), "nullcall less the timer");
        String verdict = between(html, "id=\"timer-verdict\"", "</p>");
        assertTrue(verdict.contains("within ±10%"), verdict);
        assertTrue(verdict.contains("A call around the syscall costs 9.00 ns"), "libc loop − inline loop: " + verdict);
        assertTrue(html.contains("9.8 ns, which quantizes"), "the TSC's resolution from environment.json");

        // every C floor, with what it measures and whose headline it is
        String table = between(html, "id=\"c-floors\"", "</table>");
        assertEquals(C_FLOORS.size(), count(table, "<tr data-workload="));
        String ring1 = between(table, "data-workload=\"" + C_FLOOR_RING_1LINE_GETPPID + "\"", "</tr>");
        assertTrue(ring1.contains(">ring</td>"), ring1);
        assertTrue(ring1.contains("real getppid per request"), ring1);
        assertTrue(between(table, "data-workload=\"" + C_FLOOR_VM_LIFECYCLE + "\"", "</tr>").contains("600 µs"));
        String cold = between(table, "data-workload=\"" + C_FLOOR_VM_LIFECYCLE_COLD + "\"", "</tr>");
        assertTrue(cold.contains("1.10 ms") && cold.contains("static keys"), cold);
        assertTrue(html.contains("src=\"charts/c-floors-host.png\"") && html.contains("src=\"charts/c-floors-vm.png\""));
    }

    @Test
    void timerCheckSaysWhenNativeIsOutsideTheTolerance() throws Exception {
        Path dir = nativeTimerRows("timer");
        String html = Files.readString(new ReportWriter(tmp.resolve("reports")).write(ResultSet.read(dir)));
        String verdict = between(html, "id=\"timer-verdict\"", "</p>");
        assertTrue(verdict.contains("<b>outside</b> ±10%") && verdict.contains("1.27×"), verdict);
        assertTrue(between(html, "id=\"floor-distance\"", "</table>").contains("only native was measured"),
                "no transports: the distance table says why it is empty");
        assertFalse(html.contains("id=\"c-floors-vm\""), "no VM floors, no VM chart");
    }

    /** A run of native rows only: nullcall 78 ns, the timer 2 ns, the inline getppid 70 ns, the plain C loop 60 ns. */
    private Path nativeTimerRows(String run) throws Exception {
        Path dir = tmp.resolve("results").resolve(run);
        try (MetricsCsvWriter csv = MetricsCsvWriter.create(dir)) {
            csv.stat(NULLCALL, NATIVE, LATENCY, P50, 78, UNIT_NS, 5000);
            csv.stat(C_FLOOR_TIMER_OVERHEAD, NATIVE, LATENCY, P50, 2, UNIT_NS, 5000);
            csv.stat(C_FLOOR_NATIVE_GETPPID, NATIVE, LATENCY, P50, 70, UNIT_NS, 5000);
            csv.stat(C_FLOOR_NATIVE_GETPPID_LIBC_LOOP, NATIVE, LATENCY, P50, 60, UNIT_NS, 50);
        }
        return dir;
    }

    @Test
    void timerCheckUsesTheCLoopMeasuredAroundTheNativeNullcallWhereTheRunHasIt() throws Exception {
        Path dir = nativeTimerRows("timer-around");
        // the whole-run probe's loop (60 ns) says 1.27×; the one around the nullcall (70 and 74 ns) says 1.06×
        Files.writeString(dir.resolve(ENVIRONMENT_JSON), """
                {"cfloor": {"paired_native": {
                  "floor-c-timer-overhead": {"before_p50_ns": 3.0, "after_p50_ns": 1.0},
                  "floor-c-native-getppid-libc-loop": {"before_p50_ns": 70.0, "after_p50_ns": 74.0}}}}
                """);
        String html = Files.readString(new ReportWriter(tmp.resolve("reports")).write(ResultSet.read(dir)));
        String verdict = between(html, "id=\"timer-verdict\"", "</p>");
        assertTrue(verdict.contains("1.06×") && verdict.contains("within ±10%") && verdict.contains("72.0 ns"), verdict);
        assertTrue(verdict.contains("measured right before and right after the native nullcall"), verdict);
    }

    /** pio's nullcall 1.08× its pooled floor, the floors between its VMs in environment.json as {@code paired}. */
    private Path interleavedPio(String name, String paired) throws Exception {
        Path dir = tmp.resolve("results").resolve(name);
        try (MetricsCsvWriter csv = MetricsCsvWriter.create(dir)) {
            csv.stat(NULLCALL, NATIVE, LATENCY, P50, 80, UNIT_NS, 5000);
            csv.stat(NULLCALL, "pio", LATENCY, P50, 27_000, UNIT_NS, 20_000);
            csv.stat(C_FLOOR_PIO_EXIT_GETPPID, "pio", LATENCY, P50, 25_000, UNIT_NS, 25_000);
        }
        Files.writeString(dir.resolve(ENVIRONMENT_JSON), "{\"cfloor\": {\"paired\": {\"pio\": " + paired + "}}}");
        return dir;
    }

    @Test
    void anExitTargetIsJudgedBestAgainstBest() throws Exception {
        // pooled: 27 µs over the mean floor 25 µs = 1.08×, missed; best against best 1.03×, held
        Path dir = interleavedPio("interleaved", """
                {"floor": "floor-c-pio-exit-getppid", "before_p50_ns": 24000.0, "after_p50_ns": 30000.0, "drift": 0.25,
                 "attempts": 1, "sides_p50_ns": [24000.0, 24200.0, 30100.0, 24000.0, 30000.0],
                 "round_p50_ns": [24700.0, 31000.0, 24900.0, 30500.0], "round_ratios": [1.02, 1.14, 0.92, 1.13],
                 "best_ratio": 1.03, "decided": true}
                """);
        String html = Files.readString(new ReportWriter(tmp.resolve("reports")).write(ResultSet.read(dir)));
        String pio = between(between(html, "id=\"floor-distance\"", "</table>"), "data-transport=\"pio\"", "</tr>");
        assertTrue(pio.contains(">1.08×<"), "the pooled ratio is shown: " + pio);
        String target = between(pio, "class=\"target\"", "</td>");
        assertTrue(target.contains(">held<") && target.contains("judged best against best: 1.03×, the fastest of its 4 VMs"
                + " over the fastest of the 5 floors around them") && target.contains("1.02, 1.14, 0.92, 1.13"), target);
        assertTrue(pio.contains("before, between and after its VMs 24.0 µs, 24.2 µs, 30.1 µs, 24.0 µs, 30.0 µs (drift up to 25%)"), pio);

        Path undecided = interleavedPio("interleaved-undecided", """
                {"floor": "floor-c-pio-exit-getppid", "before_p50_ns": 20000.0, "after_p50_ns": 30000.0, "drift": 0.5,
                 "attempts": 3, "sides_p50_ns": [22000.0, 30000.0, 30000.0],
                 "round_p50_ns": [30000.0, 19000.0], "round_ratios": [1.2, 0.63], "best_ratio": 0.86, "decided": false}
                """);
        html = Files.readString(new ReportWriter(tmp.resolve("reports")).write(ResultSet.read(undecided)));
        target = between(between(between(html, "id=\"floor-distance\"", "</table>"), "data-transport=\"pio\"", "</tr>"),
                "class=\"target\"", "</td>");
        assertTrue(target.contains(">not decided<") && target.contains("its fastest VM over the fastest floor, 0.860×: the floors"
                + " missed a placement the VMs met"), target);

        Path lone = interleavedPio("interleaved-lone", """
                {"floor": "floor-c-pio-exit-getppid", "before_p50_ns": 25000.0, "after_p50_ns": 34000.0, "drift": 0.36,
                 "attempts": 3, "sides_p50_ns": [25000.0, 34000.0, 34000.0],
                 "round_p50_ns": [30400.0, 33400.0], "round_ratios": [1.03, 0.98], "best_ratio": 1.216,
                 "bests_confirmed": false, "decided": false}
                """);
        html = Files.readString(new ReportWriter(tmp.resolve("reports")).write(ResultSet.read(lone)));
        target = between(between(between(html, "id=\"floor-distance\"", "</table>"), "data-transport=\"pio\"", "</tr>"),
                "class=\"target\"", "</td>");
        assertTrue(target.contains(">not decided<") && target.contains("was not confirmed by a second within 15%"), target);
    }

    @Test
    void unmodifiedBinariesAreComparedWithTheirRuntimeLinkedTwinAgainstTheTarget() throws Exception {
        Path dir = tmp.resolve("results").resolve("unmodified");
        try (MetricsCsvWriter csv = MetricsCsvWriter.create(dir)) {
            csv.stat(NULLCALL, NATIVE, LATENCY, P50, 80, UNIT_NS, 5000);
            for (String t : List.of("pio", "ring")) {
                csv.stat(NULLCALL, t, LATENCY, P50, t.equals("pio") ? 25_000 : 500, UNIT_NS, 5000);
                csv.stat(NULLCALL_UNMODIFIED, t, LATENCY, P50, t.equals("pio") ? 26_000 : 1_500, UNIT_NS, 5000);
                csv.stat(NULLCALL_TRAPPED, t, LATENCY, P50, 60_000, UNIT_NS, 5000);
                csv.mean(NULLCALL, t, ALLOC_PER_CALL, 0, 0, UNIT_BYTES, 3);
                csv.mean(NULLCALL, t, ALLOC_PER_VM, 124_000, 900.0, UNIT_BYTES, 5);
            }
        }
        String html = Files.readString(new ReportWriter(tmp.resolve("reports")).write(ResultSet.read(dir)));
        String table = between(html, "id=\"unmodified\"", "</table>");
        String pio = between(table, "data-transport=\"pio\"", "</tr>");
        assertTrue(pio.contains("1.04×") && pio.contains("target held"), pio);
        String ring = between(table, "data-transport=\"ring\"", "</tr>");
        assertTrue(ring.contains("3.00×") && ring.contains("target missed"), ring);
        assertTrue(ring.contains("40.0×"), "trapped ÷ patched: " + ring);
        assertTrue(html.contains("gVisor"), "the external reference, labelled as not of this run");
        String alloc = between(html, "id=\"alloc-table\"", "</table>");
        assertTrue(alloc.contains("data-workload=\"nullcall\"") && alloc.contains("JVM allocation per call"), alloc);
        assertTrue(alloc.contains("JVM allocation per VM") && alloc.contains("KiB"), "the per-VM row, in KiB: " + alloc);

        Path none = tmp.resolve("results").resolve("no-unmodified");
        try (MetricsCsvWriter csv = MetricsCsvWriter.create(none)) {
            csv.stat(NULLCALL, NATIVE, LATENCY, P50, 80, UNIT_NS, 5000);
        }
        String without = Files.readString(new ReportWriter(tmp.resolve("reports")).write(ResultSet.read(none)));
        assertTrue(without.contains("id=\"skipped-unmodified\"") && without.contains("id=\"skipped-alloc\""));
    }

    @Test
    void latestFollowsTheNewestRun() throws Exception {
        SyntheticResults.Written older = synthetic("20261101-100000", 3, 1.0);
        SyntheticResults.Written newer = synthetic("20261127-100000", 4, 1.0);
        ReportWriter writer = new ReportWriter(tmp.resolve("reports"));
        writer.write(ResultSet.read(newer.dir()));
        writer.write(ResultSet.read(older.dir())); // regenerating an old report
        Path latest = tmp.resolve("reports").resolve(LATEST);
        assertEquals("20261127-100000", ReportWriter.latestRunId(latest).orElseThrow());
        assertTrue(Files.isRegularFile(tmp.resolve("reports").resolve("20261101-100000").resolve("index.html")));
    }

    @Test
    void comparisonShowsRunsSideBySide() throws Exception {
        SyntheticResults.Written a = synthetic("20261127-100000-aaaaaaa", 5, 1.0);
        SyntheticResults.Written b = synthetic("20261128-100000-bbbbbbb", 6, 1.3);
        ReportWriter writer = new ReportWriter(tmp.resolve("reports"));
        List<Path> pages = writer.writeAll(List.of(ResultSet.read(a.dir()), ResultSet.read(b.dir())));
        assertEquals(3, pages.size());
        Path cmp = pages.get(2);
        assertEquals("compare-20261127-100000-aaaaaaa_vs_20261128-100000-bbbbbbb", cmp.getParent().getFileName()
                .toString());
        String html = Files.readString(cmp);
        String table = between(html, "id=\"comparison\"", "</table>");
        assertTrue(table.contains("20261128-100000-bbbbbbb ÷ 20261127-100000-aaaaaaa"));
        assertTrue(table.matches("(?s).*>1\\.[23]\\d×<.*"), "about 1.3× slower");
        assertTrue(html.contains("src=\"charts/compare-latency-pio.png\""));
        assertTrue(Files.isRegularFile(cmp.getParent().resolve("charts").resolve("compare-wall.svg")));
        // the think-time sweep after the per-call workloads, in think-time order, before the floors
        int last = table.indexOf("<tr data-workload=\"" + NULLCALL + "\"");
        assertTrue(last >= 0, "nullcall is compared");
        for (long think : THINK_TIMES_NS) {
            int at = table.indexOf("<tr data-workload=\"" + THINK_PREFIX + think + "\"");
            assertTrue(at > last, THINK_PREFIX + think + " comes after the workloads and smaller think times");
            last = at;
        }
        int floor = table.indexOf("<tr data-workload=\"" + FLOOR_PREFIX);
        assertTrue(floor > last, "the floors last");
        assertTrue(html.contains("href=\"../20261127-100000-aaaaaaa/index.html\""), "links each run's report");
        assertEquals("20261128-100000-bbbbbbb", ReportWriter.latestRunId(tmp.resolve("reports").resolve(LATEST))
                .orElseThrow());
    }

    @Test
    void valuesALogAxisCannotShowAreLeftOffNotFatal() throws Exception {
        Path dir = tmp.resolve("results").resolve("edge");
        try (MetricsCsvWriter csv = MetricsCsvWriter.create(dir)) {
            csv.mean(NULLCALL, NATIVE, LATENCY, 0, 0, UNIT_NS, 5);              // 0 on a log axis
            csv.mean(NULLCALL, "pio", LATENCY, 100, 250, UNIT_NS, 5);           // error bar reaches below 0
            csv.mean(WRITE, "pio", LATENCY, 300, Double.NaN, UNIT_NS, 5);       // JMH without error
            csv.stat(WRITE, "pio", LATENCY, P50, 0, UNIT_NS, 10);
            csv.stat(WRITE, "pio", LATENCY, MAX, 900, UNIT_NS, 10);
            csv.stat(HELLOWORLD, "pio", GUEST_RESIDENT, MAX, 0, UNIT_BYTES, 1); // 0 bytes
            csv.mean(HELLOWORLD, "pio", WALL, 0, 0, UNIT_MS, 1);
        }
        ResultSet rs = ResultSet.read(dir);
        assertTrue(rs.warnings().stream().anyMatch(s -> s.contains("environment.json")));
        Path index = new ReportWriter(tmp.resolve("reports")).write(rs);
        String html = Files.readString(index);
        assertTrue(html.contains("cannot be drawn on a log axis"));
        assertTrue(html.contains("clipped"));
        assertTrue(html.contains("id=\"skipped-wall\""), "a chart whose values are all 0 is skipped with a note");
        assertTrue(html.contains("id=\"skipped-memory\""));
        assertTrue(html.contains("environment.json is missing"));
        assertTrue(html.contains("× native: n/a") || html.contains("native is 0"));
    }

    @Test
    void anUnreadableLogFallsBackToThePercentileRows() throws Exception {
        SyntheticResults.Written w = synthetic(RUN, 8, 1.0);
        Files.writeString(hdrLog(w.dir(), NULLCALL, "pio"), "#[StartTime: 1 (seconds since epoch)]\ngarbage\n");
        Files.writeString(w.dir().resolve(HDR_DIR).resolve("stray.hlog"), "");
        ResultSet rs = ResultSet.read(w.dir());
        assertTrue(rs.warnings().stream().anyMatch(s -> s.contains("stray.hlog: name is not")), rs.warnings()
                .toString());
        String html = Files.readString(new ReportWriter(tmp.resolve("reports")).write(rs));
        String warnings = between(html, "id=\"warnings\"", "</ul>");
        assertTrue(warnings.contains("nullcall-pio.hlog"), warnings);
        assertTrue(warnings.contains("using the percentile rows"), warnings);
        String fig = between(html, "id=\"chart-percentiles-nullcall\"", "</figure>");
        assertTrue(fig.contains("pio: percentile rows"), fig);
        assertTrue(fig.contains("mmio: HdrHistogram log"), fig);
    }

    @Test
    void aRunWithNoRowsStillGivesAPage() throws Exception {
        Path dir = tmp.resolve("results").resolve("empty");
        MetricsCsvWriter.create(dir).close(); // the header only
        ResultSet rs = ResultSet.read(dir);
        assertTrue(rs.rows().isEmpty());
        String html = Files.readString(new ReportWriter(tmp.resolve("reports")).write(rs));
        for (String id : List.of("skipped-latency", "skipped-percentiles", "skipped-wall", "skipped-memory",
                "skipped-cpu", "skipped-floors", "skipped-think")) {
            assertTrue(html.contains("id=\"" + id + "\""), id);
        }
    }

    static String between(String s, String from, String to) {
        int i = s.indexOf(from);
        assertTrue(i >= 0, "missing " + from);
        int j = s.indexOf(to, i);
        return s.substring(i, j);
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
