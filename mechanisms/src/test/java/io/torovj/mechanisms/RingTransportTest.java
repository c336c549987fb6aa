package io.torovj.mechanisms;

import static io.torovj.mechanisms.RingFixture.await;
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

    @Test
    void attachFormatsTheRingsAndClaimsTheDoorbellPort() {
        transport.attach(f.context("ring", executor));
        long area = GuestLayout.TRANSPORT_AREA;
        assertEquals(RingLayout.ENTRIES, f.memory.readU32(area + RingLayout.OFF_ENTRIES));
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
            f.submit(area, t, 39, 100 + t, 0, 0, 0, 0, 0);
            long call = t;
            await(() -> f.completed(area, call), "completion " + t);
            assertEquals(101 + t, f.cqeRet(area, t));
        }
        transport.out(RingFixture.DOORBELL_PORT, 1, 0);     // a doorbell is harmless to the spinning poller
        transport.close();
        assertFalse(f.control.isStopped());
        assertEquals(3 * RingLayout.ENTRIES, executor.calls().size());
    }

    @Test
    void aCorruptTagEndsTheVmFromThePoller() throws Exception {
        transport.attach(f.context("ring", executor));
        transport.start();
        f.tagSqe(GuestLayout.TRANSPORT_AREA, 0, 1L << 40);
        await(f.control::isStopped, "the VM to be ended");
        assertEquals(Ending.UNEXPECTED_EXIT, f.control.ending);
        assertEquals("ring transport: corrupt ring from the guest: seq=1099511627776 in slot 0, expected 1 (call 0) or 0 (nothing submitted)",
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
