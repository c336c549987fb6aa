package io.torovj.report;

import static io.torovj.report.ResultsSchema.*;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The report's price-of-polling section: the think workloads ({@code think-<ns>}) as one figure of two panels,
 * latency per call (p50) and host CPU per call against the guest's think time, one line per transport; a sentence
 * per polling transport saying from which think time pio costs less host CPU per call; and the numbers in a table.
 */
final class ThinkTimeSection {
    /** The exit-based transport the polling ones are compared with. */
    static final String EXIT_TRANSPORT = "pio";

    private final ResultSet rs;
    private final Html h;
    private final Path chartsDir;
    private final Map<String, Color> colors;
    private final List<String> workloads;
    private final List<String> transports;

    ThinkTimeSection(ResultSet rs, Html h, Path chartsDir, Map<String, Color> colors) {
        this.rs = rs;
        this.h = h;
        this.chartsDir = chartsDir;
        this.colors = colors;
        this.workloads = rs.workloads().stream().filter(ResultsSchema::isThink)
                .sorted(Comparator.comparingLong(ResultsSchema::thinkNanos)).toList();
        this.transports = rs.transports().stream()
                .filter(t -> workloads.stream().anyMatch(w -> rs.find(w, t, CPU_PER_CALL, MEAN).isPresent()
                        || rs.find(w, t, LATENCY, P50).isPresent())).toList();
    }

    /** The section's body (the caller writes the heading). */
    void write() throws IOException {
        if (workloads.isEmpty()) {
            h.line("<p class=\"skipped\" id=\"skipped-think\">No think-time rows in this run (the run predates them)."
                    + "</p>");
            return;
        }
        h.line("<p>The <code>think</code> workload makes getppid calls with a fixed <b>think time</b> between them, "
                + "spent computing in the guest (a TSC spin, no syscall). <b>Left</b>: latency per call (p50; each "
                + "call timed alone, the think time excluded). <b>Right</b>: host CPU time per call: the CPU time of "
                + "the monitor's whole JVM over the run (every thread: the vCPU thread, which also runs the guest's "
                + "think time, the pollers, the VM's set-up and teardown, JIT and GC) divided by the calls; native: "
                + "the process's user+system time. The think time is in every line, native's too (dashed), so a "
                + "transport's own price is its height above native. A polling transport answers fast but its "
                + "poller burns a host core through the think time, so its CPU per call grows with it; an exit "
                + "transport (pio) pays a VM exit per call and nothing while the guest thinks. Smaller is better on "
                + "both panels.</p>");
        for (String s : readings()) {
            h.line("<p class=\"reading\">" + s + "</p>");
        }
        Charts.Rendered latency = ThinkTimeCharts.panel(chartsDir, "think-latency", "Latency per call (p50)",
                "latency per call", series(LATENCY, P50), colors);
        Charts.Rendered cpu = ThinkTimeCharts.panel(chartsDir, "think-cpu", "Host CPU time per call",
                "host CPU per call", series(CPU_PER_CALL, MEAN), colors);
        if (latency == null && cpu == null) {
            h.line("<p class=\"skipped\" id=\"skipped-think-chart\">The price of polling: chart skipped — no value "
                    + "above 0 to draw.</p>");
        } else {
            h.line("<figure class=\"chart\" id=\"chart-think\"><div style=\"display:flex;flex-wrap:wrap;gap:8px\">");
            List<String> notes = new ArrayList<>();
            List<String> svgs = new ArrayList<>();
            for (Charts.Rendered r : new Charts.Rendered[] {latency, cpu}) {
                if (r == null) {
                    continue;
                }
                h.line("<img src=\"" + Html.esc(r.png()) + "\" width=\"" + r.width() + "\" height=\"" + r.height()
                        + "\" alt=\"" + Html.esc(r.title() + " against the guest's think time, per transport, log "
                        + "scales") + "\">");
                notes.addAll(r.notes());
                svgs.add("<a href=\"" + Html.esc(r.svg()) + "\">SVG (" + Html.esc(r.title().toLowerCase()) + ")</a>");
            }
            h.line("</div><figcaption>Latency and host CPU per call against the guest's think time between calls, "
                    + "one line per transport; both axes logarithmic, think time 0 (back-to-back calls) drawn at the "
                    + "left. " + String.join(" · ", svgs)
                    + (notes.isEmpty() ? "" : "<br><span class=\"warn\">" + Html.esc(String.join("; ", notes))
                    + "</span>") + "</figcaption></figure>");
        }
        table();
    }

