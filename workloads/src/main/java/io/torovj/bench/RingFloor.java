package io.torovj.bench;

import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The physical limit of a shared-memory ring: two host threads passing a counter back and forth
 * through one cache line, as the guest and the poller do per syscall. Records the round trip,
 * averaged over batches of {@link #BATCH} (a single round trip is below the clock's resolution).
 */
final class RingFloor {
    static final int BATCH = 1000;

    private RingFloor() {}

    /** Runs {@code batches} batches; values in ns per round trip. */
    static Histogram measure(int batches) throws InterruptedException {
        AtomicLong line = new AtomicLong();
        long rounds = (long) batches * BATCH;
        Thread echo = new Thread(() -> {
            for (long i = 0; i < rounds; i++) {
                while (line.get() != 2 * i + 1) Thread.onSpinWait();
                line.set(2 * i + 2);
            }
        }, "torovj-pingpong");
        echo.setDaemon(true);
        echo.start();
        Histogram h = LatencyRecorder.newHistogram();
        long next = 0;
        for (int b = 0; b < batches; b++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < BATCH; i++, next++) {
                line.set(2 * next + 1);
                while (line.get() != 2 * next + 2) Thread.onSpinWait();
            }
            h.recordValue(Math.max(1, (System.nanoTime() - t0) / BATCH));
        }
        echo.join();
        return h;
    }
}
