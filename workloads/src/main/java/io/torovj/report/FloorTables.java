package io.torovj.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static io.torovj.report.ResultsSchema.*;

/**
 * The report's floor section: each transport's distance to the physical floor measured by plain C in the same run
 * (the cfloor tool), the native timer check, and every C floor's distribution. Rows as {@link ResultsSchema}
 * ("Floors") lays them out: every C floor under {@code native}, each transport's headline C floor again under its
 * name.
 */
final class FloorTables {
    /** How far the native nullcall, less the timer, may be from a plain C loop. */
    static final double NATIVE_TOLERANCE = 0.10;
    /** Issue 10's targets for nullcall ÷ its C floor: an exit-based transport, and a shared-memory one. */
    static final double EXIT_TARGET = 1.05;
    static final double SHARED_MEMORY_TARGET = 1.25;

    /** The target of nullcall ÷ this headline floor, if it has one. */
    static Optional<Double> target(String floor) {
        return switch (floor) {
            case C_FLOOR_PIO_EXIT_GETPPID, C_FLOOR_MMIO_EXIT_GETPPID -> Optional.of(EXIT_TARGET);
            case C_FLOOR_RING_1LINE_GETPPID -> Optional.of(SHARED_MEMORY_TARGET);
            default -> Optional.empty();
        };
    }

    private final ResultSet rs;
    private final Html h;

    FloorTables(ResultSet rs, Html h) {
        this.rs = rs;
        this.h = h;
    }

    /** What each C floor measures, for the table. */
    static String describe(String floor) {
        return switch (floor) {
            case C_FLOOR_TIMER_OVERHEAD -> "an empty lfence;rdtsc pair: what every per-call sample adds";
            case C_FLOOR_NATIVE_GETPPID -> "getppid by the syscall instruction, an rdtsc pair around each call";
            case C_FLOOR_NATIVE_GETPPID_LOOP -> "the same, timed per batch of 100 calls (no timer in the loop)";
            case C_FLOOR_NATIVE_GETPPID_LIBC -> "glibc's getppid() (a call around the syscall), an rdtsc pair "
                    + "around each call";
            case C_FLOOR_NATIVE_GETPPID_LIBC_LOOP -> "the same, per batch of 100 calls: a plain C loop";
            case C_FLOOR_NATIVE_WRITE -> "write(fd of /dev/null, 64 bytes), per call";
            case C_FLOOR_PINGPONG -> "two host threads bouncing one cache line: a round trip";
            case C_FLOOR_PIO_EXIT -> "CPL3 guest: out to a port the TSS bitmap grants → KVM_EXIT_IO → KVM_RUN";
            case C_FLOOR_PIO_EXIT_GETPPID -> "the same, with a getppid by the host per exit";
            case C_FLOOR_MMIO_EXIT -> "CPL3 guest: a store to an unbacked page → KVM_EXIT_MMIO → KVM_RUN";
            case C_FLOOR_MMIO_EXIT_GETPPID -> "the same, with a getppid by the host per exit";
            case C_FLOOR_RING_1LINE -> "CPL3 guest writes a request line, spins on an answer line; a host thread "
                    + "polls and answers";
            case C_FLOOR_RING_1LINE_GETPPID -> "the same, with a real getppid per request (an inline syscall instruction)";
            case C_FLOOR_RING_1LINE_GETPPID_LIBC -> "the same, with glibc's getppid() (a call, as the JVM's poller makes "
                    + "through jnr-ffi; where the kernel stuffs the return predictor, the ret after the syscall mispredicts)";
            case C_FLOOR_RING_6LINE -> "the ring transports' former six-line layout (SQE, sq_tail, sq_head, cq_head, CQE, cq_tail), "
                    + "ring.h's steps in the guest";
            case C_FLOOR_RING_6LINE_GETPPID -> "the same, with a real getppid per request";
            case C_FLOOR_VM_LIFECYCLE -> "create VM, 4 MiB, vCPU, sregs, run to the first out, close; "
                    + "an idle standby VM open, as the monitor keeps one";
            case C_FLOOR_VM_LIFECYCLE_COLD -> "the same with no other VM of its own open: KVM's static keys flip on and "
                    + "off per VM, unless another process holds a vCPU (the keys are the kernel's: in the bench the "
                    + "monitor's standby keeps them on, so this matches the line above; run cfloor alone to see the flip)";
            case C_FLOOR_VM_LIFECYCLE_UNPINNED -> "the lifecycle above with its thread on every CPU, not pinned to one: "
                    + "KVM's per-VM worker inherits the creating thread's CPUs and then starts and stops across CPUs "
                    + "(an IPI each); the cold VMs are measured pinned, as the lifecycle above is";
            case C_FLOOR_VM_HELLO -> "the monitor's own pio HelloWorld, replayed by C from the boot image its build wrote "
                    + "(the same RAM, pages, registers and MSRs; its write and exit_group served): the same guest work as a cold "
                    + "pio VM, without the monitor";
            default -> "";
        };
    }

