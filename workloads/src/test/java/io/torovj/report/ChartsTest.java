package io.torovj.report;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;

import static org.junit.jupiter.api.Assertions.*;

class ChartsTest {
    @TempDir
    Path tmp;

    /**
     * Pins how XChart 3.8.8 draws error bars on a log axis (±log10(eb) decades), which {@link Charts#logErrorBar}
     * relies on: 10 ± 5 on an axis from 1 to 100 must be drawn from 5 to 20, i.e. 0.602 of the bar's height from 1
     * to 10. If an XChart upgrade draws [v − eb, v + eb] instead, this fails: then pass the error as is.
     */
    @Test
    void logAxisErrorBarCoversTheInterval() {
        Charts.Bars b = new Charts.Bars().put("s", "c", 10, 5.0);
        List<String> notes = new ArrayList<>();
        CategoryChart chart = Charts.buildBars("t", "latency", true, b, Map.of("s", Color.GREEN), 400, 600, false,
                notes);
        assertEquals(List.of(), notes);
        assertEquals(1.0, chart.getStyler().getYAxisMin());
        assertEquals(100.0, chart.getStyler().getYAxisMax());
        BufferedImage img = BitmapEncoder.getBufferedImage(chart);

        int minX = Integer.MAX_VALUE;
        int maxX = -1;
        for (int x = 0; x < img.getWidth(); x++) {
            for (int y = 0; y < img.getHeight(); y++) {
                if (isGreen(img.getRGB(x, y))) {
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                }
            }
        }
        assertTrue(maxX > minX + 20, "the bar is drawn");
        int center = (minX + maxX) / 2;
        int barHeight = longestRun(img, center - 10, ChartsTest::isGreen);
        int errorBar = 0;
        for (int x = center - 2; x <= center + 2; x++) { // a thin, anti-aliased line
            errorBar = Math.max(errorBar, longestRun(img, x, ChartsTest::isLine));
        }
        assertTrue(barHeight > 100, "bar height " + barHeight);
        double expected = Math.log10(20.0 / 5.0) * barHeight; // 5..20 in decades, 1..10 is one decade
        assertEquals(expected, errorBar, 4.0, "error bar " + errorBar + " px, bar " + barHeight + " px");
    }

    @Test
    void logErrorBarValues() {
        assertEquals(1.0, Charts.logErrorBar(10, 0));
        assertEquals(1.0, Charts.logErrorBar(10, Double.NaN));
        assertEquals(1.0, Charts.logErrorBar(10, 10), "an interval reaching 0 is clipped before");
        assertEquals(2.0, Charts.logErrorBar(10, 5), 1e-12);
    }

    @Test
    void guardsNeverLetXChartThrow() throws Exception {
        Charts.Bars b = new Charts.Bars()
                .put("native", "nullcall", 0, 0.0)       // 0: left off
                .put("pio", "nullcall", 100, 250.0)      // error bar through 0: clipped
                .put("pio", "write", 300, null)
                .put("ring", "write", 200, 10.0)         // ring has no nullcall: a gap beside error bars
                .put("mmio", "write", Double.NaN, null); // nonsense: left off
        Charts.Rendered r = Charts.bars(tmp, "guards", "t", "latency", true, b, Map.of(), 640, 400, false);
        assertNotNull(r);
        assertTrue(Files.size(tmp.resolve("guards.png")) > 1000);
        assertTrue(Files.readString(tmp.resolve("guards.svg")).contains("<svg"));
        String notes = String.join("\n", r.notes());
        assertTrue(notes.contains("native / nullcall: value 0 cannot be drawn"), notes);
        assertTrue(notes.contains("pio / nullcall: error bar ±250 ns reaches ≤ 0"), notes);
        assertTrue(notes.contains("native: no data"), notes);

        assertNull(Charts.bars(tmp, "none", "t", "x", true, new Charts.Bars().put("a", "b", 0, null), Map.of(),
                640, 400, false), "nothing drawable: no chart");

        Charts.Rendered p = Charts.percentiles(tmp, "pct", "t", List.of(
                new Charts.Curve("a", new double[] {0.3, 1, 2, 3}, new double[] {0, 5, 9, 30}, false)), Map.of());
        assertNotNull(p);
        assertTrue(String.join("", p.notes()).contains("1 point(s) ≤ 0"));
    }

    private static boolean isGreen(int rgb) {
        Color c = new Color(rgb);
        return c.getGreen() > 200 && c.getRed() < 60 && c.getBlue() < 60;
    }

    /** Neither the bar's green nor the light background and grid. */
    private static boolean isLine(int rgb) {
        Color c = new Color(rgb);
        return !isGreen(rgb) && (c.getRed() + c.getGreen() + c.getBlue()) / 3 < 190;
    }

    private interface PixelTest {
        boolean test(int rgb);
    }

    private static int longestRun(BufferedImage img, int x, PixelTest t) {
        int best = 0;
        int run = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            if (t.test(img.getRGB(x, y))) {
                best = Math.max(best, ++run);
            } else {
                run = 0;
            }
        }
        return best;
    }
}
