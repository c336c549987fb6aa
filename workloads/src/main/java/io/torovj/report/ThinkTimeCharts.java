package io.torovj.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One panel of the think-time figure: a value per call against the guest's think time between calls, one line per
 * transport. Both axes are logarithmic. The x axis is drawn as log10 of the think time on a linear axis, so that a
 * think time of 0 (the back-to-back calls, which a log axis cannot place) gets a labelled place of its own, one
 * decade left of the smallest think time above 0. Values ≤ 0 are left off with a note, as in {@link Charts}.
 */
final class ThinkTimeCharts {
    private ThinkTimeCharts() {
    }

    /** Width and height of one panel: two side by side fit the report's width. */
    static final int PANEL_WIDTH = 640;
    static final int PANEL_HEIGHT = 420;

    /** One line: values (ns) at think times (ns), in the same order. */
    record Series(String transport, long[] thinkNanos, double[] valueNanos) {
    }

    /** Where think time 0 is drawn: one decade below the smallest think time above 0 (10^2 ns if there is none). */
    static double zeroPosition(List<Series> series) {
        long min = Long.MAX_VALUE;
        for (Series s : series) {
            for (long t : s.thinkNanos()) {
                if (t > 0) {
                    min = Math.min(min, t);
                }
            }
        }
        return min == Long.MAX_VALUE ? 2 : Math.floor(Math.log10(min)) - 1;
    }

    /** The x position of a think time. */
    static double position(long thinkNanos, double zero) {
        return thinkNanos > 0 ? Math.log10(thinkNanos) : zero;
    }

    /** The label of the x tick at {@code x}: "0" at the zero position, "10 µs" at a decade, else nothing. */
    static String tickLabel(double x, double zero) {
        long decade = Math.round(x);
        if (Math.abs(x - decade) > 1e-6) {
            return "";
        }
        if (decade == Math.round(zero)) {
            return "0";
        }
        if (decade < 0 || decade > 12) {
            return "";
        }
        String[] units = {"ns", "µs", "ms", "s"};
        int u = (int) Math.min(3, decade / 3);
        long mantissa = Math.round(Math.pow(10, decade - 3 * u));
        return mantissa + " " + units[u];
    }

    /** Renders one panel; null when no series has a value > 0. */
    static Charts.Rendered panel(Path chartsDir, String name, String title, String yLabel, List<Series> series,
                                 Map<String, Color> colors) throws IOException {
        List<String> notes = new ArrayList<>();
        double zero = zeroPosition(series);
        List<Double> positives = new ArrayList<>();
        List<double[][]> kept = new ArrayList<>();
        List<String> names = new ArrayList<>();
        double xMax = zero + 1;
        for (Series s : series) {
            List<double[]> pts = new ArrayList<>();
            int dropped = 0;
            for (int i = 0; i < s.thinkNanos().length; i++) {
                double v = s.valueNanos()[i];
                if (v > 0 && Double.isFinite(v)) {
                    double x = position(s.thinkNanos()[i], zero);
                    pts.add(new double[] {x, v});
                    positives.add(v);
                    xMax = Math.max(xMax, x);
                } else {
                    dropped++;
                }
            }
            if (dropped > 0) {
                notes.add(s.transport() + ": " + dropped + " point(s) ≤ 0 left off the log axis");
            }
            if (!pts.isEmpty()) {
                pts.sort((a, b) -> Double.compare(a[0], b[0]));
                kept.add(pts.toArray(double[][]::new));
                names.add(s.transport());
            }
        }
        if (kept.isEmpty()) {
            return null;
        }
        DisplayFormat.Unit unit = Charts.displayUnit(true, positives);
        double lo = positives.stream().mapToDouble(Double::doubleValue).min().orElse(1) / unit.factor();
        double hi = positives.stream().mapToDouble(Double::doubleValue).max().orElse(10) / unit.factor();
        double yMin = Charts.floorDecade(lo / 1.5);
        double yMax = Charts.ceilDecade(hi * 1.2);
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle("guest think time between calls (log scale; 0 at the left)")
                .yAxisTitle(yLabel + " (" + unit.label() + ", log scale)").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(yMin);
        chart.getStyler().setYAxisMax(yMax);
        chart.getStyler().setXAxisMin(zero - 0.3);
        chart.getStyler().setXAxisMax(xMax + 0.3);
        // XChart's own ticks fall between decades on this linear axis: label the decades with annotations instead
        Charts.annotatedXAxis(chart);
        double labelY = yMin * Math.pow(yMax / yMin, 0.04);
        for (long d = Math.round(zero); d <= Math.round(Math.floor(xMax)); d++) {
            chart.addAnnotation(new AnnotationLine(d, true, false));
            chart.addAnnotation(new AnnotationText(tickLabel(d, zero), d, labelY, false));
        }
        for (int i = 0; i < kept.size(); i++) {
            double[][] pts = kept.get(i);
            double[] x = new double[pts.length];
            double[] y = new double[pts.length];
            for (int k = 0; k < pts.length; k++) {
                x[k] = pts[k][0];
                y[k] = unit.of(pts[k][1]);
            }
            XYSeries s = chart.addSeries(names.get(i), x, y);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineWidth(2f);
            if (ResultsSchema.NATIVE.equals(names.get(i))) {
                s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        new float[] {6f, 4f}, 0f)); // the baseline, dashed
            }
            Color c = colors.get(names.get(i));
            if (c != null) {
                s.setLineColor(c);
                s.setMarkerColor(c);
            }
        }
        Charts.save(chart, chartsDir, name);
        return new Charts.Rendered(name, title, PANEL_WIDTH, PANEL_HEIGHT, notes);
    }
}