    /** One sentence per polling transport: from which think time pio costs less host CPU per call than it. */
    List<String> readings() {
        List<String> out = new ArrayList<>();
        if (!transports.contains(EXIT_TRANSPORT)) {
            return out;
        }
        for (String t : transports) {
            if (NATIVE.equals(t) || EXIT_TRANSPORT.equals(t)) {
                continue;
            }
            String from = null;
            String figures = null;
            for (String w : workloads) {
                Optional<Double> pio = value(w, EXIT_TRANSPORT, CPU_PER_CALL, MEAN);
                Optional<Double> other = value(w, t, CPU_PER_CALL, MEAN);
                if (pio.isPresent() && other.isPresent() && pio.get() < other.get()) {
                    from = w;
                    figures = Html.esc(EXIT_TRANSPORT) + " " + Html.esc(DisplayFormat.quantity(true, pio.get()))
                            + " against " + Html.esc(t) + " " + Html.esc(DisplayFormat.quantity(true, other.get()));
                    break;
                }
            }
            out.add(from == null
                    ? "<b>" + Html.esc(t) + "</b> costs no more host CPU per call than " + EXIT_TRANSPORT
                            + " at any think time measured."
                    : "<b>" + Html.esc(EXIT_TRANSPORT) + " costs less host CPU per call than " + Html.esc(t)
                            + "</b> from a think time of " + Html.esc(thinkLabel(from)) + " on (first at that point: "
                            + figures + " per call).");
        }
        return out;
    }

    private List<ThinkTimeCharts.Series> series(String metric, String statistic) {
        List<ThinkTimeCharts.Series> out = new ArrayList<>();
        for (String t : transports) {
            List<long[]> think = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            for (String w : workloads) {
                value(w, t, metric, statistic).ifPresent(v -> {
                    think.add(new long[] {thinkNanos(w)});
                    values.add(v);
                });
            }
            if (!values.isEmpty()) {
                out.add(new ThinkTimeCharts.Series(t, think.stream().mapToLong(a -> a[0]).toArray(),
                        values.stream().mapToDouble(Double::doubleValue).toArray()));
            }
        }
        return out;
    }

    private void table() {
        h.line("<div class=\"scroll\"><table class=\"values\" id=\"think-table\"><thead><tr><th>think time</th>");
        for (String t : transports) {
            h.line("<th>" + Html.esc(t) + (NATIVE.equals(t) ? " <span class=\"s\">(baseline)</span>" : "") + "</th>");
        }
        h.line("</tr></thead><tbody>");
        for (String w : workloads) {
            h.line("<tr data-workload=\"" + Html.esc(w) + "\"><th>" + Html.esc(thinkLabel(w))
                    + "<div class=\"s\">" + Html.esc(w) + "</div></th>");
            for (String t : transports) {
                Optional<Double> p50 = value(w, t, LATENCY, P50);
                Optional<Double> p99 = value(w, t, LATENCY, P99);
                Optional<MetricRow> cpu = rs.find(w, t, CPU_PER_CALL, MEAN);
                if (p50.isEmpty() && cpu.isEmpty()) {
                    h.line("<td class=\"na\">n/a</td>");
                    continue;
                }
                h.line("<td" + (NATIVE.equals(t) ? " class=\"baseline\"" : "") + "><div class=\"v\">"
                        + p50.map(v -> Html.esc(DisplayFormat.quantity(true, v))).orElse("n/a") + "</div>"
                        + "<div class=\"s\">p50 · p99 " + p99.map(v -> Html.esc(DisplayFormat.quantity(true, v)))
                        .orElse("n/a") + "</div><div class=\"m\">host CPU "
                        + cpu.map(r -> Html.esc(DisplayFormat.quantity(true, r.baseValue())) + " per call · n="
                        + DisplayFormat.count(r.samples())).orElse("n/a") + "</div></td>");
            }
            h.line("</tr>");
        }
        h.line("</tbody></table></div>");
    }

    /** "0 (back to back)", "1 µs", "10 ms", ... */
    static String thinkLabel(String workload) {
        long ns = thinkNanos(workload);
        return ns == 0 ? "0 (back to back)" : DisplayFormat.quantity(true, ns);
    }

    private Optional<Double> value(String w, String t, String metric, String statistic) {
        return rs.find(w, t, metric, statistic).map(MetricRow::baseValue);
    }
}
