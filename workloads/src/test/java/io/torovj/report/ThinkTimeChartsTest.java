package io.torovj.report;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

class ThinkTimeChartsTest {
    @TempDir
    Path tmp;

    private static final long[] THINK = {0, 1_000, 10_000, 100_000, 1_000_000};

    @Test
    void thinkTimeZeroSitsOneDecadeLeftOfTheSmallestAndIsLabelled() {
        List<ThinkTimeCharts.Series> s = List.of(new ThinkTimeCharts.Series("pio", THINK, new double[] {1, 2, 3, 4, 5}));
        double zero = ThinkTimeCharts.zeroPosition(s);
        assertEquals(2.0, zero);
        assertEquals(2.0, ThinkTimeCharts.position(0, zero));
        assertEquals(4.0, ThinkTimeCharts.position(10_000, zero), 1e-12);
        assertEquals("0", ThinkTimeCharts.tickLabel(2.0, zero));
        assertEquals("1 µs", ThinkTimeCharts.tickLabel(3.0, zero));
        assertEquals("10 µs", ThinkTimeCharts.tickLabel(4.0, zero));
        assertEquals("100 µs", ThinkTimeCharts.tickLabel(5.0, zero));
        assertEquals("1 ms", ThinkTimeCharts.tickLabel(6.0, zero));
        assertEquals("1 s", ThinkTimeCharts.tickLabel(9.0, zero));
        assertEquals("", ThinkTimeCharts.tickLabel(4.5, zero), "no label between decades");
        assertEquals(2.0, ThinkTimeCharts.zeroPosition(List.of()), "no think time above 0: 0 at 100 ns");
        long[] odd = {0, 3_000};
        assertEquals(2.0, ThinkTimeCharts.zeroPosition(List.of(new ThinkTimeCharts.Series("x", odd, new double[] {1, 1}))));
    }

    @Test
    void valuesALogAxisCannotShowAreLeftOffWithANote() throws Exception {
        List<ThinkTimeCharts.Series> s = List.of(
                new ThinkTimeCharts.Series("pio", THINK, new double[] {60_000, 61_000, 70_000, 160_000, 1_060_000}),
                new ThinkTimeCharts.Series("ring", THINK, new double[] {0, 2_000, Double.NaN, 200_000, 2_000_000}));
        Charts.Rendered r = ThinkTimeCharts.panel(tmp, "p", "Host CPU time per call", "host CPU per call", s,
                Charts.transportColors(List.of("native", "pio", "ring")));
        assertNotNull(r);
        assertEquals(List.of("ring: 2 point(s) ≤ 0 left off the log axis"), r.notes());
        BufferedImage img = ImageIO.read(tmp.resolve("p.png").toFile());
        assertEquals(ThinkTimeCharts.PANEL_WIDTH, img.getWidth());
        assertEquals(ThinkTimeCharts.PANEL_HEIGHT, img.getHeight());

        List<ThinkTimeCharts.Series> nothing = List.of(new ThinkTimeCharts.Series("pio", new long[] {0}, new double[] {0}));
        assertNull(ThinkTimeCharts.panel(tmp, "q", "t", "y", nothing, Map.of()), "nothing to draw: no chart");
    }
}
