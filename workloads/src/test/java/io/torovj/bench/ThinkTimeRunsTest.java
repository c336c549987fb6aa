package io.torovj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How many calls a think-time point asks for: about the point's time, within the bounds. */
class ThinkTimeRunsTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void callsFillThePointAtTheExpectedCostPerCall() {
        assertEquals(40_000, ThinkTimeRuns.calls(SECOND, 0, 25_000), "pio back to back: 25 µs per call");
        assertEquals(20_000, ThinkTimeRuns.calls(SECOND, 25_000, 25_000), "half the time thinking");
        assertEquals(999, ThinkTimeRuns.calls(SECOND, 1_000_000, 1_000));
    }

    @Test
    void callsStayWithinTheBounds() {
        assertEquals(ThinkTimeRuns.MAX_CALLS, ThinkTimeRuns.calls(SECOND, 0, 70), "native back to back");
        assertEquals(ThinkTimeRuns.MAX_CALLS, ThinkTimeRuns.calls(SECOND, 0, 0), "a cost of 0 counts as 1 ns");
        assertEquals(ThinkTimeRuns.MIN_CALLS, ThinkTimeRuns.calls(SECOND / 10, 1_000_000, 30_000), "enough for a p99");
    }
}
