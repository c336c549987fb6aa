package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `torovj serve` as a user runs it: a separate JVM, a functions file, SIGTERM. */
class ServeCommandTest {
    private static final Pattern SERVING = Pattern.compile("serving (\\d+) function\\(s\\) on http://127\\.0\\.0\\.1:(\\d+)");

    private static String platform() {
        return io.torovj.kvm.Kvm.deviceExists() ? "kvm" : "process";
    }

    private static Process serve(Path functions, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dtorovj.vcpuProcess=" + System.getProperty("torovj.vcpuProcess"),
                "-cp", System.getProperty("java.class.path"), "io.torovj.cli.Main",
                "serve", "--listen", "127.0.0.1:0", "--platform", platform(), "--functions", functions.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * SIGTERM while an invocation runs: the invocation finishes and is answered, later requests
     * are refused, and the process exits by itself with the drain logged.
     */
    @Test
    void sigtermDrainsInFlightInvocationsAndExits(@TempDir Path dir) throws Exception {
        Path fns = dir.resolve("fns.json");
        Files.writeString(fns, "{\"functions\": [\n"
                + "  {\"name\": \"slow\", \"program\": \"" + GuestRun.guest("serveprobe").toAbsolutePath() + "\","
                + " \"args\": [\"sleep\", \"1500\"], \"transport\": \"ring\", \"pool\": 2"
                + ServeHarness.PROBE_POLICY + "}\n]}\n");
        Path log = dir.resolve("serve.log");
        Process p = serve(fns, log);
        try {
            Matcher m = null;
            for (int i = 0; i < 6000 && p.isAlive(); i++) {
                m = SERVING.matcher(Files.readString(log));
                if (m.find()) break;
                m = null;
                Thread.sleep(10);
            }
            assertTrue(m != null, "no serving line in:\n" + Files.readString(log));
            assertEquals("1", m.group(1));
            URI invoke = URI.create("http://127.0.0.1:" + m.group(2) + "/functions/slow/invoke");
            HttpClient client = ServeHarness.SHARED_CLIENT;
            HttpRequest post = HttpRequest.newBuilder(invoke).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.noBody()).build();
            CompletableFuture<HttpResponse<String>> a = client.sendAsync(post, HttpResponse.BodyHandlers.ofString());
            CompletableFuture<HttpResponse<String>> b = client.sendAsync(post, HttpResponse.BodyHandlers.ofString());
            URI list = URI.create("http://127.0.0.1:" + m.group(2) + "/functions/slow");
            String state = "";
            for (int i = 0; i < 3000 && !state.contains("\"busy\":2"); i++) {
                state = client.send(HttpRequest.newBuilder(list).build(), HttpResponse.BodyHandlers.ofString()).body();
                if (!state.contains("\"busy\":2")) Thread.sleep(10);
            }
            assertTrue(state.contains("\"busy\":2"), "both invocations must be running before the SIGTERM: " + state);
            p.destroy();        // SIGTERM
            assertEquals("slept 1500\n", a.get(60, TimeUnit.SECONDS).body());
            assertEquals("slept 1500\n", b.get(60, TimeUnit.SECONDS).body());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "serve did not exit after SIGTERM");
            String rest = Files.readString(log);
            assertEquals(143, p.exitValue(), rest);     // 128 + SIGTERM, after the drain
            assertTrue(rest.contains("torovj: draining 2 in-flight invocation(s)"), rest);
            assertTrue(rest.contains("torovj: drained, exiting"), rest);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aBadFunctionsFileIsRefusedWithItsLine(@TempDir Path dir) throws Exception {
        Path fns = dir.resolve("fns.json");
        Files.writeString(fns, "{\"functions\": [\n  {\"name\": \"a\", \"program\": \""
                + GuestRun.guest("helloworld").toAbsolutePath() + "\",\n   \"transport\": \"smoke-signals\"}\n]}\n");
        CliTest.Cli c = CliTest.torovj("serve", "--listen", "127.0.0.1:0", "--platform", platform(), "--functions", fns.toString());
        assertEquals(1, c.status());
        assertEquals("torovj: " + fns + ":3: function \"a\": unknown transport 'smoke-signals'", c.stderr().lines().findFirst().orElse("")
                .replaceAll(" \\(known: .*", ""));
        Files.writeString(fns, "{\"functions\": [{\"name\": \"a\", \"program\": \"missing.elf\"}]}");
        c = CliTest.torovj("serve", "--listen", "127.0.0.1:0", "--functions", fns.toString());
        assertEquals(1, c.status());
        assertTrue(c.stderr().startsWith("torovj: " + fns + ":1: function \"a\": program " + dir.resolve("missing.elf")), c.stderr());
        c = CliTest.torovj("serve", "--listen", "nowhere");
        assertEquals(1, c.status());
        assertEquals("torovj: --listen needs HOST:PORT, not 'nowhere'\n", c.stderr());
    }
}
