package io.torovj.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.torovj.report.ResultsSchema.*;

/** Which number stands for a workload × transport × metric, and how two of them are compared. */
final class CellValues {
    private CellValues() {
    }

    /** A value in base units (ns or bytes) with the statistic it is. */
    record Cell(String statistic, double base, Double baseError, long samples, boolean time) {
        String text() {
            return baseError != null ? DisplayFormat.quantity(time, base, baseError) : DisplayFormat.quantity(time, base);
        }

        String statisticLabel() {
            return MEAN.equals(statistic) ? (baseError != null ? "mean ± 99.9% CI" : "mean") : statistic;
        }
    }

    /** Preference of the headline statistic: the median, else JMH's mean, else whatever there is. */
    static final List<String> HEADLINE_ORDER = List.of(P50, MEAN, MAX, P90, P99, P999);
    /** Preference for bar charts: the mean with its confidence interval, else the median. */
    static final List<String> BAR_ORDER = List.of(MEAN, P50, MAX, P90, P99, P999);

    static Optional<Cell> of(ResultSet rs, String w, String t, String metric, String statistic) {
        return rs.find(w, t, metric, statistic).map(r -> new Cell(statistic, r.baseValue(), r.baseError(),
                r.samples(), TIME_METRICS.contains(metric)));
    }

    static Optional<Cell> first(ResultSet rs, String w, String t, String metric, List<String> order) {
        for (String s : order) {
            Optional<Cell> v = of(rs, w, t, metric, s);
            if (v.isPresent()) {
                return v;
            }
        }
        return Optional.empty();
    }

    /** p50, else mean ± error, else what there is. */
    static Optional<Cell> headline(ResultSet rs, String w, String t, String metric) {
        return first(rs, w, t, metric, HEADLINE_ORDER);
    }

    /** mean ± error, else p50, else what there is. */
    static Optional<Cell> forBar(ResultSet rs, String w, String t, String metric) {
        return first(rs, w, t, metric, BAR_ORDER);
    }

    /**
     * Two values of the same statistic (the first of {@link #HEADLINE_ORDER} that both sides have), so that a ratio
     * compares like with like; empty when there is none.
     */
    static Optional<Cell[]> comparable(ResultSet ra, String wa, String ta, ResultSet rb, String wb, String tb,
                                    String metric) {
        for (String s : HEADLINE_ORDER) {
            Optional<Cell> a = of(ra, wa, ta, metric, s);
            Optional<Cell> b = of(rb, wb, tb, metric, s);
            if (a.isPresent() && b.isPresent()) {
                return Optional.of(new Cell[] {a.get(), b.get()});
            }
        }
        return Optional.empty();
    }

    /** The metric that stands for a workload: latency, else wall, else host CPU per call; null if none. */
    static String primaryMetric(ResultSet rs, String workload) {
        for (String m : List.of(LATENCY, WALL, CPU_PER_CALL)) {
            if (rs.has(workload, m)) {
                return m;
            }
        }
        return null;
    }

    /**
     * The floor of each transport measured through the monitor: the floor workload (name starting with
     * {@link ResultsSchema#FLOOR_PREFIX}, not a C floor) with latency rows for it. Derived from the data, not from a
     * list of transports.
     */
    static Map<String, String> floors(ResultSet rs) {
        return floorsOf(rs, false);
    }

    /**
     * The headline C floor of each transport: the {@link ResultsSchema#C_FLOOR_PREFIX} workload with latency rows
     * under the transport's name (the bench writes at most one; see ResultsSchema, "Floors").
     */
    static Map<String, String> cFloors(ResultSet rs) {
        return floorsOf(rs, true);
    }

    private static Map<String, String> floorsOf(ResultSet rs, boolean c) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String t : rs.transports()) {
            if (NATIVE.equals(t)) {
                continue;
            }
            for (String w : rs.workloads()) {
                if (isFloor(w) && isCFloor(w) == c && rs.rows().stream().anyMatch(r -> r.workload().equals(w)
                        && r.transport().equals(t) && r.metric().equals(LATENCY))) {
                    m.put(t, w);
                    break;
                }
            }
        }
        return m;
    }

    /** What {@code workload}'s rows of {@code metric} measure: latency is per syscall, except for these. */
    static String metricLabel(String workload, String metric) {
        if (!LATENCY.equals(metric)) return metricLabel(metric);
        return switch (workload) {
            case HTTPD -> "latency per request";                  // wrk's, whole requests
            case ECHO_RR -> "round trip timed at the client (TCP_RR style)";
            case ECHO -> "recv/send timed in the guest, includes waiting for the client";
            default -> metricLabel(metric);
        };
    }

    static String metricLabel(String metric) {
        return switch (metric) {
            case LATENCY -> "latency per call";
            case WALL -> "wall time, end to end";
            case CPU_PER_CALL -> "host CPU per call";
            case GUEST_RESIDENT -> "guest resident memory";
            case HOST_RSS_PER_VM -> "host RSS per VM";
            case HOST_KERNEL_PER_VM -> "host kernel memory per VM";
            case NATIVE_PEAK_RSS -> "native peak RSS";
            case ALLOC_PER_CALL -> "JVM allocation per call";
            case ALLOC_PER_VM -> "JVM allocation per VM (20,000 calls)";
            default -> metric;
        };
    }
}
