package io.torovj.report;

import static io.torovj.report.ResultsSchema.*;

import java.util.Optional;

/**
 * The report's httpd section: the HTTP server workload under wrk, per transport, against its native build in the
 * same run: requests per second (larger is better) and latency p50 and p99 of whole requests (smaller is better),
 * each with its ratio to native, and issue 11's targets (≥ 0.8× native requests/s and p99 ≤ 2× native).
 */
final class HttpdTable {
    /** Issue 11's targets for the server in a VM, relative to native. */
    static final double MIN_THROUGHPUT_RATIO = 0.8, MAX_P99_RATIO = 2.0;

    private final ResultSet rs;
    private final Html h;

    HttpdTable(ResultSet rs, Html h) {
        this.rs = rs;
        this.h = h;
    }

    /** The section's body (the caller writes the heading). */
    void write() {
        if (!rs.has(HTTPD, THROUGHPUT)) {
            h.line("<p class=\"skipped\" id=\"skipped-httpd\">No httpd rows in this run (wrk not installed, or the run"
                    + " predates them): see the notes.</p>");
            return;
        }
        h.line("<p>The <code>httpd</code> workload (one epoll loop, keep-alive) answering <code>GET /</code> under "
                + "<code>wrk</code>, with the same threads, connections and duration for every transport and for the "
                + "native build (the command is in the notes). <b>Larger is better</b> for requests/s, smaller for "
                + "latency (whole requests as wrk sees them, not syscalls). Targets: at least "
                + DisplayFormat.ratio(MIN_THROUGHPUT_RATIO) + " native requests/s and a p99 at most "
                + DisplayFormat.ratio(MAX_P99_RATIO) + " native's.</p>");
        Optional<Double> nativeRate = value(NATIVE, THROUGHPUT, MEAN);
        Optional<Double> nativeP99 = value(NATIVE, LATENCY, P99);
        h.line("<div class=\"scroll\"><table class=\"values\" id=\"httpd-table\"><thead><tr><th>transport</th>"
                + "<th>requests/s</th><th>× native</th><th>p50</th><th>p99</th><th>p99 × native</th>"
                + "<th>targets</th><th>requests</th></tr></thead><tbody>");
        for (String t : rs.transports()) {
            Optional<Double> rate = value(t, THROUGHPUT, MEAN);
            if (rate.isEmpty()) continue;
            Optional<Double> p50 = value(t, LATENCY, P50), p99 = value(t, LATENCY, P99);
            Optional<Double> rateRatio = ratio(rate, nativeRate), p99Ratio = ratio(p99, nativeP99);
            String target = NATIVE.equals(t) ? "baseline"
                    : rateRatio.isEmpty() || p99Ratio.isEmpty() ? "n/a"
                    : rateRatio.get() >= MIN_THROUGHPUT_RATIO && p99Ratio.get() <= MAX_P99_RATIO ? "met" : "missed";
            long requests = rs.find(HTTPD, t, THROUGHPUT, MEAN).map(MetricRow::samples).orElse(0L);
            h.line("<tr data-transport=\"" + Html.esc(t) + "\"><th>" + Html.esc(t) + "</th>"
                    + "<td>" + DisplayFormat.num(rate.get()) + "</td>"
                    + "<td>" + rateRatio.map(DisplayFormat::ratio).orElse("n/a") + "</td>"
                    + "<td>" + p50.map(v -> DisplayFormat.quantity(true, v)).orElse("n/a") + "</td>"
                    + "<td>" + p99.map(v -> DisplayFormat.quantity(true, v)).orElse("n/a") + "</td>"
                    + "<td>" + p99Ratio.map(DisplayFormat::ratio).orElse("n/a") + "</td>"
                    + "<td class=\"" + target + "\">" + target + "</td>"
                    + "<td>" + DisplayFormat.count(requests) + "</td></tr>");
        }
        h.line("</tbody></table></div>");
    }

    /** The row's value in base units (ns for latency, per second for throughput). */
    private Optional<Double> value(String t, String metric, String statistic) {
        return rs.find(HTTPD, t, metric, statistic).map(MetricRow::baseValue);
    }

    private static Optional<Double> ratio(Optional<Double> a, Optional<Double> b) {
        return a.isPresent() && b.isPresent() && b.get() > 0 ? Optional.of(a.get() / b.get()) : Optional.empty();
    }
}
