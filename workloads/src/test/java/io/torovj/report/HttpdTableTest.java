package io.torovj.report;

import static io.torovj.report.ResultsSchema.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The httpd rows (ResultsSchema, "httpd") round-trip through metrics.csv and make the report's httpd table. */
class HttpdTableTest {
    @TempDir Path tmp;

    private static List<MetricRow> httpd(String t, double rate, double p50Us, double p99Us) {
        return List.of(new MetricRow(HTTPD, t, THROUGHPUT, MEAN, rate, null, UNIT_PER_S, 1000),
                new MetricRow(HTTPD, t, LATENCY, P50, p50Us, null, UNIT_US, 1000),
                new MetricRow(HTTPD, t, LATENCY, P99, p99Us, null, UNIT_US, 1000));
    }

    @Test
    void tableShowsRatiosToNativeAndTheTargets() throws Exception {
        SyntheticResults.Written w = SyntheticResults.write(tmp.resolve("results").resolve("20261202-001500-abc1234"), 3, 1.0, 2000);
        List<MetricRow> rows = new java.util.ArrayList<>(ResultSet.read(w.dir()).rows());
        rows.addAll(httpd(NATIVE, 20_000, 100, 1000));
        rows.addAll(httpd("pio", 17_000, 150, 1900));    // 0.85x, p99 1.9x: met
        rows.addAll(httpd("ring", 3_000, 400, 70_000));  // 0.15x: missed
        try (MetricsCsvWriter csv = MetricsCsvWriter.create(w.dir())) {
            for (MetricRow r : rows) csv.write(r);
        }
        ResultSet rs = ResultSet.read(w.dir());
        assertEquals(rows, rs.rows(), "httpd rows read back as written");
        String html = Files.readString(new ReportWriter(tmp.resolve("reports")).write(rs));
        assertTrue(html.contains("id=\"httpd-table\""), "the httpd table is in the report");
        assertEquals("baseline", target(html, NATIVE));
        assertEquals("met", target(html, "pio"));
        assertEquals("missed", target(html, "ring"));
        assertTrue(row(html, "pio").contains("<td>0.850×</td>"), row(html, "pio"));
        assertTrue(row(html, "ring").contains("<td>70.0×</td>"), row(html, "ring"));
    }

    @Test
    void throughputTakesOnlyItsOwnUnit() {
        assertThrows(IllegalArgumentException.class, () -> new MetricRow(HTTPD, "pio", THROUGHPUT, MEAN, 1, null, UNIT_NS, 1));
        assertThrows(IllegalArgumentException.class, () -> new MetricRow(HTTPD, "pio", GUEST_RESIDENT, MAX, 1, null, UNIT_PER_S, 1));
        assertThrows(IllegalArgumentException.class, () -> new MetricRow(HTTPD, "pio", LATENCY, P50, 1, null, UNIT_PER_S, 1));
    }

    private static String row(String html, String transport) {
        Matcher m = Pattern.compile("<tr data-transport=\"" + transport + "\">.*?</tr>").matcher(html);
        assertTrue(m.find(), "a row for " + transport);
        return m.group();
    }

    private static String target(String html, String transport) {
        Matcher m = Pattern.compile("<td class=\"(\\w+)\">").matcher(row(html, transport));
        assertTrue(m.find(), row(html, transport));
        return m.group(1);
    }
}
