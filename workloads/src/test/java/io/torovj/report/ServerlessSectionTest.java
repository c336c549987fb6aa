package io.torovj.report;

import static io.torovj.report.ResultsSchema.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serverless rows (ResultsSchema, "Serverless") read back and make the report's invocation, throughput and density parts. */
class ServerlessSectionTest {
    @TempDir Path tmp;

    private String report() throws Exception {
        SyntheticResults.Written w = SyntheticResults.write(tmp.resolve("results").resolve("20261202-030000-abc1234"), 5, 1.0, 2000);
        ResultSet rs = ResultSet.read(w.dir());
        assertEquals(w.rows(), rs.rows(), "every serverless row reads back as written");
        return Files.readString(new ReportWriter(tmp.resolve("reports")).write(rs));
    }

    @Test
    void invocationLatencyIsOneChartAndOneTableWithTheTargets() throws Exception {
        String html = report();
        assertTrue(html.contains("charts/invocation-latency.png"), "the invocation chart");
        assertTrue(Files.size(tmp.resolve("reports/20261202-030000-abc1234/charts/invocation-latency.png")) > 5000);
        String table = section(html, "invocation-table");
        assertEquals(ServerlessSection.WAYS.size(), ReportTest.count(table, "<tr data-workload="), "one row per way");
        // ring: warm p50 ~40 µs, 25x faster than a 1 ms spawn
        String warm = row(table, SERVE_WARM);
        assertTrue(warm.contains("<b>met</b>"), warm);
        // the whole command, judged for every transport: ring's ~120 ms is under 150 ms, pio's and mmio's ~330 ms are not
        String cli = row(table, CLI_RUN);
        assertTrue(cli.contains("every transport ≤ 150 ms (issue 10)") && cli.contains("<b>missed</b>"), cli);
        for (String t : java.util.List.of("pio", "mmio", "ring")) assertTrue(Pattern.compile(t + " [0-9]+ ms").matcher(cli).find(), t + ": " + cli);
        assertTrue(table.contains("<th>native</th>") && table.contains("<th>ring</th>"), table);
        // a fresh VM: every transport against the C lifecycle (600 µs here), each ratio shown
        String cold = row(table, HELLOWORLD);
        assertTrue(cold.contains("every transport ≤ 1.20× the C VM lifecycle") && cold.contains(C_FLOOR_VM_LIFECYCLE), cold);
        assertTrue(cold.contains("<b>missed</b>") || cold.contains("<b>met</b>"), cold);
        for (String t : java.util.List.of("pio", "ring")) assertTrue(Pattern.compile(t + " [0-9.]+×").matcher(cold).find(), t + ": " + cold);
        // ring against the lifecycle measured around its cold VMs (~1.9 ms ÷ 1.6 ms), pio against the probe's (~1.5 ms ÷ 600 µs)
        assertTrue(Pattern.compile("ring 1\\.[12][0-9]× of 1\\.60 ms around it").matcher(cold).find(), cold);
        assertTrue(Pattern.compile("pio 2\\.[0-9]+× of 600 µs(?! around)").matcher(cold).find(), cold);
        // beside the target, not judged: each transport over the C replay of HelloWorld's own boot image (690 µs here)
        assertTrue(cold.contains("like for like (not a target)") && cold.contains(C_FLOOR_VM_HELLO), cold);
        assertTrue(Pattern.compile("pio [0-9.]+× of 690 µs").matcher(cold).find(), cold);
        ResultSet rs = ResultSet.read(tmp.resolve("results/20261202-030000-abc1234"));
        assertEquals("ring", new ServerlessSection(rs, new Html(), tmp, new java.util.ArrayList<>()).chartTransport());
    }

    @Test
    void throughputAndDensityShowTheirTargets() throws Exception {
        String html = report();
        assertTrue(html.contains("charts/throughput.png"), "the throughput chart");
        String throughput = section(html, "throughput-table");
        assertTrue(throughput.contains("<tr data-throughput-transport=\"ring\"><th>ring</th>"), throughput);
        assertTrue(rowOf(throughput, "data-throughput-transport", "ring").contains("<td class=\"met\">met</td>"));
        assertTrue(rowOf(throughput, "data-throughput-transport", "pio").contains("<td class=\"missed\">missed</td>"));
        String density = section(html, "density-table");
        String ring = rowOf(density, "data-density-transport", "ring");
        assertTrue(ring.contains("<td>5243</td>") || ring.contains("<td>5240</td>"), "1 GiB / 200 KiB: " + ring);
        assertTrue(ring.contains("<td class=\"met\">met</td>"), ring);
        assertTrue(rowOf(density, "data-density-transport", "mmio").contains("<td class=\"missed\">missed</td>"),
                "1.5 MiB per VM: 683 per GiB");
    }

    @Test
    void schemaNamesTheConcurrencyWorkloadsAndChecksTheNewMetric() {
        assertEquals("serve-http-c4", serveHttpClients(4));
        assertThrows(IllegalArgumentException.class, () -> serveHttpClients(0));
        for (int c : SERVE_CLIENTS) assertTrue(KNOWN_WORKLOADS.contains(serveHttpClients(c)));
        assertTrue(MEMORY_METRICS.contains(HOST_KERNEL_PER_VM));
        assertThrows(IllegalArgumentException.class, () -> new MetricRow(SERVE_POOL, "ring", HOST_KERNEL_PER_VM, MEAN, 1, null, UNIT_NS, 1));
        assertThrows(IllegalArgumentException.class, () -> new MetricRow(serveHttpClients(2), "ring", THROUGHPUT, MEAN, 1, null, UNIT_BYTES, 1));
    }

    @Test
    void linesChartDrawsRatesAndLeavesOffWhatIsNotOne() throws Exception {
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("ring", new double[][] {{1, 2, 4, 8}, {1000, 1800, Double.NaN, 2500}});
        series.put("pio", new double[][] {{1}, {-5}});
        Charts.Rendered r = Charts.lines(tmp, "rates", "t", "clients", "per s", series, Map.of());
        assertNotNull(r);
        assertTrue(Files.size(tmp.resolve("rates.png")) > 1000);
        assertTrue(Files.readString(tmp.resolve("rates.svg")).contains("<svg"));
        assertEquals(2, r.notes().size(), String.join("; ", r.notes()));
        assertNull(Charts.lines(tmp, "none", "t", "x", "y", Map.of("a", new double[][] {{1}, {Double.NaN}}), Map.of()),
                "nothing drawable: no chart");
    }

    private static String section(String html, String id) {
        int at = html.indexOf("id=\"" + id + "\"");
        assertTrue(at >= 0, "no " + id);
        return html.substring(at, html.indexOf("</table>", at));
    }

    private static String row(String table, String workload) {
        return rowOf(table, "data-workload", workload);
    }

    private static String rowOf(String table, String attribute, String value) {
        Matcher m = Pattern.compile("<tr " + attribute + "=\"" + Pattern.quote(value) + "\">.*?</tr>", Pattern.DOTALL).matcher(table);
        assertTrue(m.find(), "a row for " + value + " in " + table);
        return m.group();
    }
}
