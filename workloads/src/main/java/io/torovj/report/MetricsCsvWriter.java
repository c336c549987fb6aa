package io.torovj.report;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import org.HdrHistogram.AbstractHistogram;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import static io.torovj.report.ResultsSchema.*;

/**
 * Writes metrics.csv in the {@link ResultsSchema} format. Every row is checked by {@link MetricRow}; a key written
 * twice is refused. Numbers are written in plain decimal notation that reads back to the same double.
 *
 * <pre>{@code
 * try (MetricsCsvWriter csv = MetricsCsvWriter.create(resultsDir)) {
 *     csv.mean("nullcall", "pio", ResultsSchema.LATENCY, r.getScore(), r.getScoreError(), "ns", n);
 *     csv.percentiles("nullcall", "pio", ResultsSchema.LATENCY, histogramOfNanos, "ns");
 * }
 * }</pre>
 */
public final class MetricsCsvWriter implements Closeable, Flushable {
    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder()
            .setHeader(COLUMNS.toArray(String[]::new))
            .setRecordSeparator("\n")
            .get();

    private final CSVPrinter printer;
    private final Set<MetricRow.Key> written = new HashSet<>();

    /** Creates {@code resultsDir} if needed and (over)writes {@code resultsDir/metrics.csv}. */
    public static MetricsCsvWriter create(Path resultsDir) throws IOException {
        Files.createDirectories(resultsDir);
        return new MetricsCsvWriter(metricsCsv(resultsDir));
    }

    /** (Over)writes {@code csvFile}, starting with the header. */
    public MetricsCsvWriter(Path csvFile) throws IOException {
        this(Files.newBufferedWriter(csvFile, StandardCharsets.UTF_8));
    }

    /** Writes to {@code out} (closed by {@link #close()} when it is {@link Closeable}), starting with the header. */
    public MetricsCsvWriter(Appendable out) throws IOException {
        this.printer = new CSVPrinter(out, FORMAT);
    }

    /** Writes one row. */
    public synchronized MetricsCsvWriter write(MetricRow row) throws IOException {
        if (!written.add(row.key())) {
            throw new IllegalArgumentException("row written twice: " + row.key());
        }
        printer.printRecord(row.workload(), row.transport(), row.metric(), row.statistic(), number(row.value()),
                row.error() == null ? "" : number(row.error()), row.unit(), Long.toString(row.samples()));
        return this;
    }

    /** Writes every row. */
    public MetricsCsvWriter writeAll(Iterable<MetricRow> rows) throws IOException {
        for (MetricRow r : rows) {
            write(r);
        }
        return this;
    }

    /**
     * A JMH result: {@code value} is {@code getScore()}, {@code error} is {@code getScoreError()} ({@code NaN}: no
     * error), {@code samples} is iterations × forks.
     */
    public MetricsCsvWriter mean(String workload, String transport, String metric, double value, double error,
                                 String unit, long samples) throws IOException {
        return write(MetricRow.mean(workload, transport, metric, value, Double.isNaN(error) ? null : error, unit,
                samples));
    }

    /** One percentile or max row. */
    public MetricsCsvWriter stat(String workload, String transport, String metric, String statistic, double value,
                                 String unit, long samples) throws IOException {
        return write(MetricRow.stat(workload, transport, metric, statistic, value, unit, samples));
    }

    /**
     * The p50, p90, p99, p999 and max rows of a histogram whose values are in {@code unit}; samples is the
     * histogram's total count. An empty histogram writes nothing.
     */
    public MetricsCsvWriter percentiles(String workload, String transport, String metric, AbstractHistogram histogram,
                                        String unit) throws IOException {
        long n = histogram.getTotalCount();
        if (n == 0) {
            return this;
        }
        for (String s : PERCENTILE_STATISTICS) {
            double v = MAX.equals(s) ? histogram.getMaxValue() : histogram.getValueAtPercentile(PERCENTILES.get(s));
            stat(workload, transport, metric, s, v, unit, n);
        }
        return this;
    }

    @Override
    public synchronized void flush() throws IOException {
        printer.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        printer.close(true);
    }

    /** Plain decimal, shortest text that reads back to the same double ({@code 1234.5}, never {@code 1.2345E3}). */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

}