    /** The C floors present, known ones in {@link ResultsSchema#C_FLOORS} order. */
    List<String> present() {
        return rs.workloads().stream().filter(ResultsSchema::isCFloor).toList();
    }

    private Optional<CellValues.Cell> p50(String w, String t) {
        return CellValues.of(rs, w, t, LATENCY, P50);
    }

    private static String ns(CellValues.Cell c) {
        return DisplayFormat.quantity(true, c.base());
    }

    private static String ns(double base) {
        return DisplayFormat.quantity(true, base);
    }

    private static String na(String why) {
        return "<td class=\"na\">" + Html.esc(why) + "</td>";
    }

    /** The whole section's body (the caller writes the heading). */
    void write() {
        List<String> floors = present();
        if (floors.isEmpty()) {
            h.line("<p class=\"skipped\" id=\"skipped-floors\">No C floors in this run (the cfloor tool did not run): "
                    + "no distance to the floor.</p>");
            return;
        }
        distance();
        timerCheck();
        floorTable(floors);
    }

    // ---- distance to the floor ----

    private void distance() {
        h.el("h3", "", "Distance to the floor");
        h.line("<p>Per transport: its <code>nullcall</code> median (a getppid through the monitor, timed by the guest "
                + "with an lfence;rdtsc pair around each call) beside the median of the cheapest C program doing the "
                + "same thing the same way, measured on this host in this run by the <code>cfloor</code> tool "
                + "(its own KVM VM, vCPU at CPL3, guest-side rdtsc pairs, so the timer's cost is on both sides and "
                + "cancels in the difference). The floor: for an exit-based transport (pio, mmio), that exit with "
                + "the host doing one getppid per exit (<code>" + C_FLOOR_PIO_EXIT_GETPPID + "</code>, <code>"
                + C_FLOOR_MMIO_EXIT_GETPPID + "</code>); for a shared-memory transport (ring, aring, line), a request line "
                + "and an answer line polled by a host thread doing one getppid per request (<code>"
                + C_FLOOR_RING_1LINE_GETPPID + "</code>). Every floor thus does the one host syscall a nullcall "
                + "makes. <b>Monitor overhead</b> = nullcall p50 − floor p50: what the monitor adds over the "
                + "mechanism. For shared memory, the nullcall's ratio to the same floor with glibc's getppid() called "
                + "instead of the syscall instruction inlined (<code>" + C_FLOOR_RING_1LINE_GETPPID_LIBC + "</code>): "
                + "the JVM's poller can only call, and on a host whose kernel stuffs the return predictor the "
                + "ret after each syscall mispredicts. Beside it, the bare mechanism without the syscall, and the floor measured through "
                + "the monitor (its null doorbell, or two Java threads). The floors on this host move between minutes "
                + "with where the hypervisor below places its vCPUs, so the bench measures a transport's floor right "
                + "before its first nullcall VM, between every two of them and after the last: the floor shown is the "
                + "mean of those, with the cache-line ping-pong of the two host threads at the first and last. Both "
                + "the floor and the monitor run in one of a few placements that change within seconds (two ring floors "
                + "a second apart: 260 and 631 ns) and what the host adds only ever adds time, so the target is judged "
                + "best against best: the fastest VM's p50 over the fastest floor's, undecided where a side's fastest "
                + "is not confirmed by a second draw within " + Math.round(100 * PAIRED_FLOOR_MAX_DRIFT) + "% or the "
                + "ratio is below " + DisplayFormat.ratio(MIN_BEST_RATIO) + " (the floors missed a placement the VMs met; each VM's "
                + "ratio to the floors right around it is listed too); "
                + "targets (issue 10): nullcall ÷ floor ≤ " + DisplayFormat.ratio(EXIT_TARGET) + " for an exit, ≤ "
                + DisplayFormat.ratio(SHARED_MEMORY_TARGET) + " for shared memory.</p>");
        Map<String, String> cFloors = CellValues.cFloors(rs);
        Map<String, String> monitorFloors = CellValues.floors(rs);
        h.line("<div class=\"scroll\"><table class=\"values\" id=\"floor-distance\"><thead><tr><th>transport</th>"
                + "<th>nullcall p50</th><th>C floor p50</th><th>nullcall ÷ floor</th><th>target</th><th>monitor overhead</th>"
                + "<th>÷ the floor with a libc call</th><th>bare mechanism p50</th><th>monitor's own floor p50</th></tr></thead><tbody>");
        int rows = 0;
        for (String t : rs.transports()) {
            if (NATIVE.equals(t)) {
                continue;
            }
            rows++;
            String floor = cFloors.get(t);
            Optional<CellValues.Cell> call = p50(NULLCALL, t);
            Optional<CellValues.Cell> fl = floor == null ? Optional.empty() : p50(floor, t);
            StringBuilder tr = new StringBuilder("<tr data-transport=\"" + Html.esc(t) + "\"><th>" + Html.esc(t)
                    + "</th>");
            tr.append(call.map(c -> "<td><div class=\"v\">" + Html.esc(ns(c)) + "</div><div class=\"s\">n="
                    + DisplayFormat.count(c.samples()) + "</div></td>").orElse(na("n/a: no nullcall p50")));
            if (fl.isPresent()) {
                CellValues.Cell f = fl.get();
                tr.append("<td><div class=\"v\">").append(Html.esc(ns(f))).append("</div><div class=\"s\">")
                        .append(Html.esc(floor)).append(" · n=").append(DisplayFormat.count(f.samples()))
                        .append("</div>").append(pairedNote(t)).append("</td>");
            } else {
                tr.append(na(floor == null ? "n/a: no C floor for " + t + " in this run" : "n/a"));
            }
            if (call.isPresent() && fl.isPresent() && fl.get().base() > 0) {
                double c = call.get().base();
                double f = fl.get().base();
                tr.append("<td class=\"ratio\"><div class=\"v\">").append(Html.esc(DisplayFormat.ratio(c / f)))
                        .append("</div></td>");
                Optional<Double> goal = target(floor);
                Judged j = judged(rs, t, c / f);
                tr.append(goal.map(g -> "<td class=\"target\"><div class=\"v\">"
                        + (j.undecided() != null ? "not decided" : j.ratio() <= g ? "held" : "missed")
                        + "</div><div class=\"s\">≤ " + Html.esc(DisplayFormat.ratio(g))
                        + (j.undecided() != null ? "; " + Html.esc(j.undecided()) : j.how().isEmpty() ? "" : "; " + Html.esc(j.how()))
                        + "</div></td>").orElse(na("none")));
                tr.append("<td class=\"overhead\"><div class=\"v\">").append(Html.esc(ns(c - f)))
                        .append("</div><div class=\"s\">").append(Html.esc(String.format(Locale.ROOT,
                                "%.0f%% of the nullcall", 100 * (c - f) / c))).append("</div></td>");
            } else {
                tr.append(na("n/a")).append(na("n/a")).append(na("n/a"));
            }
            tr.append(libcCallRatio(floor, call));
            String bare = floor != null && floor.endsWith("-getppid")
                    ? floor.substring(0, floor.length() - "-getppid".length()) : null;
            Optional<CellValues.Cell> b = bare == null ? Optional.empty() : p50(bare, NATIVE);
            tr.append(b.map(c -> "<td><div class=\"v\">" + Html.esc(ns(c)) + "</div><div class=\"s\">"
                    + Html.esc(bare) + "</div></td>").orElse(na("n/a")));
            String mf = monitorFloors.get(t);
            Optional<CellValues.Cell> m = mf == null ? Optional.empty() : p50(mf, t);
            tr.append(m.map(c -> "<td><div class=\"v\">" + Html.esc(ns(c)) + "</div><div class=\"s\">"
                    + Html.esc(mf) + "</div></td>").orElse(na("n/a")));
            tr.append("</tr>");
            h.line(tr.toString());
        }
        if (rows == 0) {
            h.line("<tr><td colspan=\"9\" class=\"na\">no transports in this run: only native was measured</td></tr>");
        }
        h.line("</tbody></table></div>");
    }

