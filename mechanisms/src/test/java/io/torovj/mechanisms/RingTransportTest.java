package io.torovj.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.abi.GuestAbi;
import io.torovj.boot.GuestLayout;
import io.torovj.lifecycle.Ending;
import io.torovj.mechanisms.RingFixture.RecordingExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link RingTransport}'s poller thread over plain guest memory: the guest's side is this test. */
class RingTransportTest {
    private final RingFixture f = new RingFixture("ring");
    private final RecordingExecutor executor = new RecordingExecutor((nr, a0) -> a0 + 1);
    private final RingTransport transport = new RingTransport();

    @AfterEach
    void free() {
        transport.close();
        f.close();
    }

    private static void await(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(1);
        }
    }

    @Test
    void attachFormatsTheRingsAndClaimsTheDoorbellPort() {
        transport.attach(f.context("ring", executor));
        long area = GuestLayout.TRANSPORT_AREA;
        assertEquals(RingLayout.ENTRIES, f.memory.readU32(area + RingLayout.OFF_SQ_ENTRIES));
        assertEquals(area, f.memory.readU64(GuestLayout.BOOT_INFO + GuestAbi.BOOT_TRANSPORT_AREA));
        assertEquals(RingFixture.DOORBELL_PORT, f.memory.readU32(GuestLayout.BOOT_INFO + GuestAbi.BOOT_DOORBELL_PORT));
        assertSame(transport, f.portBus.find(RingFixture.DOORBELL_PORT));
        assertEquals(null, f.portBus.find(RingFixture.DOORBELL_PORT + 1), "one port");
    }

    @Test
    void thePollerServesSubmissionsUntilClosed() throws Exception {
        transport.attach(f.context("ring", executor));
        transport.start();
        long area = GuestLayout.TRANSPORT_AREA;
        for (long t = 0; t < 3L * RingLayout.ENTRIES; t++) {
            f.writeSqe(area, t, t, 39, 100 + t, 0, 0, 0, 0, 0);
            f.setSqTail(area, t + 1);
            long expected = t + 1;
            await(() -> f.cqTail(area) == expected, "completion " + t);
            assertEquals(t, f.memory.readU64(RingFixture.cqe(area, t)));
            assertEquals(101 + t, f.memory.readU64(RingFixture.cqe(area, t) + 8));
            f.setCqHead(area, t + 1);
        }
        transport.out(RingFixture.DOORBELL_PORT, 1, 0);     // a doorbell is harmless to the spinning poller
        transport.close();
        assertFalse(f.control.isStopped());
        assertEquals(3 * RingLayout.ENTRIES, executor.calls().size());
    }

    @Test
    void aCorruptIndexEndsTheVmFromThePoller() throws Exception {
        transport.attach(f.context("ring", executor));
        transport.start();
        f.setSqTail(GuestLayout.TRANSPORT_AREA, 1L << 40);
        await(f.control::isStopped, "the VM to be ended");
        assertEquals(Ending.UNEXPECTED_EXIT, f.control.ending);
        assertEquals("ring transport: corrupt ring from the guest: sq_tail=1099511627776 with sq_head=0 and 64 entries",
                f.control.report);
        assertTrue(executor.calls().isEmpty());
    }

    @Test
    void readingTheDoorbellEndsTheVm() {
        transport.attach(f.context("ring", executor));
        transport.in(RingFixture.DOORBELL_PORT, 1);
        assertEquals(Ending.UNEXPECTED_EXIT, f.control.ending);
        assertTrue(f.control.report.startsWith("ring transport: bad doorbell access: 1-byte IN from port 0x100"),
                f.control.report);
    }
}
