package io.torovj.report;

import static io.torovj.report.ResultsSchema.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/** Percentile curves for the report's charts, x = log10(1/(1−p)), y in ns. */
final class PercentileCurves {
    private PercentileCurves() {
    }

    /**
     * The percentile curve of {@code w} over {@code t}: from its HdrHistogram log where the run wrote one (latency
     * and wall time), else from its percentile rows (dots); null if neither gives two points. What went wrong
     * reading a log goes to {@code problems}.
     */
    static Charts.Curve of(ResultSet rs, String w, String t, String metric, List<String> problems) {
        Path log = rs.hdrLogs().get(new ResultSet.Pair(w, t));
        if (log != null && (LATENCY.equals(metric) || WALL.equals(metric))) {
            try {
                Histogram hist = HdrLogs.readMerged(log);
                long n = hist.getTotalCount();
                if (n > 0) {
                    double xEnd = Math.log10(n);
                    List<double[]> pts = new ArrayList<>();
                    for (double x = 0; x < xEnd; x += 0.05) {
                        double p = 100.0 * (1 - Math.pow(10, -x));
                        pts.add(new double[] {x, hist.getValueAtPercentile(p)});
                    }
                    pts.add(new double[] {Math.max(xEnd, 0), hist.getMaxValue()});
                    return toCurve(t, pts, true);
                }
                problems.add(HDR_DIR + "/" + log.getFileName() + ": empty histogram; using the percentile rows");
            } catch (IOException e) {
                problems.add(e.getMessage() + "; using the percentile rows");
            }
        }
        List<double[]> pts = new ArrayList<>();
        for (String s : PERCENTILE_STATISTICS) {
            Optional<MetricRow> row = rs.find(w, t, metric, s);
            if (row.isEmpty()) {
                continue;
            }
            double x;
            if (MAX.equals(s)) {
                long n = row.get().samples();
                x = n > 1000 ? Math.log10(n) : 3.3;
            } else {
                x = Math.log10(100.0 / (100.0 - PERCENTILES.get(s)));
            }
            pts.add(new double[] {x, row.get().baseValue()});
        }
        return pts.size() >= 2 ? toCurve(t, pts, false) : null;
    }

    private static Charts.Curve toCurve(String name, List<double[]> pts, boolean dense) {
        double[] x = new double[pts.size()];
        double[] y = new double[pts.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = pts.get(i)[0];
            y[i] = pts.get(i)[1];
        }
        return new Charts.Curve(name, x, y, dense);
    }
}
