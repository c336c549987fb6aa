package io.torovj.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.lifecycle.Ending;
import io.torovj.mechanisms.RingFixture.Call;
import io.torovj.mechanisms.RingFixture.RecordingExecutor;
import io.torovj.testing.PropertyRunner;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RingServer} over plain guest memory (no VM): the test plays the guest's half of ring.h,
 * a lambda plays the syscall layer, a fake VmControl records how the VM was ended.
 */
class RingServerTest {
    private static final int N = RingLayout.ENTRIES;
    private static final long ENOSYS = -38;

    private final RingFixture f = new RingFixture("ring");
    /** Answers nr * 1000 + a0, so a CQE shows which call it completes. */
    private final RecordingExecutor executor = new RecordingExecutor((nr, a0) -> nr * 1000 + a0);
    private final long area = RingLayout.format(f.context("ring", executor));
    private final AtomicBoolean closing = new AtomicBoolean();
    private final RingServer server = new RingServer(f.memory, area, executor, f.control, "ring", closing::get);

    @AfterEach
    void free() {
        f.close();
    }

    @Test
    void nothingSubmittedIsIdle() {
        assertTrue(server.idle());
        assertEquals(RingServer.IDLE, server.serveNext());
        assertEquals(0, server.head());
        assertTrue(executor.calls().isEmpty());
        assertFalse(f.control.isStopped());
    }

    @Test
    void aTaggedSubmissionIsExecutedAndItsCompletionTaggedInTheSameSlot() {
        f.submit(area, 0, 1, 10, 11, 12, 13, 14, 15);
        assertFalse(server.idle());

        assertEquals(RingServer.SERVED, server.serveNext());

        assertEquals(List.of(new Call(1, 10, 11, 12, 13, 14, 15)), executor.calls(), "nr and the six args, verbatim");
        assertEquals(1, server.head());
        assertEquals(1, f.cqeSeq(area, 0), "the CQE carries the call's tag");
        assertEquals(1010, f.cqeRet(area, 0), "and the executor's result");
        assertEquals(RingServer.IDLE, server.serveNext(), "the next slot is untagged");
        assertFalse(f.control.isStopped());
    }

    @Test
    void negativeResultsAreCompletedAsTheyAre() {
        RingServer s = new RingServer(f.memory, area, (nr, a0, a1, a2, a3, a4, a5) -> -14 /* -EFAULT */,
                f.control, "ring", closing::get);
        f.submit(area, 0, 0, 0, 0, 0, 0, 0, 0);
        assertEquals(RingServer.SERVED, s.serveNext());
        assertEquals(1, f.cqeSeq(area, 0));
        assertEquals(-14, f.cqeRet(area, 0));
    }

    @Test
    void callsAreServedInOrderAcrossManyTurnsOfTheRing() {
        for (long i = 0; i < 3L * N + 5; i++) {
            assertEquals(RingServer.IDLE, server.serveNext(), "call " + i + " not yet submitted (its slot holds call " + (i - N) + ")");
            f.submit(area, i, 2, i, 0, 0, 0, 0, 0);
            assertEquals(RingServer.SERVED, server.serveNext(), "call " + i);
            assertTrue(f.completed(area, i), "call " + i + " completed");
            assertEquals(2000 + i, f.cqeRet(area, i));
        }
        assertEquals(3L * N + 5, executor.calls().size());
        assertFalse(f.control.isStopped());
    }

    @Test
    void aFullRingOfCallsInFlightIsServedInOrder() {
        for (int i = 0; i < N; i++) f.submit(area, i, 3, i, 0, 0, 0, 0, 0);
        for (int i = 0; i < N; i++) assertEquals(RingServer.SERVED, server.serveNext(), "call " + i);
        assertEquals(RingServer.IDLE, server.serveNext(), "slot 0 holds call 0's tag: call 64 not submitted");
        for (int i = 0; i < N; i++) {
            assertEquals(i + 1, f.cqeSeq(area, i));
            assertEquals(3000 + i, f.cqeRet(area, i));
        }
        assertFalse(f.control.isStopped());
    }

