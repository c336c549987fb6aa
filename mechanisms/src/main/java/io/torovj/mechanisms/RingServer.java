package io.torovj.mechanisms;

import io.torovj.lifecycle.Ending;
import static io.torovj.mechanisms.RingLayout.CQE_ARRAY;
import static io.torovj.mechanisms.RingLayout.CQE_SIZE;
import static io.torovj.mechanisms.RingLayout.ENTRIES;
import static io.torovj.mechanisms.RingLayout.OFF_CQ_HEAD;
import static io.torovj.mechanisms.RingLayout.OFF_CQ_TAIL;
import static io.torovj.mechanisms.RingLayout.OFF_SQ_HEAD;
import static io.torovj.mechanisms.RingLayout.SQE_ARRAY;
import static io.torovj.mechanisms.RingLayout.SQE_SIZE;

import io.torovj.memory.GuestMemory;
import io.torovj.syscall.SyscallExecutor;
import io.torovj.lifecycle.VmControl;
import java.util.function.BooleanSupplier;

/**
 * The host side of one SQ/CQ ring pair: executes the submission at sq_head and publishes its
 * completion. The ring transports differ only in how they wait for work; they share this.
 * Poller thread only; allocation-free. Every index the guest wrote is checked: an impossible
 * one ends the VM with "corrupt ring".
 */
final class RingServer {
    private static final long MASK = ENTRIES - 1;

    private final GuestMemory memory;
    private final long area;
    private final SyscallExecutor executor;
    private final VmControl control;
    private final String transport;
    private final BooleanSupplier closing;
    private long sqHead;
    private long cqTail;

    RingServer(GuestMemory memory, long area, SyscallExecutor executor, VmControl control, String transport,
               BooleanSupplier closing) {
        this.memory = memory;
        this.area = area;
        this.executor = executor;
        this.control = control;
        this.transport = transport;
        this.closing = closing;
    }

    /** The next submission to serve (sq_tail == this means the ring is empty). */
    long sqHead() { return sqHead; }

    /**
     * Serves the submission at sq_head, given the sq_tail just read (ahead of sq_head). Returns
     * false when polling must end: the ring is corrupt (the VM is stopped) or the VM is stopping.
     */
    boolean serveOne(long sqTail) {
        if (!RingLayout.sqTailPossible(sqTail, sqHead)) {
            corrupt(RingLayout.sqReport(sqTail, sqHead));
            return false;
        }
        long sqe = area + SQE_ARRAY + (sqHead & MASK) * SQE_SIZE;
        long userData = memory.readU64(sqe);
        long ret = executor.execute(memory.readU64(sqe + 8), memory.readU64(sqe + 16), memory.readU64(sqe + 24),
                memory.readU64(sqe + 32), memory.readU64(sqe + 40), memory.readU64(sqe + 48), memory.readU64(sqe + 56));
        // the transport is closing (the VM has stopped; its guest never reads this completion): touch
        // no guest memory, which is about to be released if close stopped waiting for this call
        if (closing.getAsBoolean()) return false;
        sqHead++;
        memory.setLongRelease(area + OFF_SQ_HEAD, sqHead);
        for (;;) {
            long cqHead = memory.getLongAcquire(area + OFF_CQ_HEAD);
            long used = cqTail - cqHead;
            if (!RingLayout.cqUsedPossible(used)) {
                // consumed completions never produced, or moved back: waiting would never end
                corrupt(RingLayout.cqReport(cqHead, cqTail));
                return false;
            }
            if (used < ENTRIES) break;
            if (closing.getAsBoolean() || control.isStopped()) return false;
            // the guest has not consumed its completions yet; it rings no doorbell for that,
            // so this wait spins (in every ring transport) rather than sleeps
            Thread.onSpinWait();
        }
        long cqe = area + CQE_ARRAY + (cqTail & MASK) * CQE_SIZE;
        memory.writeU64(cqe, userData);
        memory.writeU64(cqe + 8, ret);
        cqTail++;
        memory.setLongRelease(area + OFF_CQ_TAIL, cqTail);
        return true;
    }

    void corrupt(String what) {
        control.stop(Ending.UNEXPECTED_EXIT, transport + " transport: corrupt ring from the guest: " + what);
    }
}