    /**
     * For a shared-memory transport: its nullcall ÷ {@link ResultsSchema#C_FLOOR_RING_1LINE_GETPPID_LIBC}
     * (the whole-run probe's), the floor whose poller makes its getppid as a call, as the JVM's must
     * (through jnr-ffi); the headline floor inlines the syscall instruction. No target: it shows how
     * much of the distance a call around the syscall explains on this host.
     */
    private String libcCallRatio(String floor, Optional<CellValues.Cell> call) {
        if (!C_FLOOR_RING_1LINE_GETPPID.equals(floor) || call.isEmpty()) return na("n/a");
        Optional<CellValues.Cell> libc = p50(C_FLOOR_RING_1LINE_GETPPID_LIBC, NATIVE);
        if (libc.isEmpty() || libc.get().base() <= 0) return na("n/a: no " + C_FLOOR_RING_1LINE_GETPPID_LIBC + " in this run");
        return "<td class=\"ratio libc\"><div class=\"v\">" + Html.esc(DisplayFormat.ratio(call.get().base() / libc.get().base()))
                + "</div><div class=\"s\">" + Html.esc(ns(libc.get())) + " " + Html.esc(C_FLOOR_RING_1LINE_GETPPID_LIBC) + "</div></td>";
    }

    /**
     * What a transport's target is judged on: where the bench measured its floor before, between and
     * after its nullcall VMs (cfloor.paired.&lt;t&gt;.round_p50_ns), best against best (best_ratio: the
     * fastest VM's p50 over the fastest floor's), undecided where a side's best is not confirmed by a
     * second draw or the ratio is below {@link ResultsSchema#MIN_BEST_RATIO};
     * else the pooled ratio, undecided when the floor drifted more than the bench accepts around the
     * nullcall.
     *
     * @param undecided why no verdict, or null
     * @param how       how the ratio was reached, for the cell ("" for the pooled ratio)
     */
    record Judged(double ratio, String undecided, String how) {}

