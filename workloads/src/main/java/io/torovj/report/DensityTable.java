package io.torovj.report;

import static io.torovj.report.ResultsSchema.*;

import java.util.List;
import java.util.Optional;

/**
 * The monitor's memory per VM, per transport: idle pooled HelloWorld VMs ({@link ResultsSchema#SERVE_POOL}, the
 * density: VMs per GiB of monitor RSS, issue 11's target ≥ {@link #MIN_VMS_PER_GIB}) and live echo VMs
 * ({@link ResultsSchema#ECHO}, issue 10's target ≤ {@link #MAX_LIVE_BYTES}), each with the host kernel's memory per
 * VM beside it. Smaller is better for memory, larger for density.
 */
final class DensityTable {
    static final double MIN_VMS_PER_GIB = 1_000;
    static final double MAX_LIVE_BYTES = 256 * 1024;
    private static final double GIB = 1024.0 * 1024 * 1024;

    private final ResultSet rs;
    private final Html h;

    DensityTable(ResultSet rs, Html h) {
        this.rs = rs;
        this.h = h;
    }

    void write() {
        h.el("h3", "", "Density and memory per VM");
        List<String> ts = rs.transports().stream().filter(t -> perVm(SERVE_POOL, t, HOST_RSS_PER_VM).isPresent()
                || perVm(ECHO, t, HOST_RSS_PER_VM).isPresent()).toList();
        if (ts.isEmpty()) {
            h.line("<p class=\"skipped\" id=\"skipped-density\">No serve-pool or echo host_rss_per_vm rows in this run.</p>");
            return;
        }
        h.line("<p>What one more VM costs the monitor: the least-squares slope of its memory against the number of VMs alive "
                + "(0, n/2 and n; the points, the fits and R² are in the notes), the RSS slope plus the live-Java-heap slope, "
                + "in a JVM with a fixed, pre-touched heap. <b>Pooled</b>: idle HelloWorld VMs of a serve pool (built, booted, "
                + "each on its worker thread); VMs/GiB = 1 GiB ÷ that cost (target ≥ " + DisplayFormat.num(MIN_VMS_PER_GIB)
                + ", larger is better). <b>Live</b>: echo guests blocked in accept, with their vCPU and poller threads (target ≤ "
                + DisplayFormat.quantity(false, MAX_LIVE_BYTES) + "). Host kernel: the slope of the host's Slab, page tables and "
                + "kernel stacks (KVM's own memory), host-wide and so noisier.</p>");
        h.line("<div class=\"scroll\"><table class=\"values\" id=\"density-table\"><thead><tr><th>transport</th>"
                + "<th>pooled: monitor per VM</th><th>VMs per GiB</th><th>target</th><th>pooled: host kernel per VM</th>"
                + "<th>live: monitor per VM</th><th>target</th><th>live: host kernel per VM</th></tr></thead><tbody>");
        for (String t : ts) {
            Optional<MetricRow> pooled = perVm(SERVE_POOL, t, HOST_RSS_PER_VM), live = perVm(ECHO, t, HOST_RSS_PER_VM);
            Optional<Double> density = pooled.filter(r -> r.value() > 0).map(r -> GIB / r.baseValue());
            String dVerdict = density.map(d -> d >= MIN_VMS_PER_GIB ? "met" : "missed").orElse("n/a");
            String lVerdict = live.map(r -> r.baseValue() <= MAX_LIVE_BYTES ? "met" : "missed").orElse("n/a");
            h.line("<tr data-density-transport=\"" + Html.esc(t) + "\"><th>" + Html.esc(t) + "</th>" + bytes(pooled)
                    + "<td>" + density.map(DisplayFormat::num).orElse("n/a") + "</td>"
                    + "<td class=\"" + dVerdict.replace('/', '-') + "\">" + dVerdict + "</td>"
                    + bytes(perVm(SERVE_POOL, t, HOST_KERNEL_PER_VM)) + bytes(live)
                    + "<td class=\"" + lVerdict.replace('/', '-') + "\">" + lVerdict + "</td>"
                    + bytes(perVm(ECHO, t, HOST_KERNEL_PER_VM)) + "</tr>");
        }
        h.line("</tbody></table></div>");
    }

    private Optional<MetricRow> perVm(String w, String t, String metric) {
        return rs.find(w, t, metric, MEAN);
    }

    private static String bytes(Optional<MetricRow> row) {
        return row.map(r -> "<td><div class=\"v\">" + Html.esc(DisplayFormat.quantity(false, r.baseValue())) + "</div><div class=\"s\">n="
                + DisplayFormat.count(r.samples()) + " VMs</div></td>").orElse("<td class=\"na\">n/a</td>");
    }
}
