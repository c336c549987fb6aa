package io.torovj.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.HdrHistogram.DoubleHistogram;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.HdrHistogram.HistogramLogWriter;

/**
 * HdrHistogram log files of a results folder: {@code hdr/<workload>-<transport>.hlog}, per-call latency in
 * nanoseconds, written with HdrHistogram's {@link HistogramLogWriter} (one interval histogram per measurement
 * iteration, e.g. from a {@code Recorder}'s {@code getIntervalHistogram()}).
 */
public final class HdrLogs {
    private HdrLogs() {
    }

    /** Where the log of a workload × transport goes: {@link ResultsSchema#hdrLog(Path, String, String)}. */
    public static Path path(Path resultsDir, String workload, String transport) {
        return ResultsSchema.hdrLog(resultsDir, workload, transport);
    }

    /**
     * Writes the log of a workload × transport (creating {@code hdr/}): format version, start time, legend, then
     * the intervals in order. CellValues must be nanoseconds. Returns the file.
     *
     * @param startTimeMillis the run's start, in epoch milliseconds (interval time stamps are relative to it
     *                        when the histograms carry start/end time stamps, as a Recorder's do)
     */
    public static Path write(Path resultsDir, String workload, String transport, long startTimeMillis,
                             List<? extends EncodableHistogram> intervals) throws IOException {
        Path file = path(resultsDir, workload, transport);
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            HistogramLogWriter w = new HistogramLogWriter(out);
            w.outputLogFormatVersion();
            w.outputStartTime(startTimeMillis);
            w.setBaseTime(startTimeMillis);
            w.outputLegend();
            for (EncodableHistogram h : intervals) {
                w.outputIntervalHistogram(h);
            }
            w.close();
        }
        return file;
    }

    /**
     * Reads a log and adds up all its intervals into one histogram (values as written: nanoseconds).
     *
     * @throws IOException if the file cannot be read or holds no interval, or holds DoubleHistograms
     */
    public static Histogram readMerged(Path file) throws IOException {
        Histogram total = new Histogram(3);
        int intervals = 0;
        try (InputStream in = Files.newInputStream(file)) {
            HistogramLogReader reader = new HistogramLogReader(in);
            try {
                EncodableHistogram h;
                while ((h = reader.nextIntervalHistogram()) != null) {
                    if (h instanceof Histogram hist) {
                        total.add(hist);
                    } else if (h instanceof DoubleHistogram) {
                        throw new IOException(file + ": DoubleHistogram intervals are not supported (log integer"
                                + " nanoseconds)");
                    }
                    intervals++;
                }
            } catch (RuntimeException e) {
                throw new IOException(file + ": not a readable HdrHistogram log (" + e + ")", e);
            } finally {
                reader.close();
            }
        }
        if (intervals == 0) {
            throw new IOException(file + ": no interval histogram in the log");
        }
        return total;
    }
}
