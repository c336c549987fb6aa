package io.torovj.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.mechanisms.RingFixture.RecordingExecutor;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A ring transport's close never waits forever for its poller, and never lets guest memory go
 * while the poller may still write it: the join is bounded (then a monitor error), an interrupt
 * does not cut it short, and a poller whose host call returns after close began publishes
 * nothing into guest memory.
 */
class PollerShutdownTest {
    private final RingFixture f = new RingFixture("ring");

    @AfterEach
    void free() {
        f.close();
    }

    /** A thread stuck as a poller in a host call that ignores interrupts, until {@code release}. */
    private static Thread stuck(CountDownLatch release) {
        Thread t = new Thread(() -> {
            for (;;) {
                try {
                    if (release.await(10, TimeUnit.SECONDS)) return;
                } catch (InterruptedException ignored) {
                    // a host call does not notice interrupts either
                }
            }
        }, "stuck-poller");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void theJoinIsBoundedAndEndsWithAMonitorError() {
        CountDownLatch release = new CountDownLatch(1);
        Thread poller = stuck(release);
        IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(IllegalStateException.class, () -> PollerThread.join(poller, "ring", 200)));
        assertTrue(e.getMessage().contains("still in a host call"), e.getMessage());
        release.countDown();
    }

    @Test
    void anInterruptDoesNotCutTheJoinShort() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread poller = stuck(release);
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException ignored) {
                // nothing
            }
            release.countDown();
        });
        releaser.start();
        Thread.currentThread().interrupt();
        PollerThread.join(poller, "ring", 10_000);
        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        assertFalse(poller.isAlive(), "close returned only once the poller had ended");
        releaser.join();
    }

    @Test
    void aCallThatReturnsAfterCloseBeganPublishesNothing() {
        AtomicBoolean closing = new AtomicBoolean();
        // the "host call" returns only after the transport started closing
        RecordingExecutor executor = new RecordingExecutor((nr, a0) -> {
            closing.set(true);
            return 0;
        });
        long area = RingLayout.format(f.context("ring", executor));
        RingServer server = new RingServer(f.memory, area, executor, f.control, "ring", closing::get);
        f.submit(area, 0, 0, 0, 0, 0, 0, 0, 0);
        assertEquals(RingServer.END, server.serveNext(), "polling ends");
        assertEquals(0, f.cqeSeq(area, 0), "no completion tagged");
        assertEquals(0, f.cqeRet(area, 0), "nor its result written");
    }
}