    @Test
    void callsSubmittedOutOfOrderWaitForTheHead() {
        f.submit(area, 1, 4, 1, 0, 0, 0, 0, 0);         // call 1 before call 0
        assertEquals(RingServer.IDLE, server.serveNext(), "the server looks only at its head's slot");
        f.submit(area, 0, 4, 0, 0, 0, 0, 0, 0);
        assertEquals(RingServer.SERVED, server.serveNext());
        assertEquals(RingServer.SERVED, server.serveNext());
        assertEquals(List.of(new Call(4, 0, 0, 0, 0, 0, 0), new Call(4, 1, 0, 0, 0, 0, 0)), executor.calls());
    }

    @Test
    void aCallThatReturnsWhileTheTransportClosesIsNotCompleted() {
        RingServer s = new RingServer(f.memory, area, (nr, a0, a1, a2, a3, a4, a5) -> {
            closing.set(true);
            return 5;
        }, f.control, "ring", closing::get);
        f.submit(area, 0, 4, 0, 0, 0, 0, 0, 0);
        assertEquals(RingServer.END, s.serveNext(), "polling ends");
        assertEquals(0, f.cqeSeq(area, 0), "no completion written");
        assertFalse(f.control.isStopped(), "closing is not an error: the VM is not ended by the ring");
    }

    // ---- the hostile guest ----

    private void assertCorrupt(String what) {
        f.control.assertEndedOnce(Ending.UNEXPECTED_EXIT, "ring transport: corrupt ring from the guest: " + what);
    }

    @Test
    void aTagAheadOfTheHeadEndsTheVm() {
        f.writeSqe(area, 0, 1, 0, 0, 0, 0, 0, 0);
        f.tagSqe(area, 0, 2);

        assertEquals(RingServer.END, server.serveNext());

        assertCorrupt("seq=2 in slot 0, expected 1 (call 0) or 0 (nothing submitted)");
        assertTrue(executor.calls().isEmpty(), "nothing executed");
        assertEquals(0, f.cqeSeq(area, 0), "nothing completed");
    }

    @Test
    void aTagBehindTheHeadEndsTheVm() {
        for (int i = 0; i < N + 2; i++) {
            f.submit(area, i, 1, 0, 0, 0, 0, 0, 0);
            assertEquals(RingServer.SERVED, server.serveNext());
        }
        f.tagSqe(area, N + 2, 1);           // slot 2 was call 2's (tag 3); 1 is call 0's

        assertEquals(RingServer.END, server.serveNext());

        assertCorrupt("seq=1 in slot 2, expected " + (N + 3) + " (call " + (N + 2) + ") or 3 (nothing submitted)");
        assertEquals(N + 2, executor.calls().size(), "only the good calls");
    }

    @Test
    void aHugeOrAllOnesTagEndsTheVm() {
        f.tagSqe(area, 0, -1L);
        assertEquals(RingServer.END, server.serveNext());
        assertCorrupt("seq=18446744073709551615 in slot 0, expected 1 (call 0) or 0 (nothing submitted)");
        assertTrue(executor.calls().isEmpty());
    }

