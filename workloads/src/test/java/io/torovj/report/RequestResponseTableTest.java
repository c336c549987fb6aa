package io.torovj.report;

import static io.torovj.report.ResultsSchema.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The echo-rr rows (ResultsSchema, "echo-rr") round-trip through metrics.csv and make the report's
 * request/response table, with each transport's ratio to native p50 and transactions/s; echo's
 * guest-timed calls and echo-rr's round trips stay out of the per-call summary.
 */
class RequestResponseTableTest {
    @TempDir Path tmp;

    private String report(SyntheticResults.Written w) throws Exception {
        return Files.readString(new ReportWriter(tmp.resolve("reports")).write(ResultSet.read(w.dir())));
    }

    @Test
    void tableShowsRoundTripsAndTransactionsAgainstNative() throws Exception {
        SyntheticResults.Written w = SyntheticResults.write(tmp.resolve("results").resolve("20261202-021500-abc1234"), 5, 1.0, 2000);
        ResultSet rs = ResultSet.read(w.dir());
        assertEquals(w.rows(), rs.rows(), "echo-rr rows read back as written");
        String html = report(w);
        String table = between(html, "id=\"rr-table\"", "</table>");
        // pio: p50 150 µs against native's 20 µs; transactions/s the inverse
        String pio = row(table, "pio");
        assertTrue(pio.contains("<td>150 µs</td><td>7.50×</td>"), pio);
        assertTrue(pio.contains("<td>0.133×</td>"), "pio's transactions/s ratio to native: " + pio);
        assertTrue(pio.contains("<td>10,000</td>"), "the number of transactions: " + pio);
        assertTrue(row(table, "ring").contains("<td>1.50×</td>"), row(table, "ring"));
        assertTrue(row(table, NATIVE).contains("baseline"), row(table, NATIVE));
        assertFalse(table.contains("data-transport=\"vsock\""), "a transport without rows has no line");
        assertEquals(4, count(table, "<tr data-transport="));

        String section = between(html, "id=\"rr\"", "id=\"floors\"");
        for (String s : List.of("timed at the client", "64-byte request", "TCP_NODELAY", "10,000 timed transactions",
                "include waiting for the client")) {
            assertTrue(section.contains(s), "the section says: " + s);
        }
        String summary = between(html, "id=\"summary\"", "</table>");
        assertFalse(summary.contains("data-workload=\"" + ECHO + "\""), "no guest-timed echo in the per-call summary");
        assertFalse(summary.contains("data-workload=\"" + ECHO_RR + "\""), "no echo-rr in the per-call summary");
        assertTrue(html.contains("echo (recv/send timed in the guest, includes waiting for the client)"),
                "echo's percentile chart is relabelled");
    }

    @Test
    void runWithoutRowsSaysSo() throws Exception {
        SyntheticResults.Written w = SyntheticResults.write(tmp.resolve("results").resolve("20261202-021600-abc1234"), 6, 1.0, 2000);
        List<MetricRow> rows = new ArrayList<>(w.rows().stream().filter(r -> !r.workload().equals(ECHO_RR)).toList());
        try (MetricsCsvWriter csv = MetricsCsvWriter.create(w.dir())) {
            csv.writeAll(rows);
        }
        String html = report(w);
        assertTrue(html.contains("id=\"skipped-rr\""));
        assertFalse(html.contains("id=\"rr-table\""));
    }

    private static String row(String table, String transport) {
        Matcher m = Pattern.compile("<tr data-transport=\"" + transport + "\"[^>]*>.*?</tr>").matcher(table);
        assertTrue(m.find(), "a row for " + transport);
        return m.group();
    }

    private static String between(String s, String from, String to) {
        int a = s.indexOf(from);
        assertTrue(a >= 0, "has " + from);
        int b = s.indexOf(to, a);
        assertTrue(b > a, "has " + to + " after " + from);
        return s.substring(a, b);
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }
}