    /**
     * Transport {@code t}'s nullcall over {@code floor}, its C floor ({@link CellValues#cFloors}; may
     * be null), as its target is judged: best against best where the bench paired the floor with its
     * VMs, else their medians' ratio; empty where the run has either side missing.
     */
    static Optional<Judged> judged(ResultSet rs, String t, String floor) {
        if (floor == null) return Optional.empty();
        Optional<CellValues.Cell> call = CellValues.of(rs, NULLCALL, t, LATENCY, P50);
        Optional<CellValues.Cell> fl = CellValues.of(rs, floor, t, LATENCY, P50);
        if (call.isEmpty() || fl.isEmpty() || fl.get().base() <= 0) return Optional.empty();
        return Optional.of(judged(rs, t, call.get().base() / fl.get().base()));
    }

    private static Judged judged(ResultSet rs, String transport, double pooled) {
        com.fasterxml.jackson.databind.JsonNode p = rs.environment().path("cfloor").path("paired").path(transport);
        double drift = p.path("drift").asDouble(0);
        if (p.path("round_p50_ns").isArray() && p.path("round_p50_ns").size() > 0) {
            int rounds = p.path("round_p50_ns").size(), sides = p.path("sides_p50_ns").size();
            java.util.StringJoiner each = new java.util.StringJoiner(", ");
            p.path("round_ratios").forEach(r -> each.add(String.format(Locale.ROOT, "%.2f", r.asDouble())));
            double best = p.path("best_ratio").asDouble(Double.NaN);
            if (!p.path("decided").asBoolean(false) || Double.isNaN(best)) {
                String why = !p.path("bests_confirmed").asBoolean(true)
                        ? "a side's fastest draw was not confirmed by a second within " + Math.round(100 * PAIRED_FLOOR_MAX_DRIFT)
                                + "% (a rare placement the other side may not have met)"
                        : "the floors missed a placement the VMs met";
                return new Judged(pooled, String.format(Locale.ROOT, "its fastest VM over the fastest floor, %s: %s (each VM"
                        + " over the floors right around it: %s)", DisplayFormat.ratio(best), why, each), "");
            }
            return new Judged(best, null, String.format(Locale.ROOT, "judged best against best: %s, the fastest of its %d VMs"
                    + " over the fastest of the %d floors around them; each VM over the floors right around it: %s",
                    DisplayFormat.ratio(best), rounds, sides, each));
        }
        // a floor that moved by more than the bench accepts during the measurement decides nothing
        if (drift > PAIRED_FLOOR_MAX_DRIFT) {
            return new Judged(pooled, String.format(Locale.ROOT, "the floor drifted %.0f%% around the nullcall", 100 * drift), "");
        }
        return new Judged(pooled, null, "");
    }

