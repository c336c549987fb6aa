package io.torovj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.serve.FunctionRegistry;
import io.torovj.serve.HttpApi;
import io.torovj.vmm.Platform;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The serverless bench's probes on real guests, on KVM and on the process platform: the memory fit's points, the
 * invocation samplers' counts and the HTTP throughput sweep (small counts; the figures themselves are the bench's).
 */
class ServerlessProbesTest {
    /** One HttpClient for the JVM (a dropped one closes its selector's fds later, under other tests' fd checks). */
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir Path tmp;

    private interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} with the bench's platform set to {@code platform} (GuestLauncher.platform() reads it). */
    private static void on(Platform.Kind platform, Body body) throws Exception {
        String before = System.getProperty("bench.platform");
        System.setProperty("bench.platform", platform == Platform.Kind.PROCESS ? "process" : "kvm");
        try {
            body.run();
        } finally {
            if (before == null) System.clearProperty("bench.platform");
            else System.setProperty("bench.platform", before);
        }
    }

    /** The wait before timing whole commands: one quiet window at least, and bounded however busy the JIT is. */
    @Test
    void theWaitForAQuietJitIsAtLeastOneWindowAndBounded() throws Exception {
        long t0 = System.nanoTime();
        InvocationSampler.awaitQuietJit(1_000_000_000L);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(millis >= InvocationSampler.QUIET_JIT_WINDOW_MILLIS, "one window at least: " + millis + " ms");
        assertTrue(millis < 1_000 + 2 * InvocationSampler.QUIET_JIT_WINDOW_MILLIS + 2_000, "bounded by its limit: " + millis + " ms");
    }

    @Test
    void fitGivesTheSlopeOfExactPointsAndRefusesFewerThanTwo() {
        MemoryGrowth g = new MemoryGrowth(List.of(point(0, 1_000_000, 50_000, 7_000), point(10, 3_000_000, 150_000, 7_000),
                point(20, 5_000_000, 250_000, 7_000)));
        assertEquals(200_000, g.rss().slope(), 1e-6);
        assertEquals(1_000_000, g.rss().intercept(), 1e-6);
        assertEquals(1.0, g.rss().rSquared(), 1e-12);
        assertEquals(10_000, g.heap().slope(), 1e-6);
        assertEquals(210_000, g.monitorBytesPerVm(), 1e-6);
        assertEquals(0, g.kernel().slope(), 1e-6);
        assertEquals(1.0, g.kernel().rSquared(), "a flat line is explained exactly");
        assertEquals(20, g.maxVms());
        MemoryGrowth noisy = new MemoryGrowth(List.of(point(0, 1_000_000, 0, 0), point(10, 4_000_000, 0, 0),
                point(20, 3_000_000, 0, 0)));
        assertTrue(noisy.rss().rSquared() < 0.9, "a point off the line lowers R²: " + noisy.rss().rSquared());
        assertThrows(IllegalArgumentException.class, () -> new MemoryGrowth(List.of(point(0, 1, 1, 1))));
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void memoryProbeCountsPooledAndLiveVms(Platform.Kind platform, String transport) throws Exception {
        on(platform, () -> {
            MemoryGrowth pooled = new MemoryGrowth(VmMemoryProbe.pooled(transport, 4));
            assertEquals(List.of(0, 2, 4), pooled.points().stream().map(MemoryGrowth.Point::vms).toList());
            assertTrue(pooled.heap().slope() > 0, "each pooled VM keeps Java objects: " + pooled.heap());
            MemoryGrowth live = new MemoryGrowth(VmMemoryProbe.live(transport, 2));
            assertEquals(List.of(0, 1, 2), live.points().stream().map(MemoryGrowth.Point::vms).toList());
            assertTrue(live.points().stream().allMatch(p -> p.memory().rssBytes() > 0 && p.memory().kernelBytes() > 0));
        });
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void samplersTimeEveryInvocationAndThroughputCountsThem(Platform.Kind platform, String transport) throws Exception {
        on(platform, () -> {
            try (FunctionRegistry registry = HelloFunction.registry(); GuestLauncher launcher = new GuestLauncher(tmp)) {
                registry.define(HelloFunction.definition("hello", transport, 2));
                try (HttpApi api = HttpApi.start(new InetSocketAddress("127.0.0.1", 0), registry, tmp)) {
                    HttpRequest invoke = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.address().getPort()
                            + "/functions/hello/invoke")).POST(HttpRequest.BodyPublishers.noBody()).build();
                    assertCount(12, InvocationSampler.warm(registry.pool("hello").orElseThrow(), 12));
                    assertCount(12, InvocationSampler.http(CLIENT, invoke, 12));
                    HttpThroughput t = HttpThroughput.measure(CLIENT, invoke, 2, 200);
                    assertEquals(2, t.clients());
                    assertTrue(t.invocations() > 0 && t.perSecond() > 0, "invocations counted: " + t);
                }
                assertEquals(1, InvocationSampler.warmCold(launcher, transport, 1, 0), "no time left for a window: the minimum");
                InvocationSampler.ColdSamples cold = InvocationSampler.cold(launcher, transport, 3);
                assertCount(3, cold.wall());
                assertTrue(cold.wallMillis() >= 0 && cold.jitMillis() >= -1, cold.toString());
                assertTrue(cold.medians().matches("input \\d+, memory \\d+, .*, run \\d+, close \\d+ µs"), cold.medians());
                assertEquals(1, cold.attempts());
                InvocationSampler.ColdSamples quiet = InvocationSampler.coldWhileJitQuiet(launcher, transport, 3, 2);
                assertCount(3, quiet.wall());
                assertTrue(quiet.attempts() == 1 || quiet.attempts() == 2, "measured at most twice: " + quiet.attempts());
                if (quiet.attempts() == 1) assertFalse(quiet.jitBusy(), "a first measurement kept had a quiet JIT: " + quiet);
            }
        });
    }

    @Test
    void coldVmsCountTheJitBusyAboveItsQuietShare() {
        Histogram h = LatencyRecorder.newHistogram();
        assertTrue(new InvocationSampler.ColdSamples(h, java.util.Map.of(), 10, 100, 1).jitBusy(), "10 of 100 ms");
        assertFalse(new InvocationSampler.ColdSamples(h, java.util.Map.of(), 5, 100, 1).jitBusy(), "5% is quiet");
        assertFalse(new InvocationSampler.ColdSamples(h, java.util.Map.of(), -1, 100, 1).jitBusy(), "not measured");
    }

    @Test
    void nativeSpawnIsTimedToo() throws Exception {
        assertCount(3, InvocationSampler.nativeSpawn(3));
        assertTrue(Files.isExecutable(BenchPaths.nativeBinary("helloworld")));
    }

    private static void assertCount(long n, Histogram h) {
        assertEquals(n, h.getTotalCount(), "one sample per timed invocation");
        assertTrue(h.getMinValue() > 0, "each took some time");
    }

    private static MemoryGrowth.Point point(int vms, long rss, long heap, long kernel) {
        return new MemoryGrowth.Point(vms, new MemorySnapshot(rss, heap, kernel));
    }
}
