package io.torovj.mechanisms;

import static io.torovj.mechanisms.LineTransport.AREA_BYTES;
import static io.torovj.mechanisms.LineTransport.OFF_REQ_ARGS;
import static io.torovj.mechanisms.LineTransport.OFF_REQ_NR;
import static io.torovj.mechanisms.LineTransport.OFF_REQ_SEQ;
import static io.torovj.mechanisms.LineTransport.OFF_RESP_RET;
import static io.torovj.mechanisms.LineTransport.OFF_RESP_SEQ;
import static io.torovj.mechanisms.RingFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.abi.GuestAbi;
import io.torovj.boot.GuestLayout;
import io.torovj.lifecycle.Ending;
import io.torovj.mechanisms.RingFixture.Call;
import io.torovj.mechanisms.RingFixture.RecordingExecutor;
import io.torovj.syscall.SyscallExecutor;
import io.torovj.testing.PropertyRunner;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LineTransport} over plain guest memory (no VM): the test plays the guest's half of line.c,
 * a lambda plays the syscall layer, a fake VmControl records how the VM was ended. {@code serveOne}
 * is driven directly (the poller's step, without its thread), and the poller thread itself where
 * its life cycle is the point.
 */
class LineTransportTest {
    private static final long AREA = GuestLayout.TRANSPORT_AREA;

    private final RingFixture f = new RingFixture("line");
    /** Answers nr * 1000 + a0, so a response shows which request it answers. */
    private final RecordingExecutor executor = new RecordingExecutor((nr, a0) -> nr * 1000 + a0);
    private final LineTransport transport = new LineTransport();

    @AfterEach
    void free() {
        transport.close();
        f.close();
    }

    // ---- the guest's side of line.c ----

    private void writeRequest(long nr, long... args) {
        if (args.length != 6) throw new IllegalArgumentException("six arguments");
        f.memory.writeU64(AREA + OFF_REQ_NR, nr);
        for (int i = 0; i < 6; i++) f.memory.writeU64(AREA + OFF_REQ_ARGS + 8L * i, args[i]);
    }

    private void publish(long seq) { f.memory.setLongRelease(AREA + OFF_REQ_SEQ, seq); }
    private long responseSeq() { return f.memory.getLongAcquire(AREA + OFF_RESP_SEQ); }
    private long responseRet() { return f.memory.readU64(AREA + OFF_RESP_RET); }

    private void attach(SyscallExecutor e) {
        transport.attach(f.context("line", e));
    }

    private static java.util.List<Thread> thread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).toList();
    }

    private static Optional<Thread> poller() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("torovj-line-poller")).findFirst();
    }

    // ---- attach ----

    @Test
    void attachZeroesBothLinesAndTellsTheGuestWhereTheyAre() {
        f.memory.fill(AREA, AREA_BYTES, (byte) 0x5A);
        attach(executor);
        for (int off = 0; off < AREA_BYTES; off += 8) assertEquals(0, f.memory.readU64(AREA + off), "offset " + off);
        assertEquals(AREA, f.memory.readU64(GuestLayout.BOOT_INFO + GuestAbi.BOOT_TRANSPORT_AREA));
        assertEquals(AREA_BYTES, f.memory.readU64(GuestLayout.BOOT_INFO + GuestAbi.BOOT_TRANSPORT_AREA_SIZE));
        assertEquals(0, f.memory.readU32(GuestLayout.BOOT_INFO + GuestAbi.BOOT_DOORBELL_PORT), "no doorbell");
        assertNull(f.portBus.find(RingFixture.DOORBELL_PORT), "claims no port");
    }

    @Test
    void anAreaSmallerThanTwoLinesIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> transport.attach(f.context("line", executor, AREA_BYTES - 8)));
        assertTrue(e.getMessage().contains("unfit for the line transport"), e.getMessage());
    }

    // ---- serving ----

    @Test
    void aRequestIsExecutedVerbatimAndAnsweredWithItsSeq() {
        attach(executor);
        writeRequest(1, 10, 11, 12, 13, 14, 15);
        publish(1);

        assertTrue(transport.serveOne(1));

        assertEquals(List.of(new Call(1, 10, 11, 12, 13, 14, 15)), executor.calls(), "nr and the six args, verbatim");
        assertEquals(1, responseSeq());
        assertEquals(1010, responseRet());
        assertFalse(f.control.isStopped());
    }

    @Test
    void requestsAreServedInTurnWithWhateverTheGuestWrote() {
        // any nr and args go to the syscall layer unchanged (it answers -ENOSYS, -EFAULT, ...);
        // the line checks the sequence only. Seeded: the same inputs each run.
        long[] seq = {0};
        attach(executor);
        PropertyRunner.property("requestsAreServedInTurn", 300, 0x11AE_2026L).forAll(
                List.of(new long[] {-1, -1, -1, -1, -1, -1, -1}, new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0, 0, 0, 0, 0}),
                g -> new long[] {g.longs(), g.longs(), g.longs(), g.longs(), g.longs(), g.longs(), g.longs()},
                Arrays::toString,
                r -> {
                    writeRequest(r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
                    publish(++seq[0]);
                    assertTrue(transport.serveOne(seq[0]), "request " + seq[0]);
                    assertEquals(seq[0], responseSeq());
                    assertEquals(r[0] * 1000 + r[1], responseRet());
                    assertEquals(new Call(r[0], r[1], r[2], r[3], r[4], r[5], r[6]),
                            executor.calls().get(executor.calls().size() - 1));
                });
        assertEquals(300, executor.calls().size());
        assertFalse(f.control.isStopped());
    }

    @Test
    void aNegativeResultIsAnsweredAsItIs() {
        attach((nr, a0, a1, a2, a3, a4, a5) -> -14 /* -EFAULT */);
        writeRequest(0, 0, 0, 0, 0, 0, 0);
        publish(1);
        assertTrue(transport.serveOne(1));
        assertEquals(1, responseSeq());
        assertEquals(-14, responseRet());
    }

    @Test
    void aRequestRewrittenWhileItIsServedIsExecutedAsItWasWhenItsSeqWasRead() {
        // the "host call" is where the guest scribbles over the request line, seq included
        attach((nr, a0, a1, a2, a3, a4, a5) -> {
            writeRequest(-1, -1, -1, -1, -1, -1, -1);
            publish(77);
            return executor.execute(nr, a0, a1, a2, a3, a4, a5);
        });
        writeRequest(2, 20, 21, 22, 23, 24, 25);
        publish(1);

        assertTrue(transport.serveOne(1));

        assertEquals(List.of(new Call(2, 20, 21, 22, 23, 24, 25)), executor.calls(), "each field read once, before the call");
        assertEquals(1, responseSeq(), "answered with the seq it served");
        assertEquals(2020, responseRet());
        assertEquals(77, f.memory.getLongAcquire(AREA + OFF_REQ_SEQ), "the host never writes the request line");
        assertEquals(-1, f.memory.readU64(AREA + OFF_REQ_NR));
        // what the guest left there is now a request whose seq skipped: the next poll ends the VM
        assertFalse(transport.serveOne(77));
        assertCorrupt("seq=77 after seq=1");
        assertEquals(1, executor.calls().size());
    }

    @Test
    void aCallThatReturnsAfterCloseBeganAnswersNothing() {
        AtomicBoolean inCall = new AtomicBoolean();
        attach((nr, a0, a1, a2, a3, a4, a5) -> {
            inCall.set(true);
            transport.close();           // the VM stopped and close began while the host call ran
            return 0;
        });
        writeRequest(0, 0, 0, 0, 0, 0, 0);
        publish(1);
        assertFalse(transport.serveOne(1), "polling ends");
        assertTrue(inCall.get());
        assertEquals(0, responseSeq(), "no answer written");
        assertFalse(f.control.isStopped(), "closing is not an error");
    }

    // ---- the hostile guest's sequence numbers ----

    private void assertCorrupt(String what) {
        f.control.assertEndedOnce(Ending.UNEXPECTED_EXIT, "line transport: corrupt request line from the guest: " + what);
    }

    /** Serves requests 1..{@code served}, then offers {@code seq}: it must end the VM and execute nothing. */
    private void assertRefused(long served, long seq, String report) {
        attach(executor);
        for (long s = 1; s <= served; s++) {
            writeRequest(1, s, 0, 0, 0, 0, 0);
            publish(s);
            assertTrue(transport.serveOne(s));
        }
        writeRequest(3, 0, 0, 0, 0, 0, 0);
        publish(seq);

        assertFalse(transport.serveOne(seq));

        assertCorrupt(report);
        assertEquals(served, executor.calls().size(), "only the good requests executed");
        assertEquals(served, responseSeq(), "no answer for the refused one");
    }

    @Test
    void aSeqThatSkipsAheadEndsTheVm() { assertRefused(3, 5, "seq=5 after seq=3"); }

    @Test
    void aSeqMovedBackEndsTheVm() { assertRefused(3, 2, "seq=2 after seq=3"); }

    @Test
    void aFirstSeqOtherThanOneEndsTheVm() { assertRefused(0, 2, "seq=2 after seq=0"); }

    @Test
    void aHugeSeqEndsTheVm() { assertRefused(1, Long.MAX_VALUE, "seq=9223372036854775807 after seq=1"); }

    @Test
    void anAllOnesSeqEndsTheVmAndIsReportedUnsigned() { assertRefused(0, -1L, "seq=18446744073709551615 after seq=0"); }

    // ---- the poller thread ----

    @Test
    void thePollerServesRequestsUntilClosed() throws Exception {
        attach(executor);
        transport.start();
        for (long s = 1; s <= 500; s++) {
            writeRequest(39, 100 + s, 0, 0, 0, 0, 0);
            publish(s);
            long expected = s;
            await(() -> responseSeq() == expected, "answer " + s);
            assertEquals(39_000 + 100 + s, responseRet());
        }
        transport.close();
        assertTrue(poller().isEmpty(), "the poller ended");
        assertFalse(f.control.isStopped());
        assertEquals(500, executor.calls().size());
    }

    @Test
    void thePollerEndsWhenTheVmStopsWhileItSpins() throws Exception {
        attach(executor);
        transport.start();
        await(transport::polling, "the poller to start");
        f.control.stop(Ending.EXITED, "exit 0");
        await(() -> !transport.polling(), "the spinning poller to notice the stop");

        writeRequest(1, 0, 0, 0, 0, 0, 0);
        publish(1);
        transport.close();
        assertTrue(executor.calls().isEmpty(), "nothing served after the stop");
        assertEquals(0, responseSeq());
    }

    @Test
    void aCorruptSeqEndsTheVmFromThePoller() throws Exception {
        attach(executor);
        transport.start();
        publish(1L << 40);
        await(f.control::isStopped, "the VM to be ended");
        assertEquals(Ending.UNEXPECTED_EXIT, f.control.ending);
        assertEquals("line transport: corrupt request line from the guest: seq=1099511627776 after seq=0", f.control.report);
        await(() -> !transport.polling(), "the poller to end");
        assertTrue(executor.calls().isEmpty());
    }

    /**
     * A pooled VM's next run: stop parks the poller (the thread stays), guest memory returns to
     * the line as attach left it, and start serves from seq 1 again on the same thread.
     */
    @Test
    void aStoppedRunStartsAgainFromTheFirstSeqOnTheSameThread() throws Exception {
        attach(executor);
        for (int run = 0; run < 3; run++) {
            f.memory.fill(AREA, LineTransport.AREA_BYTES, (byte) 0);     // what the reset's memory image does
            transport.start();
            Thread thread = poller().orElseThrow();
            for (long s = 1; s <= 3; s++) {
                writeRequest(39, s, 0, 0, 0, 0, 0);
                publish(s);
                long expected = s;
                await(() -> responseSeq() == expected, "run " + run + " answer " + s);
            }
            transport.stop();
            assertFalse(transport.polling(), "stop returns once the poller parked");
            assertTrue(thread.isAlive(), "the thread outlives the run");
        }
        assertEquals(9, executor.calls().size());
        transport.close();
        assertTrue(poller().isEmpty(), "close hands the thread back as a spare (renamed) or ends it");
        assertTrue(!thread(PollerThread.SPARE_NAME).isEmpty(), "a spare poller is parked for the next transport");
    }

    @Test
    void closeWithoutStartAndTwiceIsHarmless() {
        attach(executor);
        transport.close();
        transport.close();
        assertFalse(f.control.isStopped());
    }
}
