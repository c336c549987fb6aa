package io.torovj.report;

import static io.torovj.report.ResultsSchema.*;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The report's serverless section (issue 11): HelloWorld invocation latency the ways a serverless platform runs it
 * (one chart, one table), then {@link ThroughputSection} and {@link DensityTable}.
 */
final class ServerlessSection {
    /** The transport issue 11's latency targets name; the chart's, when the run has it. */
    static final String TARGET_TRANSPORT = "ring";
    /** Issue 11: a warm invocation in the monitor, p50, ns; and at least this many times faster than spawning natively. */
    static final double WARM_P50_NS = 50_000, WARM_SPEEDUP = 20;
    /** Issue 11: the same through the HTTP API, p50 and p99, ns. */
    static final double HTTP_P50_NS = 250_000, HTTP_P99_NS = 1_000_000;
    /** Issue 11: a cold invocation, at most this many times the C VM lifecycle floor (plus the load time). */
    static final double COLD_FLOOR_RATIO = 1.2;
    /** Issue 10: `torovj run helloworld.elf`, the whole command, ns. */
    static final double CLI_NS = 150e6;

    /** The ways of invoking HelloWorld, each with its own target. */
    enum Kind { WARM, HTTP, COLD, CLI, NATIVE_SPAWN }

    /** One way of invoking HelloWorld: its label and where its rows are ({@code transport} null: every VM transport). */
    record Way(Kind kind, String label, String workload, String transport) {}

    static final List<Way> WAYS = List.of(new Way(Kind.WARM, "pooled VM: reset + run + collect (one thread)", SERVE_RESET, null),
            new Way(Kind.WARM, "warm pool (in the monitor; the reset after the answer)", SERVE_WARM, null),
            new Way(Kind.HTTP, "HTTP API (loopback)", SERVE_HTTP, null),
            new Way(Kind.COLD, "cold VM (build, run, close)", HELLOWORLD, null),
            new Way(Kind.CLI, "torovj run (whole command)", CLI_RUN, null),
            new Way(Kind.NATIVE_SPAWN, "native fork+exec", HELLOWORLD, NATIVE));

    private final ResultSet rs;
    private final Html h;
    private final Path charts;
    private final List<String> problems;

    ServerlessSection(ResultSet rs, Html h, Path charts, List<String> problems) {
        this.rs = rs;
        this.h = h;
        this.charts = charts;
        this.problems = problems;
    }

    /** The section's body (the caller writes the heading). */
    void write() throws IOException {
        h.el("h3", "", "Invocation latency");
        String t = chartTransport();
        if (t == null) {
            h.line("<p class=\"skipped\" id=\"skipped-invocation\">No invocation percentiles in this run (serve-warm wall"
                    + " p50 rows): see the notes.</p>");
        } else {
            h.line("<p>HelloWorld invoked the ways a serverless platform runs it, each a fixed number of back-to-back "
                    + "samples (n in the table; the commands are in the notes), wall time per invocation. The chart shows "
                    + "<b>" + Html.esc(t) + "</b>" + (TARGET_TRANSPORT.equals(t) ? " (the transport of issue 11's targets)" : "")
                    + "; the table every transport. Smaller is better.</p>");
            chart(t);
            table(t);
        }
        new ThroughputSection(rs, h, charts).write();
        new DensityTable(rs, h).write();
    }

    /** {@link #TARGET_TRANSPORT} if it has warm-invocation percentiles, else the first transport that has them. */
    String chartTransport() {
        List<String> with = rs.transports().stream().filter(t -> !NATIVE.equals(t) && rs.find(SERVE_WARM, t, WALL, P50).isPresent())
                .toList();
        return with.contains(TARGET_TRANSPORT) ? TARGET_TRANSPORT : with.isEmpty() ? null : with.get(0);
    }

