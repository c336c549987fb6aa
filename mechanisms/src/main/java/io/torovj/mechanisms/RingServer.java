package io.torovj.mechanisms;

import static io.torovj.mechanisms.RingLayout.CQE_OFF_RET;
import static io.torovj.mechanisms.RingLayout.CQE_OFF_SEQ;
import static io.torovj.mechanisms.RingLayout.SQE_OFF_ARGS;
import static io.torovj.mechanisms.RingLayout.SQE_OFF_NR;
import static io.torovj.mechanisms.RingLayout.SQE_OFF_SEQ;

import io.torovj.lifecycle.Ending;
import io.torovj.lifecycle.VmControl;
import io.torovj.memory.GuestMemory;
import io.torovj.syscall.SyscallExecutor;
import java.util.function.BooleanSupplier;

/**
 * The host side of the sequence-tagged rings (ring.h): serves call {@link #head()} once its SQE
 * carries the tag head + 1, and answers in the CQE of the same slot. The ring transports differ
 * only in how they wait for work; they share this. Poller thread only; allocation-free.
 *
 * <p>The guest is hostile, and this never reads an index it wrote: the slot is the server's own
 * head, and the only guest-written word it decides on is that slot's tag, read once. A tag that
 * is neither the next call's nor the slot's previous one cannot come from a guest following
 * ring.h, and ends the VM with "corrupt ring". The SQE's fields are read once each, after the
 * tag's acquire load; what the guest writes over them meanwhile is not seen by this call.
 */
final class RingServer {
    /** {@link #serveNext}: a call was served. */
    static final int SERVED = 1;
    /** {@link #serveNext}: nothing submitted at the head. */
    static final int IDLE = 0;
    /** {@link #serveNext}: polling must end (the tag is corrupt and the VM stopped, or the transport is closing). */
    static final int END = -1;

    private final GuestMemory memory;
    private final long area;
    private final SyscallExecutor executor;
    private final VmControl control;
    private final String transport;
    private final BooleanSupplier closing;
    private long head;

    RingServer(GuestMemory memory, long area, SyscallExecutor executor, VmControl control, String transport,
               BooleanSupplier closing) {
        this.memory = memory;
        this.area = area;
        this.executor = executor;
        this.control = control;
        this.transport = transport;
        this.closing = closing;
    }

    /** The next call to serve (the number of calls served). */
    long head() { return head; }

    /** True if nothing has been submitted at the head (the handshake's re-check before sleeping). */
    boolean idle() {
        return memory.getLongAcquire(RingLayout.sqe(area, head) + SQE_OFF_SEQ) == RingLayout.idleTag(head);
    }

    /**
     * Serves the call at the head if the guest has submitted it: {@link #SERVED}, {@link #IDLE},
     * or {@link #END} when polling must end.
     */
    int serveNext() {
        final long h = head;
        final long sqe = RingLayout.sqe(area, h);
        long tag = memory.getLongAcquire(sqe + SQE_OFF_SEQ);
        if (tag != h + 1) {
            if (tag == RingLayout.idleTag(h)) return IDLE;
            corrupt(RingLayout.tagReport(tag, h));
            return END;
        }
        long ret = executor.execute(memory.readU64(sqe + SQE_OFF_NR),
                memory.readU64(sqe + SQE_OFF_ARGS), memory.readU64(sqe + SQE_OFF_ARGS + 8),
                memory.readU64(sqe + SQE_OFF_ARGS + 16), memory.readU64(sqe + SQE_OFF_ARGS + 24),
                memory.readU64(sqe + SQE_OFF_ARGS + 32), memory.readU64(sqe + SQE_OFF_ARGS + 40));
        // the transport is closing (the VM has stopped; its guest never reads this completion): touch
        // no guest memory, which is about to be released if close stopped waiting for this call
        if (closing.getAsBoolean()) return END;
        long cqe = RingLayout.cqe(area, h);
        memory.writeU64(cqe + CQE_OFF_RET, ret);
        memory.setLongRelease(cqe + CQE_OFF_SEQ, h + 1);
        head = h + 1;
        return SERVED;
    }

    void corrupt(String what) {
        control.stop(Ending.UNEXPECTED_EXIT, transport + " transport: corrupt ring from the guest: " + what);
    }
}
