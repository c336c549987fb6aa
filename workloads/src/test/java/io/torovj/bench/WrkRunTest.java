package io.torovj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Reading wrk 4.1's output (as printed here by {@code wrk -t1 -c4 -d5s --latency}). */
class WrkRunTest {
    private static final String OUT = """
            Running 5s test @ http://127.0.0.1:18934/
              1 threads and 4 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency    49.97ms  135.62ms 795.60ms   91.52%
                Req/Sec     3.87k     2.81k   11.27k    58.97%
              Latency Distribution
                 50%  417.00us
                 75%   14.27ms
                 90%  146.36ms
                 99%     1.20s
              15346 requests in 5.01s, 1.23MB read
            Requests/sec:   3064.79
            Transfer/sec:    251.41KB
            """;

    @Test
    void readsRateCountAndPercentilesInMicroseconds() {
        WrkRun r = WrkRun.parse(OUT).orElseThrow();
        assertEquals(3064.79, r.requestsPerSecond(), 1e-9);
        assertEquals(15346, r.requests());
        assertEquals(417.0, r.percentilesMicros().get(50), 1e-9);
        assertEquals(14_270.0, r.percentilesMicros().get(75), 1e-6);
        assertEquals(146_360.0, r.percentilesMicros().get(90), 1e-6);
        assertEquals(1_200_000.0, r.percentilesMicros().get(99), 1e-6);
        assertEquals(795_600.0, r.percentilesMicros().get(100), 1e-6);
        assertTrue(WrkRun.problems(OUT).isEmpty());
    }

    @Test
    void aRunThatCouldNotConnectOrSawErrorsIsNoMeasurement() {
        assertTrue(WrkRun.parse("unable to connect to 127.0.0.1:1 Connection refused\n").isEmpty());
        String withErrors = OUT.replace("Requests/sec:", "  Socket errors: connect 0, read 3, write 0, timeout 0\nRequests/sec:");
        assertEquals("Socket errors: connect 0, read 3, write 0, timeout 0", WrkRun.problems(withErrors).orElseThrow());
        assertTrue(WrkRun.parse(OUT.replace("     99%     1.20s\n", "")).isEmpty(), "a missing percentile");
    }
}
