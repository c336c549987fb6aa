package io.torovj.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Renders the report in headless Chromium, from disk, and checks that the summary table and every chart image are
 * there and loaded. Also leaves a screenshot in target/report-screenshot.png for a human to look at.
 */
class ReportChromiumTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final String CHECK_SCRIPT = """
            <script>
            window.addEventListener('load', function () {
              var imgs = document.querySelectorAll('img'), ok = 0;
              imgs.forEach(function (img) {
                var loaded = img.complete && img.naturalWidth > 0;
                img.setAttribute('data-loaded', loaded ? 'true' : 'false');
                if (loaded) { ok++; }
              });
              document.body.setAttribute('data-images', String(imgs.length));
              document.body.setAttribute('data-images-loaded', String(ok));
              document.body.setAttribute('data-table-rows',
                  String(document.querySelectorAll('#summary tbody tr').length));
            });
            </script>
            """;

    @TempDir
    Path tmp;

    @Test
    void reportRendersWithEveryChartLoaded() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM), "headless Chromium is needed to check the report: "
                + CHROMIUM + " is missing; install Debian's chromium package (apt-get install -y chromium "
                + "fonts-dejavu-core), as .ci/run does");
        SyntheticResults.Written w = SyntheticResults.write(tmp.resolve("results").resolve("20261127-191100-abc1234"),
                11, 1.0, 20_000);
        Path index = new ReportWriter(tmp.resolve("reports")).write(ResultSet.read(w.dir()));
        String html = Files.readString(index);
        int charts = ReportTest.count(html, "<img ");
        assertTrue(charts >= 16, "latency, 11 percentile charts, wall, memory, cpu, invocation latency, throughput: " + charts);
        assertTrue(html.contains("charts/invocation-latency.png") && html.contains("charts/throughput.png"), "the serverless charts");

        // a copy of the page with a checking script, beside it so that relative paths are the same
        Path probe = index.resolveSibling("index.check.html");
        Files.writeString(probe, html.replace("</body>", CHECK_SCRIPT + "</body>"));
        String dom = chromium(List.of("--dump-dom", probe.toUri().toString()), tmp.resolve("dump.log"));

        assertTrue(dom.contains("id=\"summary\""), "summary table rendered");
        assertEquals("10", attr(dom, "data-table-rows"), "one summary row per workload with a per-call or wall time (not echo, not echo-rr)");
        assertEquals(Integer.toString(charts), attr(dom, "data-images"));
        assertEquals(Integer.toString(charts), attr(dom, "data-images-loaded"), "every chart image loaded");
        Matcher m = Pattern.compile("<img [^>]*>").matcher(dom);
        List<String> notLoaded = new ArrayList<>();
        while (m.find()) {
            if (!m.group().contains("data-loaded=\"true\"")) {
                notLoaded.add(m.group());
            }
        }
        assertEquals(List.of(), notLoaded);

        // a screenshot for human eyes (target/ of this module)
        Path shot = Path.of("target", "report-screenshot.png").toAbsolutePath();
        Files.createDirectories(shot.getParent());
        Files.deleteIfExists(shot);
        chromium(List.of("--screenshot=" + shot, "--window-size=1280,7000", "--hide-scrollbars",
                index.toUri().toString()), tmp.resolve("shot.log"));
        assertTrue(Files.size(shot) > 10_000, "screenshot written: " + shot);
    }

    private static String attr(String dom, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(dom);
        assertTrue(m.find(), "the check script ran (" + name + " set)");
        return m.group(1);
    }

    private String chromium(List<String> args, Path log) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(tmp, "chromium-profile");
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--user-data-dir=" + profile, "--virtual-time-budget=5000"));
        cmd.addAll(args);
        Path stdout = log.resolveSibling(log.getFileName() + ".out");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            fail("chromium did not finish in 120 s; its log: " + tail(log));
        }
        assertEquals(0, p.exitValue(), "chromium failed; its log: " + tail(log));
        return Files.readString(stdout);
    }

    private static String tail(Path log) throws IOException {
        String s = Files.exists(log) ? Files.readString(log) : "";
        return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    }
}
