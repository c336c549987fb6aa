package io.torovj.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import static io.torovj.report.ResultsSchema.*;

/**
 * Issue 10's repeatability check on the comparison page: do two runs on one host agree within
 * ±15% on every median? Each value of a later run with a median (else a mean: JMH's) is set
 * against the same workload, transport and metric of the reference run; the C floors are counted
 * apart, since they move only with the host (a floor that moved says the host did). JVM allocation
 * per call, whose target is ~0, agrees within {@link #ALLOC_SLACK_BYTES} bytes rather than 15%.
 * Beside them, the ratios the targets are judged by ({@link TargetRatios}), each against the
 * same ratio of the reference run: what the verdicts rest on, their floors measured beside them.
 */
final class RepeatabilityTable {
    /** Issue 10: two default runs on one host agree within this on every median. */
    static final double TOLERANCE = 0.15;
    /** JVM allocation per call agrees within this many bytes (a ratio of two values near 0 means nothing). */
    static final double ALLOC_SLACK_BYTES = 1;
    /** The worst differences listed per run. */
    static final int LISTED = 25;

    /** One value of {@code other} against the reference's. */
    record Difference(String workload, String transport, String metric, String statistic, double reference,
                      double value) {
        double ratio() { return value / reference; }
        boolean within() {
            // allocation per call, whose target is ~0, is compared by bytes: 0.014 B against 0 B agree
            if (ALLOC_PER_CALL.equals(metric)) return Math.abs(value - reference) < ALLOC_SLACK_BYTES;
            return Math.abs(ratio() - 1) <= TOLERANCE + 1e-9;     // 1e-9: +15% exactly is within
        }
        /** How far off, as a factor ≥ 1 either way (1.3 for 30% slower and for 1/1.3 faster alike). */
        double factor() { return Math.max(ratio(), 1 / ratio()); }
    }

    /**
     * Every median (else mean) that both runs have, in {@code other}'s order; values of 0 in the
     * reference (nothing to divide by) are left out.
     */
    static List<Difference> differences(ResultSet reference, ResultSet other) {
        List<Difference> out = new ArrayList<>();
        for (MetricRow r : other.rows()) {
            String stat = r.statistic();
            if (!P50.equals(stat) && !(MEAN.equals(stat) && other.find(r.workload(), r.transport(), r.metric(), P50).isEmpty())) {
                continue;
            }
            Optional<MetricRow> ref = reference.find(r.workload(), r.transport(), r.metric(), stat);
            if (ref.isPresent() && ref.get().baseValue() > 0) {
                out.add(new Difference(r.workload(), r.transport(), r.metric(), stat, ref.get().baseValue(), r.baseValue()));
            }
        }
        return out;
    }

    /**
     * Every target ratio ({@link TargetRatios}) both runs have, in {@code other}'s order: the
     * target's name as the workload, {@code ratio} as the metric.
     */
    static List<Difference> ratioDifferences(ResultSet reference, ResultSet other) {
        List<TargetRatios.Ratio> ref = TargetRatios.of(reference);
        List<Difference> out = new ArrayList<>();
        for (TargetRatios.Ratio r : TargetRatios.of(other)) {
            ref.stream().filter(x -> x.target().equals(r.target()) && x.transport().equals(r.transport())).findFirst()
                    .ifPresent(x -> out.add(new Difference(r.target(), r.transport(), RATIO, "", x.value(), r.value())));
        }
        return out;
    }

    /** The metric name of a target ratio's {@link Difference}. */
    static final String RATIO = "ratio";

    private final Html h;

    RepeatabilityTable(Html h) {
        this.h = h;
    }

