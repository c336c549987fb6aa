package io.torovj.report;

import static io.torovj.report.ResultsSchema.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Invocations per second through serve's HTTP API against concurrent clients ({@code serve-http-c<N>}), one line per
 * transport, and a table with issue 11's target (≥ {@link #MIN_PER_S} invocations/s with
 * {@link #TARGET_CLIENTS} clients). Larger is better.
 */
final class ThroughputSection {
    static final double MIN_PER_S = 2_000;
    static final int TARGET_CLIENTS = 4;

    private final ResultSet rs;
    private final Html h;
    private final Path charts;

    ThroughputSection(ResultSet rs, Html h, Path charts) {
        this.rs = rs;
        this.h = h;
        this.charts = charts;
    }

    void write() throws IOException {
        h.el("h3", "", "Throughput against concurrent clients");
        List<String> ts = rs.transports().stream()
                .filter(t -> SERVE_CLIENTS.stream().anyMatch(c -> rate(t, c).isPresent())).toList();
        if (ts.isEmpty()) {
            h.line("<p class=\"skipped\" id=\"skipped-throughput\">No serve-http-c* throughput rows in this run.</p>");
            return;
        }
        h.line("<p>HelloWorld invocations per second through the HTTP API with 1 to " + SERVE_CLIENTS.get(SERVE_CLIENTS.size() - 1)
                + " concurrent closed-loop clients on kept-alive connections, a pool of " + SERVE_THROUGHPUT_POOL
                + " VMs. <b>Larger is better.</b> Target: at least " + DisplayFormat.num(MIN_PER_S) + " invocations/s with "
                + TARGET_CLIENTS + " clients. Clients, server and pool share the host's CPUs (see the notes).</p>");
        Map<String, double[][]> series = new LinkedHashMap<>();
        for (String t : ts) {
            List<double[]> pts = new ArrayList<>();
            for (int c : SERVE_CLIENTS) rate(t, c).ifPresent(r -> pts.add(new double[] {c, r}));
            double[][] xy = new double[2][pts.size()];
            for (int i = 0; i < pts.size(); i++) {
                xy[0][i] = pts.get(i)[0];
                xy[1][i] = pts.get(i)[1];
            }
            series.put(t, xy);
        }
        Charts.Rendered r = Charts.lines(charts, "throughput", "HelloWorld through the HTTP API: invocations/s by clients",
                "concurrent clients", "invocations/s (larger is better)", series, Charts.transportColors(rs.transports()));
        if (r == null) {
            RunPage.skipped(h, "throughput", "Throughput", "no positive rates");
        } else {
            RunPage.figure(h, r, "Line chart of invocations per second against concurrent clients, per transport",
                    "One line per transport: invocations completed per second of the measured interval (after a warm-up).");
        }
        h.line("<div class=\"scroll\"><table class=\"values\" id=\"throughput-table\"><thead><tr><th>transport</th>");
        for (int c : SERVE_CLIENTS) h.line("<th>" + c + (c == 1 ? " client" : " clients") + "</th>");
        h.line("<th>target</th></tr></thead><tbody>");
        for (String t : ts) {
            h.line("<tr data-throughput-transport=\"" + Html.esc(t) + "\"><th>" + Html.esc(t) + "</th>");
            for (int c : SERVE_CLIENTS) {
                Optional<MetricRow> row = rs.find(serveHttpClients(c), t, THROUGHPUT, MEAN);
                h.line(row.map(x -> "<td><div class=\"v\">" + DisplayFormat.num(x.value()) + "/s</div><div class=\"s\">n="
                        + DisplayFormat.count(x.samples()) + "</div></td>").orElse("<td class=\"na\">n/a</td>"));
            }
            String verdict = rate(t, TARGET_CLIENTS).map(v -> v >= MIN_PER_S ? "met" : "missed").orElse("n/a");
            h.line("<td class=\"" + verdict.replace('/', '-') + "\">" + verdict + "</td></tr>");
        }
        h.line("</tbody></table></div>");
    }

    private Optional<Double> rate(String t, int clients) {
        return rs.find(serveHttpClients(clients), t, THROUGHPUT, MEAN).map(MetricRow::value);
    }
}
