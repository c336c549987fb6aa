package io.torovj.mechanisms;

import static io.torovj.mechanisms.RingFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.boot.GuestLayout;
import io.torovj.mechanisms.RingFixture.RecordingExecutor;
import java.lang.invoke.VarHandle;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AdaptiveRingTransport}'s two spin budgets over plain guest memory, the guest's side
 * (ring.h's call, with the sleep handshake) being this test: before a run's first call the
 * poller spins for the start budget, from that call on for the idle budget.
 */
class AdaptiveRingTransportTest {
    private static final long AREA = GuestLayout.TRANSPORT_AREA;
    private static final long GETPPID = 110;

    private final RingFixture f = new RingFixture("aring");
    private final RecordingExecutor executor = new RecordingExecutor((nr, a0) -> 7);
    private final AdaptiveRingTransport transport = new AdaptiveRingTransport();

    @AfterEach
    void free() {
        transport.close();
        f.close();
    }

    /** The transport with its start and idle budgets (µs). */
    private void attach(String startSpinMicros, String idleSpinMicros) {
        transport.attach(f.context("aring", executor, Map.of(AdaptiveRingTransport.START_SPIN_OPTION, startSpinMicros,
                AdaptiveRingTransport.IDLE_SPIN_OPTION, idleSpinMicros)));
    }

    /** The guest's call {@code index}: submit, then (ring.h's step 4) ring the doorbell if the poller sleeps. */
    private void call(long index) throws InterruptedException {
        f.submit(AREA, index, GETPPID, 0, 0, 0, 0, 0, 0);
        VarHandle.fullFence();      // the tag before the flags, as the guest's barrier
        if ((f.memory.readU32(AREA + RingLayout.OFF_FLAGS) & RingLayout.FLAG_POLLER_SLEEPING) != 0) f.doorbell.ring();
        await(() -> f.completed(AREA, index), "completion " + index);
        assertEquals(7, f.cqeRet(AREA, index));
    }

    private long sleeps() {
        return transport.counters().get(AdaptiveRingTransport.POLLER_SLEEPS);
    }

    @Test
    void beforeTheFirstCallThePollerSpinsForTheStartBudgetAndThenForTheIdleBudget() throws Exception {
        // a start budget far longer than the guest's start here, no idle budget at all
        attach("10000000", "0");
        transport.start();
        Thread.sleep(20);           // the guest starting: 20 ms, thousands of idle checks with a budget of 0
        assertFalse(f.doorbell.waiting(), "asleep before the run's first call");
        call(0);
        await(f.doorbell::waiting, "the poller to sleep once idle after the first call");
        call(1);                    // rings the doorbell
        await(f.doorbell::waiting, "the poller to sleep once idle after the second call");
        transport.stop();           // wakes it
        assertEquals(2, sleeps(), "a sleep after each call, none before the first");
        assertEquals(2, executor.calls().size());
    }

    @Test
    void withNoStartBudgetThePollerSleepsBeforeTheFirstCall() throws Exception {
        attach("0", "10000000");
        transport.start();
        await(f.doorbell::waiting, "the poller to sleep before the first call");
        call(0);                    // rings the doorbell
        for (long i = 1; i < 100; i++) call(i);     // back to back, well within the idle budget of 10 s
        transport.stop();
        assertEquals(1, sleeps(), "the one sleep before the first call");
        assertEquals(100, executor.calls().size());
    }

    @Test
    void aLongerIdleBudgetIsTheStartBudgetTooUnlessOneIsGiven() throws Exception {
        transport.attach(f.context("aring", executor, Map.of(AdaptiveRingTransport.IDLE_SPIN_OPTION, "10000000")));
        transport.start();
        Thread.sleep(20);           // far past the default start budget of 250 µs
        assertFalse(f.doorbell.waiting(), "asleep before the first call with an idle budget of 10 s");
        call(0);
        transport.stop();
        assertEquals(0, sleeps());
    }

    @Test
    void eachRunStartsWithTheStartBudgetAgain() throws Exception {
        attach("10000000", "0");
        transport.start();
        call(0);
        await(f.doorbell::waiting, "the poller to sleep once idle after the first call");
        transport.stop();           // wakes it: the run ends
        assertEquals(1, sleeps(), "the sleep after the first call, which the end woke");
        // a pooled VM's next run, its rings laid out afresh as the VM's reset restores them
        RingLayout.format(f.context("aring", executor));
        transport.start();
        Thread.sleep(20);
        assertFalse(f.doorbell.waiting(), "asleep before the second run's first call");
        call(0);
        transport.stop();
        assertEquals(2, executor.calls().size());
    }

    @Test
    void theBudgetsDefaultAndABadOneIsRefusedByName() {
        assertEquals(250, AdaptiveRingTransport.spinMicros(AdaptiveRingTransport.START_SPIN_OPTION, null,
                AdaptiveRingTransport.DEFAULT_START_SPIN_MICROS));
        assertEquals(50, AdaptiveRingTransport.spinMicros(AdaptiveRingTransport.IDLE_SPIN_OPTION, null,
                AdaptiveRingTransport.DEFAULT_IDLE_SPIN_MICROS));
        assertEquals(0, AdaptiveRingTransport.spinMicros(AdaptiveRingTransport.START_SPIN_OPTION, " 0 ", 250));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> transport.attach(
                f.context("aring", executor, Map.of(AdaptiveRingTransport.START_SPIN_OPTION, "-1"))));
        assertEquals("aring transport option startSpinMicros must be a number of microseconds from 0 to 60000000, not '-1'",
                e.getMessage());
        assertTrue(executor.calls().isEmpty());
    }
}