    /** "before → after (drift), ping-pong …" for a floor measured around the transport's nullcall, else "". */
    private String pairedNote(String transport) {
        com.fasterxml.jackson.databind.JsonNode p = rs.environment().path("cfloor").path("paired").path(transport);
        if (!p.has("before_p50_ns") || !p.has("after_p50_ns")) {
            return "<div class=\"s\">the whole-run probe's</div>";
        }
        StringBuilder b = new StringBuilder("<div class=\"s paired\">around the nullcall: ");
        if (p.path("sides_p50_ns").isArray()) {
            java.util.StringJoiner sides = new java.util.StringJoiner(", ");
            p.path("sides_p50_ns").forEach(x -> sides.add(ns(x.asDouble())));
            b.append("before, between and after its VMs ").append(Html.esc(sides.toString())).append(" (drift up to ");
        } else {
            b.append(Html.esc(ns(p.path("before_p50_ns").asDouble()))).append(" before, ")
                    .append(Html.esc(ns(p.path("after_p50_ns").asDouble()))).append(" after (drift ");
        }
        b.append(String.format(Locale.ROOT, "%.0f%%", 100 * p.path("drift").asDouble()));
        if (p.path("attempts").asInt(1) > 1) b.append(", measured ").append(p.path("attempts").asInt()).append(" times");
        b.append(")");
        if (p.has("pingpong_before_p50_ns")) {
            b.append("; thread ping-pong ").append(Html.esc(ns(p.path("pingpong_before_p50_ns").asDouble()))).append(" / ")
                    .append(Html.esc(ns(p.path("pingpong_after_p50_ns").asDouble())));
        }
        return b.append("</div>").toString();
    }

    // ---- native: the timer's cost ----

