package io.torovj.bench;

import io.torovj.report.MetricRow;
import io.torovj.report.ResultsSchema;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Turns the workloads' per-call rdtsc samples into HdrHistograms in nanoseconds, measured the
 * same way in the VM (samples read from guest memory) and natively (samples written by the
 * native runtime to a file). The TSC frequency is calibrated once per run by the tschz tool.
 * The loops are closed-loop, so latencies are recorded raw, without coordinated-omission
 * correction.
 */
final class LatencyRecorder {
    /** 1 ns .. 10 s at 3 significant digits. */
    static Histogram newHistogram() {
        return new Histogram(1, 10_000_000_000L, 3);
    }

    private final double tscHz;
    private final double nanosPerCycle;

    LatencyRecorder(double tscHz) {
        this.tscHz = tscHz;
        this.nanosPerCycle = 1e9 / tscHz;
    }

    /** The TSC frequency the samples are converted with, Hz. */
    double tscHz() {
        return tscHz;
    }

    /** Measures the TSC frequency with the tschz host tool. */
    static double calibrateTsc() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(BenchPaths.tool("tschz").toString(), "200").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0) throw new IllegalStateException("tschz failed: " + out);
        return Double.parseDouble(out);
    }

    Histogram fromCycles(long[] cycles) {
        Histogram h = newHistogram();
        for (long c : cycles) {
            long ns = Math.max(1, Math.round(c * nanosPerCycle));
            h.recordValue(Math.min(ns, h.getHighestTrackableValue()));
        }
        return h;
    }

    /** Reads a native run's latency file (struct torovj_latency_buffer layout). */
    Histogram fromNativeFile(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long capacity = b.getLong(0), count = b.getLong(8);
        int n = (int) Math.min(Math.min(capacity, count), (b.capacity() - 16) / 8);
        long[] cycles = new long[n];
        for (int i = 0; i < n; i++) cycles[i] = b.getLong(16 + 8 * i);
        return fromCycles(cycles);
    }

    /** The percentile rows ({@link ResultsSchema#PERCENTILE_STATISTICS}, ns) of {@code h}; none when it is empty. */
    static List<MetricRow> percentileRows(String workload, String transport, Histogram h) {
        List<MetricRow> rows = new ArrayList<>();
        if (h.getTotalCount() == 0) return rows;
        for (String stat : ResultsSchema.PERCENTILE_STATISTICS) {
            double value = stat.equals(ResultsSchema.MAX) ? h.getMaxValue() : h.getValueAtPercentile(ResultsSchema.PERCENTILES.get(stat));
            rows.add(MetricRow.stat(workload, transport, ResultsSchema.LATENCY, stat, value, ResultsSchema.UNIT_NS, h.getTotalCount()));
        }
        return rows;
    }

    /** Writes {@code h} as an HdrHistogram log that HdrHistogram's own tools read. */
    static void writeLog(Histogram h, Path file, String tag) throws IOException {
        Files.createDirectories(file.getParent());
        try (PrintStream out = new PrintStream(Files.newOutputStream(file))) {
            HistogramLogWriter w = new HistogramLogWriter(out);
            w.outputComment("ToroV/J per-call latency, ns, " + tag);
            w.outputLogFormatVersion();
            w.outputStartTime(System.currentTimeMillis());
            w.outputLegend();
            h.setTag(tag.replace(' ', '_').replace(',', '_'));
            h.setStartTimeStamp(System.currentTimeMillis());
            h.setEndTimeStamp(System.currentTimeMillis());
            w.outputIntervalHistogram(h);
        }
    }
}
