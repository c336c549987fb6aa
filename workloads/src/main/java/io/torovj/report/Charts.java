package io.torovj.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * XChart charts of the report, with a logarithmic Y axis for time and memory (a linear one for a rate against a
 * count, {@link #lines}), guarded against XChart's traps: a value ≤ 0 is left
 * off (with a note), an error bar reaching ≤ 0 is clipped (with a note), missing values never reach XChart as null
 * beside error bars, and the axis range is set explicitly (XChart anchors bar charts at 0, which a log axis refuses).
 * Every chart is written as PNG and SVG.
 */
final class Charts {
    private Charts() {
    }

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // charts are files: never look for a display
        }
    }

    static final int WIDTH = 960;
    static final int HEIGHT = 480;
    static final int SMALL_WIDTH = 640;
    static final int SMALL_HEIGHT = 400;

    /** The baseline's colour. */
    static final Color BASELINE = new Color(0x60, 0x60, 0x60);
    /** Okabe-Ito colours (colour-blind safe), then a few more. */
    private static final Color[] PALETTE = {
        new Color(0x00, 0x72, 0xB2), new Color(0xE6, 0x9F, 0x00), new Color(0x00, 0x9E, 0x73),
        new Color(0xD5, 0x5E, 0x00), new Color(0xCC, 0x79, 0xA7), new Color(0x56, 0xB4, 0xE9),
        new Color(0xB8, 0xA2, 0x00), new Color(0x7B, 0x3F, 0x9E), new Color(0x8C, 0x56, 0x4B),
    };

    /** Colour {@code i} of the palette (cycling). */
    static Color color(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    /** Colours for transports in order: the baseline grey, then the palette. */
    static Map<String, Color> transportColors(List<String> transports) {
        Map<String, Color> m = new LinkedHashMap<>();
        int i = 0;
        for (String t : transports) {
            m.put(t, ResultsSchema.NATIVE.equals(t) ? BASELINE : color(i++));
        }
        return m;
    }

    /** A rendered chart: files {@code charts/<name>.png} and {@code .svg}, and what the guards did. */
    record Rendered(String name, String title, int width, int height, List<String> notes) {
        String png() {
            return "charts/" + name + ".png";
        }

        String svg() {
            return "charts/" + name + ".svg";
        }
    }

    /** CellValues of a bar chart, in base units (ns or bytes): series × category → value, error (or null). */
    static final class Bars {
        final List<String> categories = new ArrayList<>();
        final Map<String, Map<String, double[]>> series = new LinkedHashMap<>();

        Bars category(String c) {
            if (!categories.contains(c)) {
                categories.add(c);
            }
            return this;
        }

        Bars series(String s) {
            series.computeIfAbsent(s, k -> new LinkedHashMap<>());
            return this;
        }

        /** {@code error} may be null. */
        Bars put(String s, String c, double value, Double error) {
            category(c);
            series(s);
            series.get(s).put(c, new double[] {value, error == null ? Double.NaN : error});
            return this;
        }

        boolean isEmpty() {
            return series.values().stream().allMatch(Map::isEmpty);
        }
    }

    /**
     * A grouped bar chart on a log axis. Returns null when there is nothing to draw.
     *
     * @param time   base unit ns (else bytes)
     * @param yLabel the quantity, without unit (the unit is chosen from the data)
     * @param overlapped one bar per category (each series has its own category), centred
     */
    static Rendered bars(Path chartsDir, String name, String title, String yLabel, boolean time, Bars data,
                         Map<String, Color> colors, int width, int height, boolean overlapped)
            throws IOException {
        List<String> notes = new ArrayList<>();
        CategoryChart chart = buildBars(title, yLabel, time, data, colors, width, height, overlapped, notes);
        if (chart == null) {
            return null;
        }
        save(chart, chartsDir, name);
        return new Rendered(name, title, width, height, notes);
    }

    /** The chart of {@link #bars}, not saved; null when there is nothing to draw. Guard notes go to notes. */
    static CategoryChart buildBars(String title, String yLabel, boolean time, Bars data, Map<String, Color> colors,
                                   int width, int height, boolean overlapped, List<String> notes) {
        // 1. guard the values: positive only, error bars clipped above 0
        Map<String, Map<String, double[]>> clean = new LinkedHashMap<>();
        List<Double> positives = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (var s : data.series.entrySet()) {
            Map<String, double[]> vals = new LinkedHashMap<>();
            for (var c : s.getValue().entrySet()) {
                double v = c.getValue()[0];
                double e = c.getValue()[1];
                if (!(v > 0) || !Double.isFinite(v)) {
                    notes.add(s.getKey() + " / " + c.getKey() + ": value " + DisplayFormat.num(v)
                            + " cannot be drawn on a log axis (left off)");
                    continue;
                }
                if (!Double.isNaN(e) && v - e <= 0) {
                    notes.add(s.getKey() + " / " + c.getKey() + ": error bar ±" + DisplayFormat.quantity(time, e)
                            + " reaches ≤ 0; drawn clipped at 10% of the value");
                    e = 0.9 * v;
                }
                vals.put(c.getKey(), new double[] {v, e});
                positives.add(v);
                lo = Math.min(lo, Double.isNaN(e) ? v : v - e);
                hi = Math.max(hi, Double.isNaN(e) ? v : v * logErrorBar(v, e));
            }
            if (vals.isEmpty()) {
                notes.add(s.getKey() + ": no data");
            } else {
                clean.put(s.getKey(), vals);
            }
        }
        if (clean.isEmpty()) {
            return null;
        }
        // the unit makes every value >= 1: XChart 3.8.8 draws the error bar of a value below 1 on a log axis at the
        // bottom of the plot (it takes log10(value) < 0 for a negative bar)
        DisplayFormat.Unit unit = DisplayFormat.unitFor(time, positives.stream().mapToDouble(Double::doubleValue).min().orElse(1));
        double yMin = floorDecade(lo / unit.factor() / 2);
        double yMax = ceilDecade(hi / unit.factor() * 1.3);

        CategoryChart chart = new CategoryChartBuilder().width(width).height(height).title(title)
                .xAxisTitle("").yAxisTitle(yLabel + " (" + unit.label() + ", log scale) — smaller is better")
                .build();
        style(chart.getStyler());
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(yMin);
        chart.getStyler().setYAxisMax(yMax);
        chart.getStyler().setAvailableSpaceFill(0.82);
        chart.getStyler().setOverlapped(overlapped);
        chart.getStyler().setErrorBarsColor(Color.BLACK);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);

        for (var s : clean.entrySet()) {
            boolean anyError = s.getValue().values().stream().anyMatch(ve -> !Double.isNaN(ve[1]));
            List<Double> ys = new ArrayList<>();
            List<Double> es = new ArrayList<>();
            for (String c : data.categories) {
                double[] ve = s.getValue().get(c);
                if (ve == null) {
                    // XChart refuses null beside error bars: a bar below the axis floor, clipped away
                    ys.add(anyError ? yMin / 100 : null);
                    es.add(1.0); // no error bar (see logErrorBar)
                } else {
                    ys.add(unit.of(ve[0]));
                    es.add(Double.isNaN(ve[1]) ? 1.0 : logErrorBar(ve[0], ve[1]));
                }
            }
            CategorySeries cs = anyError
                    ? chart.addSeries(s.getKey(), data.categories, ys, es)
                    : chart.addSeries(s.getKey(), data.categories, ys);
            Color col = colors.get(s.getKey());
            if (col != null) {
                cs.setFillColor(col);
                cs.setLineColor(col);
                cs.setMarkerColor(col);
            }
        }
        return chart;
    }

    /**
     * The error-bar value to give XChart for a bar of value {@code v} ± {@code e} on a log axis. XChart 3.8.8
     * (PlotContent_Category_Bar) draws a log-axis error bar as ±log10(eb) decades around the value, not as
     * [v − eb, v + eb]. The interval [v − e, v + e] spans log10(v / (v − e)) decades below the value and fewer above;
     * we pass 10^(the lower half), so the bar drawn covers the whole interval (the upper half a little generously).
     * 1 means no bar. {@code ChartsTest} pins this behaviour: an XChart upgrade that changes it fails there.
     */
    static double logErrorBar(double v, double e) {
        if (!(e > 0) || !(v > e)) {
            return 1.0;
        }
        return v / (v - e);
    }

    /** One percentile curve: x = log10(1/(1−p)), y in ns. */
    record Curve(String series, double[] x, double[] y, boolean dense) {
    }

    /** Percentiles labelled on the chart (x = 1/(1−p)). */
    private static final double[] PERCENTILE_MARKS = {50, 90, 99, 99.9, 99.99, 99.999, 99.9999};

    /**
     * Latency by percentile, x = 1/(1−p) on a log scale (drawn as log10 on a linear axis, with percentile marks
     * 50, 90, 99, 99.9, ...), y on a log axis. Returns null when there is nothing to draw.
     */
    static Rendered percentiles(Path chartsDir, String name, String title, List<Curve> curves,
                                Map<String, Color> colors) throws IOException {
        List<String> notes = new ArrayList<>();
        List<Double> positives = new ArrayList<>();
        List<Curve> kept = new ArrayList<>();
        double xMax = 3;
        for (Curve c : curves) {
            List<double[]> pts = new ArrayList<>();
            int dropped = 0;
            for (int i = 0; i < c.x().length; i++) {
                if (c.y()[i] > 0 && Double.isFinite(c.y()[i]) && Double.isFinite(c.x()[i])) {
                    pts.add(new double[] {c.x()[i], c.y()[i]});
                    positives.add(c.y()[i]);
                    xMax = Math.max(xMax, c.x()[i]);
                } else {
                    dropped++;
                }
            }
            if (dropped > 0) {
                notes.add(c.series() + ": " + dropped + " point(s) ≤ 0 left off the log axis");
            }
            if (!pts.isEmpty()) {
                double[] x = new double[pts.size()];
                double[] y = new double[pts.size()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = pts.get(i)[0];
                    y[i] = pts.get(i)[1];
                }
                kept.add(new Curve(c.series(), x, y, c.dense()));
            }
        }
        if (kept.isEmpty()) {
            return null;
        }
        DisplayFormat.Unit unit = displayUnit(true, positives);
        double lo = positives.stream().mapToDouble(Double::doubleValue).min().orElse(1) / unit.factor();
        double hi = positives.stream().mapToDouble(Double::doubleValue).max().orElse(10) / unit.factor();
        double yMin = floorDecade(lo / 1.5);
        double yMax = ceilDecade(hi * 1.2);
        double xEnd = xMax + 0.3;

        // a legend too long for one row under a small chart goes to the right of a wider one
        int legendPx = kept.stream().mapToInt(c -> 45 + 7 * c.series().length()).sum();
        boolean wide = legendPx > SMALL_WIDTH - 20;
        int width = wide ? WIDTH : SMALL_WIDTH;
        int height = wide ? HEIGHT : SMALL_HEIGHT;
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
                .xAxisTitle("percentile (log scale of 1/(1−p))")
                .yAxisTitle("latency (" + unit.label() + ", log scale)").build();
        style(chart.getStyler());
        if (wide) {
            chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
            chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        }
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(yMin);
        chart.getStyler().setYAxisMax(yMax);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(xEnd);
        annotatedXAxis(chart);
        double labelY = yMin * Math.pow(yMax / yMin, 0.045);
        for (double p : PERCENTILE_MARKS) {
            double x = Math.log10(100.0 / (100.0 - p));
            if (x > xEnd - 0.15) {
                break;
            }
            chart.addAnnotation(new AnnotationLine(x, true, false));
            chart.addAnnotation(new AnnotationText(DisplayFormat.percentile(p) + "%", x, labelY, false));
        }
        for (Curve c : kept) {
            double[] y = new double[c.y().length];
            for (int i = 0; i < y.length; i++) {
                y[i] = unit.of(c.y()[i]);
            }
            XYSeries s = chart.addSeries(c.series(), c.x(), y);
            s.setMarker(c.dense() ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            s.setLineWidth(2f);
            Color col = colors.get(c.series());
            if (col != null) {
                s.setLineColor(col);
                s.setMarkerColor(col);
            }
        }
        save(chart, chartsDir, name);
        return new Rendered(name, title, width, height, notes);
    }

    /**
     * An x axis labelled by annotations (dashed vertical lines with a label each, added by the caller) instead of
     * XChart's ticks, for axes whose marks are not where XChart puts ticks (percentiles, decades of think time).
     */
    static void annotatedXAxis(XYChart chart) {
        chart.getStyler().setXAxisTicksVisible(false);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setAnnotationLineColor(new Color(0x99, 0x99, 0x99));
        chart.getStyler().setAnnotationLineStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
                10f, new float[] {4f, 3f}, 0f));
        chart.getStyler().setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        chart.getStyler().setAnnotationTextFontColor(new Color(0x33, 0x33, 0x33));
    }

    /**
     * Rates against a count (invocations/s against concurrent clients): one line with dots per series, linear axes
     * from 0, larger is better. {@code series}: name → {x values, y values}; points with a y that is not finite and
     * ≥ 0 are left off (with a note). Returns null when there is nothing to draw.
     */
    static Rendered lines(Path chartsDir, String name, String title, String xLabel, String yLabel,
                          Map<String, double[][]> series, Map<String, Color> colors) throws IOException {
        List<String> notes = new ArrayList<>();
        XYChart chart = new XYChartBuilder().width(SMALL_WIDTH).height(SMALL_HEIGHT).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        style(chart.getStyler());
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setXAxisMin(0.0);
        int drawn = 0;
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            double[] x = e.getValue()[0], y = e.getValue()[1];
            for (int i = 0; i < x.length; i++) {
                if (Double.isFinite(x[i]) && Double.isFinite(y[i]) && y[i] >= 0) {
                    xs.add(x[i]);
                    ys.add(y[i]);
                } else {
                    notes.add(e.getKey() + ": a point at " + x[i] + " left off (not a rate)");
                }
            }
            if (xs.isEmpty()) {
                continue;
            }
            XYSeries s = chart.addSeries(e.getKey(), xs, ys);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineWidth(2f);
            Color col = colors.get(e.getKey());
            if (col != null) {
                s.setLineColor(col);
                s.setMarkerColor(col);
            }
            drawn++;
        }
        if (drawn == 0) {
            return null;
        }
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        save(chart, chartsDir, name);
        return new Rendered(name, title, SMALL_WIDTH, SMALL_HEIGHT, notes);
    }

    /** The report's look: white, light grid, legend below, sans-serif fonts. */
    static void style(AxesChartStyler st) {
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotBorderColor(new Color(0xBB, 0xBB, 0xBB));
        st.setLegendBorderColor(Color.WHITE);
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setLegendLayout(Styler.LegendLayout.Horizontal);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        st.setChartTitleBoxVisible(false);
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        st.setPlotGridLinesColor(new Color(0xDD, 0xDD, 0xDD));
        st.setAntiAlias(true);
        st.setYAxisDecimalPattern("#,##0.###"); // 10,000 rather than 1E4
    }

    /** The unit for values around their geometric mean. */
    static DisplayFormat.Unit displayUnit(boolean time, List<Double> values) {
        double logSum = 0;
        for (double v : values) {
            logSum += Math.log10(v);
        }
        double geo = Math.pow(10, logSum / values.size());
        return DisplayFormat.unitFor(time, geo);
    }

    static double floorDecade(double v) {
        return Math.pow(10, Math.floor(Math.log10(v)));
    }

    static double ceilDecade(double v) {
        return Math.pow(10, Math.ceil(Math.log10(v)));
    }

    /** Writes {@code chart} as {@code dir/name.png} and {@code .svg}. */
    static void save(Chart<?, ?> chart, Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        try (OutputStream out = Files.newOutputStream(dir.resolve(name + ".png"))) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve(name + ".svg"))) {
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        }
    }
}