    /** The section: per later run, the count within ±15% (monitor and C floors apart) and the worst. */
    void write(List<ResultSet> runs, List<String> labels) {
        h.line("<h2 id=\"repeatability\">Repeatability</h2>");
        h.line("<p>Issue 10's check: two runs on one host agree within ±" + Math.round(TOLERANCE * 100)
                + "% on every median (JMH's mean where there is no median), each later run against "
                + Html.esc(labels.get(0)) + ". The C floors are counted apart: they measure the host alone, "
                + "so where they moved, the host did (a shared machine, its vCPUs placed elsewhere). Beside them, the "
                + "ratios the targets are judged by (each nullcall over its C floor, as the floor table judges it; the cold "
                + "VMs over the C VM lifecycle), each set against the reference's: a floor measured in the same minutes "
                + "as its transport meets the same placement, so the ratios can agree where the medians do not.</p>");
        for (int i = 1; i < runs.size(); i++) {
            List<Difference> all = differences(runs.get(0), runs.get(i));
            List<Difference> monitor = all.stream().filter(d -> !isCFloor(d.workload())).toList();
            List<Difference> floors = all.stream().filter(d -> isCFloor(d.workload())).toList();
            List<Difference> ratios = ratioDifferences(runs.get(0), runs.get(i));
            String id = "repeatability-" + i;
            h.line("<p id=\"" + id + "-summary\"><b>" + Html.esc(labels.get(i)) + "</b>: "
                    + summary(monitor, "of the monitor's values") + "; " + summary(floors, "of the C floors")
                    + ". " + verdict(all) + (ratios.isEmpty() ? "" : " The targets' ratios (each over its floor measured"
                    + " beside it): " + summary(ratios, "") + ".") + "</p>");
            ratioTable(id + "-ratios", labels.get(0), labels.get(i), ratios);
            List<Difference> outside = all.stream().filter(d -> !d.within())
                    .sorted(Comparator.comparingDouble(Difference::factor).reversed()).toList();
            List<Difference> worst = outside.subList(0, Math.min(LISTED, outside.size()));
            if (worst.isEmpty()) {
                continue;
            }
            h.line("<table class=\"values\" id=\"" + id + "\"><thead><tr><th>workload</th><th>metric</th><th>transport</th>"
                    + "<th>" + Html.esc(labels.get(0)) + "</th><th>" + Html.esc(labels.get(i)) + "</th><th>ratio</th></tr></thead><tbody>");
            for (Difference d : worst) {
                h.line("<tr><th>" + Html.esc(d.workload()) + "</th><td class=\"metric\">"
                        + Html.esc(CellValues.metricLabel(d.workload(), d.metric()) + " (" + d.statistic() + ")")
                        + "</td><td class=\"label\">" + Html.esc(d.transport()) + "</td><td>"
                        + Html.esc(value(d.metric(), d.reference())) + "</td><td>"
                        + Html.esc(value(d.metric(), d.value())) + "</td><td>"
                        + Html.esc(DisplayFormat.ratio(d.ratio())) + "</td></tr>");
            }
            h.line("</tbody></table>");
            h.line("<p class=\"s\">The " + worst.size() + (worst.size() < outside.size() ? " furthest of the " + outside.size() : "")
                    + " values outside ±" + Math.round(TOLERANCE * 100) + "%, furthest first.</p>");
        }
    }

    /** Every target ratio of both runs, in the target's order, with how far the later run's is from the reference's. */
    private void ratioTable(String id, String reference, String label, List<Difference> ratios) {
        if (ratios.isEmpty()) return;
        h.line("<table class=\"values\" id=\"" + id + "\"><thead><tr><th>target</th><th>transport</th><th>" + Html.esc(reference)
                + "</th><th>" + Html.esc(label) + "</th><th>ratio</th></tr></thead><tbody>");
        for (Difference d : ratios) {
            h.line("<tr" + (d.within() ? "" : " class=\"warn\"") + "><th>" + Html.esc(d.workload()) + "</th><td class=\"label\">"
                    + Html.esc(d.transport()) + "</td><td>" + Html.esc(DisplayFormat.ratio(d.reference())) + "</td><td>"
                    + Html.esc(DisplayFormat.ratio(d.value())) + "</td><td>" + Html.esc(DisplayFormat.ratio(d.ratio())) + "</td></tr>");
        }
        h.line("</tbody></table>");
    }

    private static String value(String metric, double base) {
        if (THROUGHPUT.equals(metric)) return DisplayFormat.count(Math.round(base)) + " /s";
        return DisplayFormat.quantity(TIME_METRICS.contains(metric), base);
    }

    private static String summary(List<Difference> ds, String what) {
        long within = ds.stream().filter(Difference::within).count();
        return within + " of " + ds.size() + (what.isEmpty() ? "" : " " + what) + " within ±" + Math.round(TOLERANCE * 100) + "%";
    }

    private static String verdict(List<Difference> all) {
        if (all.isEmpty()) return "<span class=\"warn\">No value in common: nothing to compare.</span>";
        return all.stream().allMatch(Difference::within) ? "<span class=\"better\">Held.</span>"
                : "<span class=\"warn\">Not held.</span>";
    }
}