    private void timerCheck() {
        h.el("h3", "", "Native: what the timer and the call cost");
        Optional<CellValues.Cell> timer = p50(C_FLOOR_TIMER_OVERHEAD, NATIVE);
        Optional<CellValues.Cell> plain = p50(C_FLOOR_NATIVE_GETPPID_LIBC_LOOP, NATIVE);
        h.line("<p>Per-call figures (the workloads' and the C per-call floors) include the cost of the lfence;rdtsc "
                + "pair around each call, which this run measured alone (<code>" + C_FLOOR_TIMER_OVERHEAD
                + "</code>). <b>Corrected</b> = raw p50 − timer p50, a difference of medians (an estimate: a pair "
                + "around a syscall need not cost exactly what an empty pair does); the <code>-loop</code> rows are "
                + "timed at loop level instead (100 calls per timed batch, no timer inside) and need no correction. "
                + "The reference is <b>a plain C loop</b>: glibc's getppid() at loop level (<code>"
                + C_FLOOR_NATIVE_GETPPID_LIBC_LOOP + "</code>). The native nullcall, corrected, should be within ±"
                + Math.round(NATIVE_TOLERANCE * 100) + "% of it. The syscall instruction inline (no call around "
                + "it) is the floor of a syscall; how a call around it is made matters too, so it is shown both "
                + "ways." + stepNote() + "</p>");
        h.line("<table class=\"values\" id=\"timer-check\"><thead><tr><th>what</th><th>the syscall</th>"
                + "<th>timing</th><th>raw p50</th><th>timer p50</th><th>corrected p50</th><th>÷ plain C loop</th>"
                + "</tr></thead><tbody>");
        timerRow(NULLCALL + " (native)", NULLCALL, "the runtime's sys_getppid() → torovj_syscall6()",
                "rdtsc pair per call", timer, plain, true);
        timerRow(C_FLOOR_NATIVE_GETPPID_LIBC, C_FLOOR_NATIVE_GETPPID_LIBC, "glibc getppid()", "rdtsc pair per call",
                timer, plain, true);
        timerRow(C_FLOOR_NATIVE_GETPPID_LIBC_LOOP, C_FLOOR_NATIVE_GETPPID_LIBC_LOOP, "glibc getppid()",
                "per batch of 100 calls", timer, plain, false);
        timerRow(C_FLOOR_NATIVE_GETPPID, C_FLOOR_NATIVE_GETPPID, "syscall instruction inline", "rdtsc pair per call",
                timer, plain, true);
        timerRow(C_FLOOR_NATIVE_GETPPID_LOOP, C_FLOOR_NATIVE_GETPPID_LOOP, "syscall instruction inline",
                "per batch of 100 calls", timer, plain, false);
        h.line("</tbody></table>");
        Optional<CellValues.Cell> call = p50(NULLCALL, NATIVE);
        // measured right before and after the native nullcall where the run did: the whole-run probe's are minutes away
        Optional<Double> timerAround = aroundNative(C_FLOOR_TIMER_OVERHEAD);
        Optional<Double> plainAround = aroundNative(C_FLOOR_NATIVE_GETPPID_LIBC_LOOP);
        boolean around = timerAround.isPresent() && plainAround.isPresent();
        Optional<Double> timerNs = around ? timerAround : timer.map(CellValues.Cell::base);
        Optional<Double> plainNs = around ? plainAround : plain.map(CellValues.Cell::base);
        if (call.isPresent() && timerNs.isPresent() && plainNs.isPresent() && plainNs.get() > 0) {
            double corrected = call.get().base() - timerNs.get();
            double r = corrected / plainNs.get();
            boolean ok = Math.abs(r - 1) <= NATIVE_TOLERANCE;
            StringBuilder v = new StringBuilder("<p id=\"timer-verdict\" class=\"" + (ok ? "ok" : "warn")
                    + "\">Native nullcall p50 − timer p50 = " + Html.esc(ns(corrected)) + ": "
                    + Html.esc(DisplayFormat.ratio(r)) + " the plain C loop (" + Html.esc(ns(plainNs.get())) + "), "
                    + (ok ? "within" : "<b>outside</b>") + " ±" + Math.round(NATIVE_TOLERANCE * 100) + "%"
                    + (around ? ", both the loop and the timer (" + Html.esc(ns(timerNs.get())) + ") measured right before"
                            + " and right after the native nullcall, the mean of the two (the table's are the whole-run"
                            + " probe's)" : "") + ".");
            p50(C_FLOOR_NATIVE_GETPPID_LOOP, NATIVE).ifPresent(inline -> v.append(" A call around the syscall "
                    + "costs ").append(Html.esc(ns(plain.get().base() - inline.base()))).append(" here (plain C loop "
                    + "− inline loop)."));
            h.line(v.append("</p>").toString());
        } else {
            h.line("<p id=\"timer-verdict\" class=\"na\">Native nullcall vs a plain C loop: n/a (missing rows).</p>");
        }
    }

    /** The mean of a C part's p50s measured right before and after the native nullcall (cfloor.paired_native), if the run did. */
    private Optional<Double> aroundNative(String part) {
        com.fasterxml.jackson.databind.JsonNode p = rs.environment().path("cfloor").path("paired_native").path(part);
        if (!p.has("before_p50_ns") || !p.has("after_p50_ns")) return Optional.empty();
        return Optional.of((p.path("before_p50_ns").asDouble() + p.path("after_p50_ns").asDouble()) / 2);
    }

