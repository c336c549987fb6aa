package io.torovj.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.lifecycle.Ending;
import io.torovj.mechanisms.RingFixture.Call;
import io.torovj.mechanisms.RingFixture.RecordingExecutor;
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

    /** The guest's steps 1-2 and 3 of ring.h: SQE[t] = {user_data, nr, args}, then sq_tail = t + 1. */
    private long submit(long userData, long nr, long... args) {
        long t = f.sqTail(area);
        f.writeSqe(area, t, userData, nr, args);
        f.setSqTail(area, t + 1);
        return t + 1;
    }

    private long cqeUserData(long index) { return f.memory.readU64(RingFixture.cqe(area, index)); }
    private long cqeRet(long index) { return f.memory.readU64(RingFixture.cqe(area, index) + 8); }

    @Test
    void aWellFormedSubmissionIsExecutedAndItsCompletionPublished() {
        long tail = submit(0xC0FFEE, 1, 10, 11, 12, 13, 14, 15);

        assertTrue(server.serveOne(tail));

        assertEquals(List.of(new Call(1, 10, 11, 12, 13, 14, 15)), executor.calls(), "nr and the six args, verbatim");
        assertEquals(1, server.sqHead());
        assertEquals(1, f.sqHead(area), "sq_head published: the SQE slot is the guest's again");
        assertEquals(1, f.cqTail(area), "cq_tail published");
        assertEquals(0xC0FFEE, cqeUserData(0), "the CQE carries the SQE's user_data");
        assertEquals(1010, cqeRet(0), "and the executor's result");
        assertFalse(f.control.isStopped());
    }

    @Test
    void negativeResultsAreCompletedAsTheyAre() {
        RingServer s = new RingServer(f.memory, area, (nr, a0, a1, a2, a3, a4, a5) -> -14 /* -EFAULT */,
                f.control, "ring", closing::get);
        assertTrue(s.serveOne(submit(7, 0, 0, 0, 0, 0, 0, 0)));
        assertEquals(7, cqeUserData(0));
        assertEquals(-14, cqeRet(0));
    }

    @Test
    void submissionsAreServedInOrderAcrossManyTurnsOfTheRing() {
        long consumed = 0;
        for (long i = 0; i < 3L * N + 5; i++) {
            long tail = submit(1_000_000 + i, 2, i, 0, 0, 0, 0, 0);
            assertTrue(server.serveOne(tail), "call " + i);
            // the guest's step 5: read CQE[cq_head], release cq_head + 1
            assertEquals(i + 1, f.cqTail(area));
            assertEquals(1_000_000 + i, cqeUserData(consumed), "user_data of call " + i + " (slot " + (consumed & (N - 1)) + ")");
            assertEquals(2000 + i, cqeRet(consumed));
            f.setCqHead(area, ++consumed);
        }
        assertEquals(3L * N + 5, executor.calls().size());
        assertFalse(f.control.isStopped());
    }

    @Test
    void aFullRingOfSubmissionsIsServedUntilTheCompletionQueueIsFull() {
        for (int i = 0; i < N; i++) submit(500 + i, 3, i, 0, 0, 0, 0, 0);
        long tail = f.sqTail(area);
        assertEquals(N, tail, "a full SQ is possible");
        for (int i = 0; i < N; i++) assertTrue(server.serveOne(tail), "call " + i);
        assertEquals(N, f.cqTail(area), "the guest consumed nothing: the CQ is full");
        for (int i = 0; i < N; i++) {
            assertEquals(500 + i, cqeUserData(i));
            assertEquals(3000 + i, cqeRet(i));
        }
        assertFalse(f.control.isStopped());
    }

    @Test
    void aFullCompletionQueueWaitsForTheGuestToConsume() throws Exception {
        for (int i = 0; i < N; i++) assertTrue(server.serveOne(submit(i, 4, i, 0, 0, 0, 0, 0)));
        long tail = submit(N, 4, N, 0, 0, 0, 0, 0);

        Thread guest = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            f.setCqHead(area, 1);       // consumes one completion
        });
        guest.start();
        assertTrue(server.serveOne(tail), "served once the guest made room");
        guest.join(10_000);

        assertEquals(N + 1, f.cqTail(area));
        assertEquals(N, cqeUserData(N), "slot 0 reused for the 65th completion");
        assertEquals(4000 + N, cqeRet(N));
        assertFalse(f.control.isStopped());
    }

    @Test
    void aFullCompletionQueueStopsWaitingWhenTheTransportCloses() {
        for (int i = 0; i < N; i++) assertTrue(server.serveOne(submit(100 + i, 4, i, 0, 0, 0, 0, 0)));
        long tail = submit(N, 4, N, 0, 0, 0, 0, 0);
        closing.set(true);

        assertFalse(server.serveOne(tail), "polling ends");
        assertEquals(N, f.cqTail(area), "no completion over an unconsumed one");
        assertEquals(100, cqeUserData(0), "slot 0 still holds the first completion");
        assertFalse(f.control.isStopped(), "closing is not an error: the VM is not ended by the ring");
    }

    // ---- the hostile guest ----

    private void assertCorrupt(String what) {
        f.control.assertEndedOnce(Ending.UNEXPECTED_EXIT, "ring transport: corrupt ring from the guest: " + what);
    }

    @Test
    void anSqTailMoreThanOneRingAheadEndsTheVm() {
        for (int i = 0; i <= N; i++) f.writeSqe(area, i, i, 1, 0, 0, 0, 0, 0, 0);
        f.setSqTail(area, N + 1);

        assertFalse(server.serveOne(N + 1));

        assertCorrupt("sq_tail=65 with sq_head=0 and 64 entries");
        assertTrue(executor.calls().isEmpty(), "nothing executed");
        assertEquals(0, f.sqHead(area));
        assertEquals(0, f.cqTail(area), "nothing completed");
    }

    @Test
    void anSqTailBehindTheHeadEndsTheVm() {
        assertTrue(server.serveOne(submit(1, 1, 0, 0, 0, 0, 0, 0)));
        assertTrue(server.serveOne(submit(2, 1, 0, 0, 0, 0, 0, 0)));
        f.setSqTail(area, 1);            // the guest moves its tail back

        assertFalse(server.serveOne(1));

        assertCorrupt("sq_tail=1 with sq_head=2 and 64 entries");
        assertEquals(2, executor.calls().size(), "only the two good calls");
        assertEquals(2, f.cqTail(area));
    }

    @Test
    void aHugeSqTailEndsTheVm() {
        f.setSqTail(area, Long.MAX_VALUE);
        assertFalse(server.serveOne(Long.MAX_VALUE));
        assertCorrupt("sq_tail=9223372036854775807 with sq_head=0 and 64 entries");
        assertTrue(executor.calls().isEmpty());
    }

    @Test
    void anAllOnesSqTailEndsTheVm() {
        // 0xffffffffffffffff: as a free-running u64 counter, one behind sq_head 0
        f.setSqTail(area, -1L);
        assertFalse(server.serveOne(-1L));
        assertCorrupt("sq_tail=-1 with sq_head=0 and 64 entries");
        assertTrue(executor.calls().isEmpty());
    }

    @Test
    void aGarbageSubmissionIsTheSyscallLayersToRefuseAndDoesNotEndTheVm() {
        // RingServer checks indices, not SQE contents: whatever the guest wrote goes to the
        // executor verbatim (the dispatcher answers -ENOSYS, -EFAULT, ...), and its answer is completed
        RingServer s = new RingServer(f.memory, area, (nr, a0, a1, a2, a3, a4, a5) -> nr == -1 ? ENOSYS : 0,
                f.control, "ring", closing::get);
        f.writeSqe(area, 0, -1L, -1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0xDEADBEEFL, -1L, 0x3FE00000L);
        f.setSqTail(area, 1);

        assertTrue(s.serveOne(1));

        assertEquals(-1L, cqeUserData(0), "the garbage user_data comes back for the guest to check");
        assertEquals(ENOSYS, cqeRet(0));
        assertFalse(f.control.isStopped());
    }

    @Test
    void aGarbageSubmissionReachesTheExecutorUnchanged() {
        long[] args = {-1L, Long.MIN_VALUE, Long.MAX_VALUE, 0xDEADBEEFL, -1L, 0x3FE00000L};
        f.writeSqe(area, 0, 0x5555, 0xFFFF_FFFF_0000_0001L, args);
        f.setSqTail(area, 1);
        assertTrue(server.serveOne(1));
        assertEquals(List.of(new Call(0xFFFF_FFFF_0000_0001L, args[0], args[1], args[2], args[3], args[4], args[5])),
                executor.calls());
    }

    @Test
    void aCqHeadAheadOfTheCompletionsProducedEndsTheVm() {
        f.setCqHead(area, 5);            // consumed five completions the monitor never produced
        assertFalse(server.serveOne(submit(1, 1, 0, 0, 0, 0, 0, 0)));
        assertCorrupt("cq_head=5 with cq_tail=0 and 64 entries");
        assertEquals(0, f.cqTail(area), "no completion published");
    }

    @Test
    void aCqHeadMovedBackEndsTheVm() {
        for (int i = 0; i < 3; i++) {
            assertTrue(server.serveOne(submit(i, 1, 0, 0, 0, 0, 0, 0)));
            f.setCqHead(area, i + 1);
        }
        f.setCqHead(area, -100);         // moved far back: more than a ring of completions unconsumed
        assertFalse(server.serveOne(submit(3, 1, 0, 0, 0, 0, 0, 0)));
        assertCorrupt("cq_head=-100 with cq_tail=3 and 64 entries");
        assertEquals(3, f.cqTail(area));
    }

    @Test
    void theReportNamesTheTransportItServes() {
        RingServer aring = new RingServer(f.memory, area, executor, f.control, "aring", closing::get);
        f.setSqTail(area, N + 1);
        assertFalse(aring.serveOne(N + 1));
        assertEquals("aring transport: corrupt ring from the guest: sq_tail=65 with sq_head=0 and 64 entries",
                f.control.report);
    }
}
