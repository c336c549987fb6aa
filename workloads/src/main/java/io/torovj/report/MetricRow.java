package io.torovj.report;

import static io.torovj.report.ResultsSchema.*;

/**
 * One row of metrics.csv. The constructor enforces {@link ResultsSchema}: known metric, statistic and unit, a unit
 * that fits the metric (time or bytes), a finite value ≥ 0, an error (≥ 0) only on the mean, samples ≥ 0.
 *
 * @param workload  workload name ({@link ResultsSchema#KNOWN_WORKLOADS} or any valid name)
 * @param transport transport name ({@link ResultsSchema#NATIVE} or any registered transport)
 * @param metric    one of {@link ResultsSchema#METRICS}
 * @param statistic one of {@link ResultsSchema#STATISTICS}
 * @param value     the value, in {@code unit}
 * @param error     99.9% confidence half-width of the mean, in {@code unit}; null when there is none
 * @param unit      one of {@link ResultsSchema#UNITS}
 * @param samples   iterations × forks for the mean, per-call samples for the percentiles
 */
public record MetricRow(String workload, String transport, String metric, String statistic, double value,
                        Double error, String unit, long samples) {

    public MetricRow {
        requireName("workload", workload);
        requireName("transport", transport);
        if (!METRICS.contains(metric)) {
            throw new IllegalArgumentException("unknown metric '" + metric + "' (expected one of "
                    + String.join(", ", METRICS) + ")");
        }
        if (!STATISTICS.contains(statistic)) {
            throw new IllegalArgumentException("unknown statistic '" + statistic + "' (expected one of "
                    + String.join(", ", STATISTICS) + ")");
        }
        if (!UNITS.contains(unit)) {
            throw new IllegalArgumentException("unknown unit '" + unit + "' (expected one of "
                    + String.join(", ", UNITS) + ")");
        }
        if (TIME_METRICS.contains(metric) != isTimeUnit(unit) || THROUGHPUT.equals(metric) != UNIT_PER_S.equals(unit)) {
            throw new IllegalArgumentException("unit '" + unit + "' does not fit metric '" + metric + "' (expected "
                    + (TIME_METRICS.contains(metric) ? "ns, us or ms" : THROUGHPUT.equals(metric) ? UNIT_PER_S : UNIT_BYTES) + ")");
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("value " + value + " is not a finite number");
        }
        if (error != null) {
            if (Double.isNaN(error)) {
                error = null; // JMH gives NaN when it cannot estimate an error: same as none
            } else if (!Double.isFinite(error) || error < 0) {
                throw new IllegalArgumentException("error " + error + " is not a finite number >= 0");
            } else if (!MEAN.equals(statistic)) {
                throw new IllegalArgumentException("error is only for the mean, not for '" + statistic + "'");
            }
        }
        if (samples < 0) {
            throw new IllegalArgumentException("samples " + samples + " is negative");
        }
    }

    /** A JMH mean with its error ({@code NaN} or null: none). */
    public static MetricRow mean(String workload, String transport, String metric, double value, Double error,
                                 String unit, long samples) {
        return new MetricRow(workload, transport, metric, MEAN, value, error, unit, samples);
    }

    /** A percentile or max, without error. */
    public static MetricRow stat(String workload, String transport, String metric, String statistic, double value,
                                 String unit, long samples) {
        return new MetricRow(workload, transport, metric, statistic, value, null, unit, samples);
    }

    /** Whether an error is present. */
    public boolean hasError() {
        return error != null;
    }

    /** The identity of the row: no two rows of one file share it. */
    public Key key() {
        return new Key(workload, transport, metric, statistic);
    }

    /** The value in nanoseconds (time metrics) or bytes (memory metrics). */
    public double baseValue() {
        return value * unitFactor();
    }

    /** The error in nanoseconds or bytes, or null. */
    public Double baseError() {
        return error == null ? null : error * unitFactor();
    }

    private double unitFactor() {
        return isTimeUnit(unit) ? NANOS_PER_UNIT.get(unit) : 1.0;
    }

    /** Workload × transport × metric × statistic. */
    public record Key(String workload, String transport, String metric, String statistic) {
    }
}
