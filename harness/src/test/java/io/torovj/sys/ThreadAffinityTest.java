package io.torovj.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The calling thread's CPU mask through the host: pinned to one CPU, given back, inherited. */
class ThreadAffinityTest {

    @Test
    void pinsTheCallingThreadToItsLowestCpuAndGivesTheMaskBack() throws Exception {
        CompletableFuture<String> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {      // a thread of its own: the test runner's keeps its mask
            try {
                long[] had = ThreadAffinity.current();
                assertTrue(ThreadAffinity.cpus(had) >= 1);
                long[] returned = ThreadAffinity.pinToLowestCpu();
                assertArrayEquals(had, returned, "the mask it had");
                long[] pinned = ThreadAffinity.current();
                assertEquals(1, ThreadAffinity.cpus(pinned));
                int lowest = lowestCpu(had);
                assertEquals(lowest, lowestCpu(pinned), "its lowest CPU");
                // a thread it makes inherits the pin, as on Linux every new thread does
                long[][] child = new long[1][];
                Thread c = new Thread(() -> child[0] = ThreadAffinity.current());
                c.start();
                c.join();
                assertArrayEquals(pinned, child[0]);
                ThreadAffinity.set(had);
                assertArrayEquals(had, ThreadAffinity.current(), "given back");
                assertTrue(ThreadAffinity.cpus(ThreadAffinity.process()) >= ThreadAffinity.cpus(had), "the process's mask");
                done.complete("ok");
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        t.start();
        assertEquals("ok", done.get(10, TimeUnit.SECONDS));
    }

    @Test
    void anEmptyOrMisshapenMaskIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ThreadAffinity.set(new long[3]));
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                ThreadAffinity.set(new long[16]);      // no CPU at all: EINVAL
                refused.complete(null);
            } catch (Throwable e) {
                refused.complete(e);
            }
        });
        t.start();
        assertTrue(refused.join() instanceof IllegalStateException, "an empty mask is the host's EINVAL");
    }

    private static int lowestCpu(long[] mask) {
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != 0) return 64 * i + Long.numberOfTrailingZeros(mask[i]);
        }
        return -1;
    }
}