    private void chart(String t) throws IOException {
        List<Charts.Curve> curves = new ArrayList<>();
        Map<String, Color> colors = new LinkedHashMap<>();
        for (Way w : WAYS) {
            String transport = w.transport() == null ? t : w.transport();
            Charts.Curve c = PercentileCurves.of(rs, w.workload(), transport, WALL, problems);
            if (c == null) continue;
            curves.add(new Charts.Curve(w.label(), c.x(), c.y(), c.dense()));
            colors.put(w.label(), NATIVE.equals(transport) ? Charts.BASELINE : Charts.color(colors.size()));
        }
        Charts.Rendered r = curves.isEmpty() ? null
                : Charts.percentiles(charts, "invocation-latency", "HelloWorld invocation latency, " + t, curves, colors);
        if (r == null) {
            RunPage.skipped(h, "invocation-chart", "Invocation latency", "no percentiles for " + t);
            return;
        }
        RunPage.figure(h, r, "Percentile curves of HelloWorld invocation latency: warm pool, HTTP API, cold VM, torovj run, native",
                "Wall time per invocation by percentile (x: 1/(1−p), log scale; y: log scale), from each way's HdrHistogram "
                        + "log: closed-loop samples, raw.");
    }

    private void table(String chartTransport) {
        List<String> ts = rs.transports().stream().filter(t -> WAYS.stream().anyMatch(w -> has(w, t))).toList();
        h.line("<div class=\"scroll\"><table class=\"values\" id=\"invocation-table\"><thead><tr><th>invocation</th>");
        for (String t : ts) h.line("<th>" + Html.esc(t) + "</th>");
        h.line("<th>target (" + Html.esc(chartTransport) + ")</th></tr></thead><tbody>");
        for (Way w : WAYS) {
            h.line("<tr data-workload=\"" + Html.esc(w.workload()) + "\"><th>" + Html.esc(w.label()) + "<div class=\"s\">"
                    + Html.esc(w.workload()) + "</div></th>");
            for (String t : ts) {
                Optional<MetricRow> p50 = has(w, t) ? rs.find(w.workload(), t, WALL, P50) : Optional.empty();
                if (p50.isEmpty()) {
                    h.line("<td class=\"na\">n/a</td>");
                    continue;
                }
                Optional<MetricRow> p99 = rs.find(w.workload(), t, WALL, P99);
                h.line("<td" + (NATIVE.equals(t) ? " class=\"baseline\"" : "") + "><div class=\"v\">"
                        + Html.esc(DisplayFormat.quantity(true, p50.get().baseValue())) + "</div><div class=\"s\">p50 · p99 "
                        + p99.map(r -> Html.esc(DisplayFormat.quantity(true, r.baseValue()))).orElse("n/a") + " · n="
                        + DisplayFormat.count(p50.get().samples()) + "</div></td>");
            }
            h.line("<td>" + target(w, chartTransport) + "</td></tr>");
        }
        h.line("</tbody></table></div>");
    }

    private boolean has(Way w, String t) {
        return (w.transport() == null ? !NATIVE.equals(t) : w.transport().equals(t)) && rs.find(w.workload(), t, WALL, P50).isPresent();
    }