    private String stepNote() {
        Optional<String> step = Optional.ofNullable(rs.environment().path("cfloor").path("tsc_step").asText(null));
        return step.map(s -> " The TSC's resolution on this host: " + Html.esc(s) + ", which quantizes every "
                + "per-call sample.").orElse("");
    }

    private void timerRow(String label, String w, String syscall, String timing, Optional<CellValues.Cell> timer,
                          Optional<CellValues.Cell> plain, boolean subtract) {
        Optional<CellValues.Cell> raw = p50(w, NATIVE);
        StringBuilder tr = new StringBuilder("<tr data-row=\"" + Html.esc(w) + "\"><th>" + Html.esc(label)
                + "</th><td class=\"label\">" + Html.esc(syscall) + "</td><td class=\"label\">" + Html.esc(timing)
                + "</td>");
        if (raw.isEmpty()) {
            tr.append(na("n/a")).append(na("n/a")).append(na("n/a")).append(na("n/a")).append("</tr>");
            h.line(tr.toString());
            return;
        }
        tr.append("<td><div class=\"v\">").append(Html.esc(ns(raw.get()))).append("</div><div class=\"s\">n=")
                .append(DisplayFormat.count(raw.get().samples())).append("</div></td>");
        Double corrected = null;
        if (!subtract) {
            tr.append("<td class=\"na\">none in the loop</td>");
            corrected = raw.get().base();
        } else if (timer.isPresent()) {
            tr.append("<td>").append(Html.esc(ns(timer.get()))).append("</td>");
            corrected = raw.get().base() - timer.get().base();
        } else {
            tr.append(na("n/a"));
        }
        tr.append(corrected == null ? na("n/a") : "<td><div class=\"v\">" + Html.esc(ns(corrected)) + "</div></td>");
        if (corrected != null && plain.isPresent() && plain.get().base() > 0) {
            tr.append("<td>").append(Html.esc(DisplayFormat.ratio(corrected / plain.get().base()))).append("</td>");
        } else {
            tr.append(na("n/a"));
        }
        h.line(tr.append("</tr>").toString());
    }

    // ---- every C floor ----

    private void floorTable(List<String> floors) {
        h.el("h3", "", "The C floors of this run");
        h.line("<p>Measured by <code>cfloor</code> (workloads/src/main/tools/cfloor.c) beside the benchmarks, "
                + "independent of the monitor. Percentiles of every sample (nearest rank), raw: per-call rows "
                + "include the timer pair. <i>Headline of</i>: the transports whose distance above is taken to this "
                + "floor.</p>");
        Map<String, String> cFloors = CellValues.cFloors(rs);
        h.line("<div class=\"scroll\"><table class=\"values\" id=\"c-floors\"><thead><tr><th>floor</th><th>what</th>");
        for (String s : PERCENTILE_STATISTICS) {
            h.line("<th>" + Html.esc(s) + "</th>");
        }
        h.line("<th>samples</th><th>headline of</th></tr></thead><tbody>");
        for (String w : floors) {
            StringBuilder tr = new StringBuilder("<tr data-workload=\"" + Html.esc(w) + "\"><th>" + Html.esc(w)
                    + "</th><td class=\"what\">" + Html.esc(describe(w)) + "</td>");
            long n = 0;
            for (String s : PERCENTILE_STATISTICS) {
                Optional<CellValues.Cell> c = CellValues.of(rs, w, NATIVE, LATENCY, s);
                if (c.isPresent()) {
                    n = c.get().samples();
                    tr.append("<td>").append(Html.esc(ns(c.get()))).append("</td>");
                } else {
                    tr.append(na("n/a"));
                }
            }
            tr.append("<td>").append(n > 0 ? DisplayFormat.count(n) : "n/a").append("</td>");
            List<String> of = new ArrayList<>();
            cFloors.forEach((t, f) -> {
                if (f.equals(w)) {
                    of.add(t);
                }
            });
            tr.append("<td class=\"label\">").append(Html.esc(String.join(", ", of))).append("</td></tr>");
            h.line(tr.toString());
        }
        h.line("</tbody></table></div>");
    }
}
