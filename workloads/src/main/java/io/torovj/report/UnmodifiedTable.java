package io.torovj.report;

import static io.torovj.report.ResultsSchema.*;

import java.util.Optional;

/**
 * The report's "Unmodified binaries" section: per transport, the native build of nullcall run
 * as a VM unmodified (its {@code syscall} site patched into the transport, and with every call
 * trapping) beside its runtime-linked twin, all measured in this run. Issue 12's target: the
 * patched binary costs at most {@link #TARGET_RATIO}x the twin on the same transport.
 */
final class UnmodifiedTable {
    static final double TARGET_RATIO = 2.0;
    /** gVisor's ptrace platform, one getpid-class syscall, measured on this host (issue 12): not this run. */
    static final String GVISOR_REFERENCE = "gVisor's ptrace platform: ~62 µs per system call, measured on this "
            + "host when issue 12 was filed (not in this run; runsc is not installed here)";

    private final ResultSet rs;
    private final Html h;

    UnmodifiedTable(ResultSet rs, Html h) {
        this.rs = rs;
        this.h = h;
    }

    private Optional<CellValues.Cell> p50(String w, String t) {
        return CellValues.of(rs, w, t, LATENCY, P50);
    }

    private static String cell(Optional<CellValues.Cell> c, String why) {
        return c.map(v -> "<td><div class=\"v\">" + Html.esc(DisplayFormat.quantity(true, v.base())) + "</div><div class=\"s\">n="
                + DisplayFormat.count(v.samples()) + "</div></td>").orElse("<td class=\"na\">" + Html.esc(why) + "</td>");
    }

    private static String ratio(Optional<CellValues.Cell> a, Optional<CellValues.Cell> b, Double target) {
        if (a.isEmpty() || b.isEmpty() || b.get().base() <= 0) return "<td class=\"na\">n/a</td>";
        double r = a.get().base() / b.get().base();
        String verdict = target == null ? "" : "<div class=\"s\">" + (r <= target ? "target held" : "target missed")
                + " (≤ " + DisplayFormat.ratio(target) + ")</div>";
        return "<td class=\"ratio\" data-held=\"" + (target == null || r <= target) + "\"><div class=\"v\">"
                + Html.esc(DisplayFormat.ratio(r)) + "</div>" + verdict + "</td>";
    }

    /** The section's body (the caller writes the heading); nothing if the run has no unmodified rows. */
    void write() {
        boolean any = rs.transports().stream().anyMatch(t -> p50(NULLCALL_UNMODIFIED, t).isPresent());
        if (!any) {
            h.line("<p class=\"skipped\" id=\"skipped-unmodified\">No unmodified-binary rows in this run.</p>");
            return;
        }
        h.line("<p>The native build of <code>nullcall</code> — the very file the native rows run, which makes its "
                + "calls with the <code>syscall</code> instruction — run as a VM unmodified. <b>patched</b>: its call "
                + "site traps once, then the monitor rewrites it into a jump through the syscall shim to the transport "
                + "(<code>--syscall-entry patch</code>, the default); <b>trapped</b>: every call exits to the monitor "
                + "through the entry stub (<code>--syscall-entry trap</code>). Both beside the runtime-linked build on "
                + "the same transport, p50 per call, same run. " + Html.esc(GVISOR_REFERENCE) + ".</p>");
        h.line("<div class=\"scroll\"><table class=\"values\" id=\"unmodified\"><thead><tr><th>transport</th>"
                + "<th>runtime-linked p50</th><th>unmodified, patched p50</th><th>patched ÷ runtime-linked</th>"
                + "<th>unmodified, trapped p50</th><th>trapped ÷ patched</th></tr></thead><tbody>");
        for (String t : rs.transports()) {
            if (NATIVE.equals(t)) continue;
            Optional<CellValues.Cell> linked = p50(NULLCALL, t), patched = p50(NULLCALL_UNMODIFIED, t),
                    trapped = p50(NULLCALL_TRAPPED, t);
            h.line("<tr data-transport=\"" + Html.esc(t) + "\"><th>" + Html.esc(t) + "</th>"
                    + cell(linked, "n/a: no nullcall p50") + cell(patched, "n/a: not measured")
                    + ratio(patched, linked, TARGET_RATIO) + cell(trapped, "n/a: not measured")
                    + ratio(trapped, patched, null) + "</tr>");
        }
        h.line("</tbody></table></div>");
    }
}
