package io.torovj.mechanisms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.sys.ThreadAffinity;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A poller thread outlives its transport as a parked spare: the next transport's first run is
 * served by it, under the new transport's name, with nothing carried over; past
 * {@link PollerThread#SPARE_WORKERS} spares, a closed poller's thread ends.
 */
class PollerThreadTest {

    /** Runs one body on {@code poller} and returns the thread it ran on and whether it found itself interrupted. */
    private static Object[] runOnce(PollerThread poller, boolean leaveInterrupted) throws Exception {
        CompletableFuture<Object[]> seen = new CompletableFuture<>();
        poller.start(() -> {
            Thread me = Thread.currentThread();
            seen.complete(new Object[] {me, me.isInterrupted(), me.getName()});
            if (leaveInterrupted) me.interrupt();
        });
        Object[] r = seen.get(10, TimeUnit.SECONDS);
        poller.stop("test");
        return r;
    }

    /**
     * A poller made by a thread pinned to one CPU runs wherever the process may (not on its vCPU's
     * CPU). More pollers at once than there can be spares, so that some are new threads.
     */
    @Test
    void aPollerDoesNotInheritItsCreatorsPin() throws Exception {
        int n = PollerThread.SPARE_WORKERS + 2;
        CompletableFuture<List<long[]>> seen = new CompletableFuture<>();
        long[][] creatorMask = new long[1][];
        Thread creator = new Thread(() -> {
            long[] had = ThreadAffinity.pinToLowestCpu();
            creatorMask[0] = ThreadAffinity.current();
            List<PollerThread> pollers = new ArrayList<>();
            List<CompletableFuture<long[]>> masks = new ArrayList<>();
            CompletableFuture<Void> release = new CompletableFuture<>();
            try {
                for (int i = 0; i < n; i++) {
                    PollerThread p = new PollerThread("torovj-pinned-creator-poller");
                    CompletableFuture<long[]> onPoller = new CompletableFuture<>();
                    p.start(() -> {
                        onPoller.complete(ThreadAffinity.current());
                        release.join();
                    });
                    pollers.add(p);
                    masks.add(onPoller);
                }
                List<long[]> all = new ArrayList<>();
                for (CompletableFuture<long[]> m : masks) all.add(m.get(10, TimeUnit.SECONDS));
                seen.complete(all);
            } catch (Exception e) {
                seen.completeExceptionally(e);
            } finally {
                release.complete(null);
                for (PollerThread p : pollers) {
                    p.stop("test");
                    p.close("test");
                }
                ThreadAffinity.set(had);
            }
        });
        creator.start();
        List<long[]> masks = seen.get(20, TimeUnit.SECONDS);
        creator.join();
        assertEquals(1, ThreadAffinity.cpus(creatorMask[0]), "the creator was pinned");
        for (long[] m : masks) assertArrayEquals(ThreadAffinity.process(), m, "a poller runs with the process's mask");
    }

    @Test
    void aClosedPollersThreadServesTheNextTransportCleanly() throws Exception {
        PollerThread first = new PollerThread("torovj-first-poller");
        Object[] a = runOnce(first, true);
        first.close("test");
        assertEquals(PollerThread.SPARE_NAME, ((Thread) a[0]).getName(), "parked as a spare after close");

        PollerThread second = new PollerThread("torovj-second-poller");
        Object[] b = runOnce(second, false);
        assertSame(a[0], b[0], "the spare serves the next transport: no thread start");
        assertEquals("torovj-second-poller", b[2], "under the new transport's name");
        assertFalse((Boolean) b[1], "no interrupt carried over from the last transport's run");
        second.close("test");
    }

    @Test
    void pastTheSpareLimitAClosedPollersThreadEnds() throws Exception {
        List<PollerThread> pollers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < PollerThread.SPARE_WORKERS + 2; i++) {  // none closed yet: each holds its own thread
            PollerThread p = new PollerThread("torovj-many-poller");
            CompletableFuture<Thread> on = new CompletableFuture<>();
            CompletableFuture<Void> release = new CompletableFuture<>();
            p.start(() -> {
                on.complete(Thread.currentThread());
                release.join();
            });
            threads.add(on.get(10, TimeUnit.SECONDS));
            release.complete(null);
            p.stop("test");
            pollers.add(p);
        }
        assertEquals(threads.size(), threads.stream().distinct().count(), "one thread per live poller");
        for (PollerThread p : pollers) p.close("test");
        long alive = threads.stream().filter(Thread::isAlive).count();
        assertTrue(alive <= PollerThread.SPARE_WORKERS, alive + " threads left after closing " + threads.size());
        for (Thread t : threads) {
            if (t.isAlive()) assertEquals(PollerThread.SPARE_NAME, t.getName());
        }
    }
}
