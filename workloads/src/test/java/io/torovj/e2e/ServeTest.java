package io.torovj.e2e;

import static io.torovj.e2e.ServeHarness.PROBE_POLICY;
import static io.torovj.e2e.ServeHarness.definition;
import static io.torovj.e2e.ServeHarness.probePolicy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.torovj.vmm.Platform;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** `torovj serve`'s pools and HTTP API, on every platform: real guests invoked over real HTTP. */
class ServeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    /** Asserts a one-line JSON error body holding {@code fragment}. */
    private static void assertError(HttpResponse<String> r, int status, String fragment) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertFalse(r.body().contains("\n"), "one line: " + r.body());
        String message = json(r).get("error").asText();
        assertTrue(message.contains(fragment), message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void invokesHelloWorldOverEveryTransport(Platform.Kind platform) throws Exception {
        try (ServeHarness s = new ServeHarness(platform)) {
            for (String t : GuestRun.TRANSPORTS) {
                assertEquals(201, s.define("hello-" + t, definition("helloworld", t, ", \"pool\": 2")).statusCode());
                for (int i = 0; i < 3; i++) {     // more invocations than VMs: each is replaced after serving
                    HttpResponse<String> r = s.invoke("hello-" + t, "");
                    assertEquals(200, r.statusCode(), t + ": " + r.body());
                    assertEquals("Hello, World!\n", r.body(), t);
                    assertEquals("EXITED", r.headers().firstValue("X-Torovj-Ending").orElseThrow());
                    assertEquals("0", r.headers().firstValue("X-Torovj-Status").orElseThrow());
                    assertTrue(Long.parseLong(r.headers().firstValue("X-Torovj-Syscalls").orElseThrow()) >= 2, t);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void requestBodyIsStdinAndStdoutIsTheResponse(Platform.Kind platform, String transport) throws Exception {
        try (ServeHarness s = new ServeHarness(platform)) {
            s.define("echo", definition("serveprobe", transport, ", \"args\": [\"echo\"]" + PROBE_POLICY));
            String body = "line one\nline two ".repeat(500);
            HttpResponse<String> r = s.invoke("echo", body);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(body, r.body());
            assertEquals("echo: " + body.length() + " bytes\\n", r.headers().firstValue("X-Torovj-Stderr").orElseThrow());
            JsonNode j = json(s.send("POST", "/functions/echo/invoke?format=json", "abc"));
            assertEquals("abc", j.get("stdout").asText());
            assertEquals("echo: 3 bytes\n", j.get("stderr").asText());
            assertEquals("EXITED", j.get("ending").asText());
            assertEquals(0, j.get("status").asInt());
            assertTrue(j.get("syscalls").asLong() >= 3, j.toString());
            assertTrue(j.has("durationMicros") && j.has("vmExits") && j.get("transportCounters").isObject(), j.toString());
            assertEquals("", s.invoke("echo", "").body(), "an empty body is an empty stdin");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void listDefineReplaceDeleteAndTheirErrors(Platform.Kind platform) throws Exception {
        try (ServeHarness s = new ServeHarness(platform)) {
            assertEquals("[]", s.send("GET", "/functions", null).body());
            HttpResponse<String> created = s.define("fn", definition("helloworld", "pio", ""));
            assertEquals(201, created.statusCode(), created.body());
            assertFalse(json(created).get("replaced").asBoolean());
            JsonNode list = json(s.send("GET", "/functions", null));
            assertEquals(1, list.size());
            assertEquals("fn", list.get(0).get("name").asText());
            assertEquals("pio", json(s.send("GET", "/functions/fn", null)).get("transport").asText());

            // replace: the new definition serves
            HttpResponse<String> replaced = s.define("fn", definition("serveprobe", "pio", ", \"args\": [\"echo\"]" + PROBE_POLICY));
            assertEquals(200, replaced.statusCode(), replaced.body());
            assertTrue(json(replaced).get("replaced").asBoolean());
            assertEquals("swapped", s.invoke("fn", "swapped").body());

            // bad definitions: refused with one line, and the serving one stays
            assertError(s.define("fn", "{\"program\": \"/nonexistent/x.elf\"}"), 400, "/nonexistent/x.elf");
            assertError(s.define("fn", definition("helloworld", "carrier-pigeon", "")), 400, "unknown transport 'carrier-pigeon'");
            assertError(s.define("fn", definition("helloworld", "pio", ", \"memory\": \"lots\"")), 400, "bad size \"lots\" for memory");
            assertError(s.define("fn", definition("helloworld", "pio", ", \"memory\": \"3M\"")), 400, "multiple of 2 MiB");
            assertError(s.define("fn", definition("helloworld", "pio", ",\n \"policy\": {\n\"allow\": [\"wirte\"]}")), 400,
                    "PUT /functions/fn:3: unknown syscall name \"wirte\"");
            assertError(s.define("fn", definition("helloworld", "pio", ", \"pool\": 0")), 400, "pool must be an integer from 1");
            assertError(s.define("fn", definition("helloworld", "pio", ", \"frobnicate\": 1")), 400, "unknown key \"frobnicate\"");
            assertError(s.define("fn", "{\"program\": "), 400, "malformed JSON");
            assertError(s.define("other", "{\"name\": \"fn\", \"program\": \"x\"}"), 400, "is not \"other\" of the URL");
            assertError(s.define("bad%20name!", definition("helloworld", "pio", "")), 400, "bad function name");
            assertEquals("still", s.invoke("fn", "still").body());
            assertEquals(1, json(s.send("GET", "/functions", null)).size());

            // methods, paths, sizes
            assertError(s.send("GET", "/functions/fn/invoke", null), 405, "not allowed");
            assertEquals("POST", s.send("GET", "/functions/fn/invoke", null).headers().firstValue("Allow").orElseThrow());
            assertError(s.send("POST", "/functions", "x"), 405, "not allowed");
            assertError(s.send("PATCH", "/functions/fn", "x"), 405, "not allowed");
            assertError(s.send("POST", "/metrics", "x"), 405, "not allowed");
            assertError(s.send("GET", "/nowhere", null), 404, "no such path");
            assertError(s.send("GET", "/functions/fn/elsewhere", null), 404, "no such path");
            assertError(s.invoke("missing", ""), 404, "no function named \"missing\"");
            s.define("small", definition("serveprobe", "pio", ", \"args\": [\"echo\"], \"limits\": {\"maxInput\": \"1K\"}" + PROBE_POLICY));
            assertEquals(200, s.invoke("small", "x".repeat(1024)).statusCode());
            assertError(s.invoke("small", "x".repeat(1025)), 413, "exceeds the limit of 1024 bytes");

            // delete
            assertEquals(204, s.send("DELETE", "/functions/fn", null).statusCode());
            assertError(s.invoke("fn", ""), 404, "no function named \"fn\"");
            assertError(s.send("DELETE", "/functions/fn", null), 404, "no function named \"fn\"");
        }
    }

    /**
     * Nothing of one invocation reaches the next: each plants a secret in its data, bss, heap,
     * stack, mmap area and an open fd; every later invocation of the same function looks there
     * for any secret before planting its own.
     */
    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void noSecretLeaksFromOneInvocationToTheNext(Platform.Kind platform, String transport) throws Exception {
        try (ServeHarness s = new ServeHarness(platform)) {
            s.define("secret", definition("serveprobe", transport, ", \"args\": [\"secret\"], \"pool\": 2" + PROBE_POLICY));
            for (int i = 0; i < 6; i++) {
                JsonNode r = json(s.send("POST", "/functions/secret/invoke?format=json", "SECRET-" + i + "-" + transport));
                assertEquals(0, r.get("status").asInt(), r.toString());
                assertEquals("clean\n", r.get("stdout").asText(), r.toString());
                assertTrue(r.get("stderr").asText().startsWith("planted "), r.toString());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void faultingAndSpinningGuestsEndTheirOwnInvocationAndTheirVmIsReplaced(Platform.Kind platform) throws Exception {
        try (ServeHarness s = new ServeHarness(platform)) {
            s.define("fault", definition("nullread", "ring", ""));
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = s.send("POST", "/functions/fault/invoke?format=json", "");
                assertEquals(502, r.statusCode(), r.body());
                JsonNode j = json(r);
                assertEquals("FAULT", j.get("ending").asText());
                assertEquals(139, j.get("status").asInt());
                assertTrue(j.get("report").asText().contains("#PF"), j.toString());
                assertEquals("about to read NULL\n", j.get("stdout").asText());
            }
            s.define("cpu", definition("serveprobe", "ring", ", \"args\": [\"spin\"]"
                    + probePolicy(", \"limits\": {\"cpuTime\": \"300ms\"}")));
            HttpResponse<String> cpu = s.invoke("cpu", "");
            assertEquals(504, cpu.statusCode());
            assertEquals("TIME_LIMIT", cpu.headers().firstValue("X-Torovj-Ending").orElseThrow());
            assertTrue(cpu.headers().firstValue("X-Torovj-Report").orElseThrow().contains("CPU-time limit of 300 ms"));
            s.define("wall", definition("serveprobe", "pio", ", \"args\": [\"spin\"]"
                    + probePolicy(", \"limits\": {\"wallClock\": \"300ms\"}")));
            assertTrue(s.invoke("wall", "").headers().firstValue("X-Torovj-Report").orElseThrow().contains("wall-clock limit of 300 ms"));
            s.define("deadline", definition("serveprobe", "aring", ", \"args\": [\"spin\"], \"limits\": {\"timeout\": \"400ms\"}"
                    + PROBE_POLICY));
            HttpResponse<String> late = s.invoke("deadline", "");
            assertEquals(504, late.statusCode());
            assertTrue(late.headers().firstValue("X-Torovj-Report").orElseThrow().contains("timeout of 400 ms"));
            // the spinning guests' VMs were discarded: the functions still answer
            assertEquals(504, s.invoke("cpu", "").statusCode());
            JsonNode pools = json(s.send("GET", "/functions/cpu", null));
            assertEquals(0, pools.get("vms").get("busy").asInt(), pools.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void outputIsBoundedByTheFunctionsLimit(Platform.Kind platform) throws Exception {
        try (ServeHarness s = new ServeHarness(platform)) {
            s.define("flood", definition("serveprobe", "ring", ", \"args\": [\"flood\"], \"limits\": {\"maxOutput\": \"64K\"}"
                    + PROBE_POLICY));
            JsonNode j = json(s.send("POST", "/functions/flood/invoke?format=json", ""));
            assertEquals(65536, j.get("stdout").asText().length());
            assertTrue(j.get("stderr").asText().startsWith("flood: 65536 bytes, then "), j.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void aFullQueueIsRefusedAtOnce(Platform.Kind platform) throws Exception {
        try (ServeHarness s = new ServeHarness(platform)) {
            s.define("slow", definition("serveprobe", "pio", ", \"args\": [\"sleep\", \"1500\"], \"pool\": 1, \"limits\": {\"queue\": 1}"
                    + PROBE_POLICY));
            CompletableFuture<HttpResponse<String>> running = s.sendAsync("POST", "/functions/slow/invoke", "");
            awaitBusy(s, "slow", 1);
            CompletableFuture<HttpResponse<String>> queued = s.sendAsync("POST", "/functions/slow/invoke", "");
            awaitQueued(s, "slow", 1);
            HttpResponse<String> refused = s.invoke("slow", "");
            assertError(refused, 429, "is busy: 1 running and 1 queued");
            assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());
            assertFalse(running.isDone() && queued.isDone(), "refused while the others still ran");
            assertEquals("slept 1500\n", running.get().body());
            assertEquals("slept 1500\n", queued.get().body());
            String metrics = s.send("GET", "/metrics", null).body();
            assertTrue(metrics.contains("torovj_invocation_errors_total{function=\"slow\",kind=\"queue_full\"} 1"), metrics);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void invocationsRunInParallelUpToThePoolSize(Platform.Kind platform) throws Exception {
        try (ServeHarness s = new ServeHarness(platform)) {
            s.define("echo", definition("serveprobe", "ring", ", \"args\": [\"echo\"], \"pool\": 3, \"limits\": {\"queue\": 20}"
                    + PROBE_POLICY));
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 20; i++) all.add(s.sendAsync("POST", "/functions/echo/invoke", "request " + i));
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = all.get(i).get();
                assertEquals(200, r.statusCode(), r.body());
                assertEquals("request " + i, r.body());
            }
            String metrics = s.send("GET", "/metrics", null).body();
            assertTrue(metrics.contains("torovj_invocations_total{ending=\"EXITED\",function=\"echo\"} 20")
                    || metrics.contains("torovj_invocations_total{function=\"echo\",ending=\"EXITED\"} 20"), metrics);
            assertTrue(metrics.contains("torovj_invocation_duration_seconds_count{function=\"echo\"} 20"), metrics);
            assertTrue(metrics.contains("torovj_pool_vms{function=\"echo\",state=\"ready\"}"), metrics);
            assertTrue(metrics.contains("torovj_syscalls_total{transport=\"ring\"}"), metrics);
            assertTrue(metrics.contains("torovj_vm_exits_total{transport=\"ring\"}"), metrics);
        }
    }

    /**
     * Reset in place: one VM is built and then reset after every invocation; a faulted one is
     * replaced, not reset. Rebuild: a new VM per invocation and no reset.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void usedVmsAreResetInPlaceOrRebuiltAsConfigured(Platform.Kind platform) throws Exception {
        String built = "torovj_pool_vms_built_total{function=\"echo\"}", reset = "torovj_pool_vm_resets_total{function=\"echo\"}";
        try (ServeHarness s = new ServeHarness(platform)) {
            s.define("echo", definition("serveprobe", "ring", ", \"args\": [\"echo\"], \"pool\": 1" + PROBE_POLICY));
            for (int i = 0; i < 5; i++) assertEquals("call " + i, s.invoke("echo", "call " + i).body());
            awaitState(s, "echo", "ready", 1);
            assertEquals(1, s.metric(built), "one VM built, then reset in place");
            assertEquals(5, s.metric(reset));
        }
        try (ServeHarness s = new ServeHarness(platform, io.torovj.serve.VmReuse.REBUILD)) {
            s.define("echo", definition("serveprobe", "ring", ", \"args\": [\"echo\"], \"pool\": 1" + PROBE_POLICY));
            for (int i = 0; i < 5; i++) assertEquals("call " + i, s.invoke("echo", "call " + i).body());
            awaitState(s, "echo", "ready", 1);
            assertEquals(6, s.metric(built), "a VM per invocation, and the next one ahead");
            assertEquals(0, s.metric(reset));
        }
    }

    static void awaitBusy(ServeHarness s, String fn, int n) throws Exception {
        awaitState(s, fn, "busy", n);
    }

    static void awaitQueued(ServeHarness s, String fn, int n) throws Exception {
        awaitState(s, fn, "queued", n);
    }

    private static void awaitState(ServeHarness s, String fn, String state, int n) throws Exception {
        for (int i = 0; i < 1000; i++) {
            if (json(s.send("GET", "/functions/" + fn, null)).get("vms").get(state).asInt() == n) return;
            Thread.sleep(10);
        }
        throw new AssertionError(fn + " never had " + n + " " + state);
    }
}