    /**
     * Whatever tag the guest writes at the head, after however many calls, the server serves
     * exactly the next call, waits on the slot's previous tag, or ends the VM for anything else.
     */
    @Test
    void aTagIsServedOnlyIfItIsTheNextCall() {
        // {calls served before, tag}
        PropertyRunner.property("aTagIsServedOnlyIfItIsTheNextCall", 300, 0x5E9_2026L).forAll(
                List.of(new long[] {0, 1}, new long[] {0, 0}, new long[] {N, 1}, new long[] {N, N + 1}, new long[] {5, -1L}),
                g -> {
                    long served = g.longs(0, 3L * N);
                    long tag = switch (g.ints(0, 3)) {
                        case 0 -> served + 1;
                        case 1 -> RingLayout.idleTag(served);
                        case 2 -> served + 1 + g.longs(-N, N);
                        default -> g.longs();
                    };
                    return new long[] {served, tag};
                },
                Arrays::toString,
                c -> {
                    try (RingFixture g = new RingFixture("ring")) {
                        RecordingExecutor ex = new RecordingExecutor((nr, a0) -> 7);
                        long at = RingLayout.format(g.context("ring", ex));
                        RingServer s = new RingServer(g.memory, at, ex, g.control, "ring", () -> false);
                        long served = c[0], tag = c[1];
                        for (long i = 0; i < served; i++) {
                            g.submit(at, i, 39, 0, 0, 0, 0, 0, 0);
                            assertEquals(RingServer.SERVED, s.serveNext());
                        }
                        g.writeSqe(at, served, 39, 0, 0, 0, 0, 0, 0);
                        g.tagSqe(at, served, tag);
                        int step = s.serveNext();
                        if (tag == served + 1) {
                            assertEquals(RingServer.SERVED, step);
                            assertEquals(served + 1, ex.calls().size());
                            assertTrue(g.completed(at, served));
                        } else if (tag == RingLayout.idleTag(served)) {
                            assertEquals(RingServer.IDLE, step);
                            assertFalse(g.control.isStopped());
                        } else {
                            assertEquals(RingServer.END, step);
                            assertEquals(Ending.UNEXPECTED_EXIT, g.control.ending);
                            assertEquals(served, ex.calls().size(), "the call with a bad tag is not executed");
                            assertFalse(g.completed(at, served));
                        }
                    }
                });
    }

    @Test
    void aGarbageSubmissionIsTheSyscallLayersToRefuseAndDoesNotEndTheVm() {
        // RingServer checks the tag, not the SQE's contents: whatever the guest wrote goes to the
        // executor verbatim (the dispatcher answers -ENOSYS, -EFAULT, ...), and its answer is completed
        RingServer s = new RingServer(f.memory, area, (nr, a0, a1, a2, a3, a4, a5) -> nr == -1 ? ENOSYS : 0,
                f.control, "ring", closing::get);
        f.submit(area, 0, -1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0xDEADBEEFL, -1L, 0x3FE00000L);

        assertEquals(RingServer.SERVED, s.serveNext());

        assertEquals(1, f.cqeSeq(area, 0));
        assertEquals(ENOSYS, f.cqeRet(area, 0));
        assertFalse(f.control.isStopped());
    }

    @Test
    void aGarbageSubmissionReachesTheExecutorUnchanged() {
        long[] args = {-1L, Long.MIN_VALUE, Long.MAX_VALUE, 0xDEADBEEFL, -1L, 0x3FE00000L};
        f.submit(area, 0, 0xFFFF_FFFF_0000_0001L, args);
        assertEquals(RingServer.SERVED, server.serveNext());
        assertEquals(List.of(new Call(0xFFFF_FFFF_0000_0001L, args[0], args[1], args[2], args[3], args[4], args[5])),
                executor.calls());
    }

    @Test
    void completionsTheGuestScribbledOverAreNeverReadBack() {
        for (int i = 0; i < 2 * N; i++) {
            for (int k = 0; k < N; k++) f.memory.writeU64(RingLayout.cqe(area, k), 0xBADL * k);
            f.submit(area, i, 1, i, 0, 0, 0, 0, 0);
            assertEquals(RingServer.SERVED, server.serveNext(), "call " + i);
            assertTrue(f.completed(area, i));
        }
        assertFalse(f.control.isStopped());
    }

    @Test
    void theReportNamesTheTransportItServes() {
        RingServer aring = new RingServer(f.memory, area, executor, f.control, "aring", closing::get);
        f.tagSqe(area, 0, N + 1);
        assertEquals(RingServer.END, aring.serveNext());
        assertEquals("aring transport: corrupt ring from the guest: seq=" + (N + 1) + " in slot 0, expected 1 (call 0) or 0 (nothing submitted)",
                f.control.report);
    }
}
