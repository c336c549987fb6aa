package io.torovj.report;

import static io.torovj.report.ResultsSchema.*;

import java.util.Optional;

/**
 * The report's request/response section (ResultsSchema, "echo-rr"): the echo workload driven as netperf's TCP_RR
 * does, timed at the client, per transport against its native build in the same run: round-trip percentiles
 * (smaller is better) and transactions per second (larger is better), each with its ratio to native. This, not
 * echo's guest-timed calls, is what compares the transports on a network round trip.
 */
final class RequestResponseTable {
    private final ResultSet rs;
    private final Html h;

    RequestResponseTable(ResultSet rs, Html h) {
        this.rs = rs;
        this.h = h;
    }

    /** The section's body (the caller writes the heading). */
    void write() {
        if (!rs.has(ECHO_RR, LATENCY)) {
            h.line("<p class=\"skipped\" id=\"skipped-rr\">No echo-rr rows in this run (it predates them): no"
                    + " request/response table.</p>");
            return;
        }
        long transactions = rs.find(ECHO_RR, NATIVE, THROUGHPUT, MEAN).map(MetricRow::samples)
                .orElseGet(() -> rs.rows().stream().filter(r -> r.workload().equals(ECHO_RR)).mapToLong(MetricRow::samples)
                        .max().orElse(0L));
        h.line("<p>The <code>echo</code> server (natively, and as a VM over each transport) under a client that "
                + "times each <b>request/response at the client</b>, as netperf's TCP_RR does: " + RR_CONNECTIONS
                + " TCP connection with TCP_NODELAY, a <b>" + RR_MESSAGE_BYTES + "-byte request</b> and its "
                + RR_MESSAGE_BYTES + "-byte echo, one transaction in flight, <b>" + DisplayFormat.count(transactions)
                + " timed transactions</b> per target after an untimed warm-up (see the notes), "
                + "<code>System.nanoTime</code> before the send and after the last byte back; the same for every "
                + "target in this run. A round trip covers both directions of loopback TCP and the server's receive "
                + "and send, however it makes them. Smaller is better for round trips, <b>larger is better</b> for "
                + "transactions/s. echo's own latency rows (each recv and send timed inside the guest) include "
                + "waiting for the client and are not a transport cost: they are left out of the per-call table and "
                + "chart.</p>");
        Optional<Double> nativeP50 = value(NATIVE, LATENCY, P50);
        Optional<Double> nativeRate = value(NATIVE, THROUGHPUT, MEAN);
        h.line("<div class=\"scroll\"><table class=\"values\" id=\"rr-table\"><thead><tr><th>transport</th>"
                + "<th>p50</th><th>p50 × native</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th>"
                + "<th>transactions/s</th><th>× native</th><th>transactions</th></tr></thead><tbody>");
        for (String t : rs.transports()) {
            Optional<Double> p50 = value(t, LATENCY, P50);
            Optional<Double> rate = value(t, THROUGHPUT, MEAN);
            if (p50.isEmpty() && rate.isEmpty()) continue;
            boolean baseline = NATIVE.equals(t);
            long n = rs.find(ECHO_RR, t, LATENCY, P50).or(() -> rs.find(ECHO_RR, t, THROUGHPUT, MEAN))
                    .map(MetricRow::samples).orElse(0L);
            h.line("<tr data-transport=\"" + Html.esc(t) + "\"" + (baseline ? " class=\"baseline\"" : "") + "><th>"
                    + Html.esc(t) + (baseline ? " <span class=\"s\">(baseline)</span>" : "") + "</th>"
                    + time(p50) + "<td>" + (baseline ? "baseline" : ratio(p50, nativeP50)) + "</td>"
                    + time(value(t, LATENCY, P90)) + time(value(t, LATENCY, P99)) + time(value(t, LATENCY, P999))
                    + time(value(t, LATENCY, MAX))
                    + "<td>" + rate.map(DisplayFormat::num).orElse("n/a") + "</td>"
                    + "<td>" + (baseline ? "baseline" : ratio(rate, nativeRate)) + "</td>"
                    + "<td>" + DisplayFormat.count(n) + "</td></tr>");
        }
        h.line("</tbody></table></div>");
    }

    private static String time(Optional<Double> nanos) {
        return "<td>" + nanos.map(v -> DisplayFormat.quantity(true, v)).orElse("n/a") + "</td>";
    }

    /** The row's value in base units (ns for latency, per second for throughput). */
    private Optional<Double> value(String t, String metric, String statistic) {
        return rs.find(ECHO_RR, t, metric, statistic).map(MetricRow::baseValue);
    }

    private static String ratio(Optional<Double> a, Optional<Double> b) {
        return a.isPresent() && b.isPresent() && b.get() > 0 ? DisplayFormat.ratio(a.get() / b.get()) : "n/a";
    }
}