    /** The way's target for transport {@code t}, with its verdict where the run has what it needs. */
    private String target(Way w, String t) {
        Optional<Double> p50 = p(w.workload(), t, P50), p99 = p(w.workload(), t, P99);
        Optional<Double> nativeSpawn = p(HELLOWORLD, NATIVE, P50);
        return switch (w.kind()) {
            case WARM -> "p50 ≤ " + DisplayFormat.quantity(true, WARM_P50_NS) + " and ≥ " + DisplayFormat.ratio(WARM_SPEEDUP)
                    + " faster than native" + verdict(p50.isPresent() && nativeSpawn.isPresent(),
                    () -> p50.get() <= WARM_P50_NS && nativeSpawn.get() / p50.get() >= WARM_SPEEDUP,
                    () -> DisplayFormat.ratio(nativeSpawn.get() / p50.get()) + " faster");
            case HTTP -> "p50 ≤ " + DisplayFormat.quantity(true, HTTP_P50_NS) + ", p99 ≤ " + DisplayFormat.quantity(true, HTTP_P99_NS)
                    + verdict(p50.isPresent() && p99.isPresent(), () -> p50.get() <= HTTP_P50_NS && p99.get() <= HTTP_P99_NS, () -> "");
            case COLD -> {
                // every transport's p50 against the C lifecycle alone (the program's load is not added to the floor)
                java.util.Map<String, OverFloor> lifecycle = overFloor(rs, w.workload(), C_FLOOR_VM_LIFECYCLE);
                // beside it, for reference: over the C replay of HelloWorld itself (the same guest work, no monitor)
                java.util.Map<String, OverFloor> hello = overFloor(rs, w.workload(), C_FLOOR_VM_HELLO);
                yield "every transport ≤ " + DisplayFormat.ratio(COLD_FLOOR_RATIO) + " the C VM lifecycle (issue 10)"
                        + verdict(!lifecycle.isEmpty(), () -> lifecycle.values().stream().allMatch(r -> r.ratio() <= COLD_FLOOR_RATIO),
                        () -> C_FLOOR_VM_LIFECYCLE + ": " + ratios(lifecycle, "around it"))
                        + (hello.isEmpty() ? "" : "<div class=\"s\">like for like (not a target): over " + C_FLOOR_VM_HELLO
                        + ", pio HelloWorld's own boot image replayed by C: " + Html.esc(ratios(hello, "around it")) + "</div>");
            }
            case CLI -> {
                // every transport's whole command, as the cold VMs' target is judged: one slow transport misses it
                java.util.Map<String, Double> commands = new java.util.LinkedHashMap<>();
                for (String x : rs.transports()) {
                    if (!NATIVE.equals(x)) p(w.workload(), x, P50).ifPresent(v -> commands.put(x, v));
                }
                yield "every transport ≤ " + DisplayFormat.quantity(true, CLI_NS) + " (issue 10)"
                        + verdict(!commands.isEmpty(), () -> commands.values().stream().allMatch(v -> v <= CLI_NS),
                        () -> String.join(", ", commands.entrySet().stream()
                                .map(e -> e.getKey() + " " + DisplayFormat.quantity(true, e.getValue())).toList()));
            }
            case NATIVE_SPAWN -> "baseline";
        };
    }

    /** A transport's value over a floor: the ratio, the floor (ns), and whether the floor was measured beside the transport. */
    record OverFloor(double ratio, double floorNs, boolean own) {}

    /**
     * Each transport's p50 of {@code workload} over floor {@code floor}'s p50: the floor measured
     * beside the transport (under its name) where the run did, else the whole-run probe's (under
     * native).
     */
    static java.util.Map<String, OverFloor> overFloor(ResultSet rs, String workload, String floor) {
        Optional<Double> probe = p(rs, floor, NATIVE, P50);
        java.util.Map<String, OverFloor> out = new java.util.LinkedHashMap<>();
        for (String x : rs.transports()) {
            if (NATIVE.equals(x)) continue;
            Optional<Double> own = p(rs, floor, x, P50);
            Optional<Double> f = own.or(() -> probe).filter(v -> v > 0);
            Optional<Double> value = p(rs, workload, x, P50);
            if (f.isPresent() && value.isPresent()) out.put(x, new OverFloor(value.get() / f.get(), f.get(), own.isPresent()));
        }
        return out;
    }

    /** "pio 1.52× of 508 µs around it, ...": {@link #overFloor}'s ratios, {@code beside} after each floor of the transport's own. */
    private static String ratios(java.util.Map<String, OverFloor> over, String beside) {
        return String.join(", ", over.entrySet().stream().map(e -> e.getKey() + " " + DisplayFormat.ratio(e.getValue().ratio()) + " of "
                + DisplayFormat.quantity(true, e.getValue().floorNs()) + (e.getValue().own() ? " " + beside : "")).toList());
    }

    private Optional<Double> p(String w, String t, String statistic) {
        return p(rs, w, t, statistic);
    }

    private static Optional<Double> p(ResultSet rs, String w, String t, String statistic) {
        return rs.find(w, t, WALL, statistic).or(() -> rs.find(w, t, LATENCY, statistic)).map(MetricRow::baseValue);
    }

    private static String verdict(boolean known, java.util.function.BooleanSupplier met, java.util.function.Supplier<String> detail) {
        if (!known) return " <span class=\"na\">n/a</span>";
        String d = detail.get();
        return "<div class=\"s\"><b>" + (met.getAsBoolean() ? "met" : "missed") + "</b>" + (d.isEmpty() ? "" : " · " + Html.esc(d)) + "</div>";
    }
}
