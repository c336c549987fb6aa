package io.torovj.mechanisms;

import io.torovj.memory.GuestMemory;
import io.torovj.transport.TransportContext;

/**
 * The shared-memory layout of the ring transports ({@link RingTransport}, {@link AdaptiveRingTransport}),
 * mirrored by src/main/guest/ring.h: change both together.
 *
 * <p>Header {sq_entries u32 @0, cq_entries u32 @4, sqe_offset u32 @8, cqe_offset u32 @12,
 * sq_tail u64 @64, sq_head u64 @128, cq_tail u64 @192, cq_head u64 @256, flags u32 @320},
 * SQE (64 B) {user_data @0, nr @8, args[6] @16}, CQE (16 B) {user_data @0, ret @8}. Indices are
 * free-running; each sits in its own cache line.
 */
final class RingLayout {
    static final int ENTRIES = 64;
    static final int OFF_SQ_ENTRIES = 0, OFF_CQ_ENTRIES = 4, OFF_SQE = 8, OFF_CQE = 12;
    static final int OFF_SQ_TAIL = 64, OFF_SQ_HEAD = 128, OFF_CQ_TAIL = 192, OFF_CQ_HEAD = 256, OFF_FLAGS = 320;
    static final int SQE_SIZE = 64, CQE_SIZE = 16;
    static final int SQE_ARRAY = 512, CQE_ARRAY = SQE_ARRAY + ENTRIES * SQE_SIZE;
    static final int AREA_BYTES = CQE_ARRAY + ENTRIES * CQE_SIZE;
    /** flags bit 0: the poller sleeps and wants the doorbell (ring.h, RING_FLAG_POLLER_SLEEPING). */
    static final int FLAG_POLLER_SLEEPING = 1;

    private RingLayout() {}

    /**
     * Lays the rings out at the context's transport area (zeroed indices, the header the guest
     * validates) and tells the guest where they are; returns the area's guest-physical address.
     */
    static long format(TransportContext context) {
        if (context.transportAreaSize() < AREA_BYTES) throw new IllegalStateException("transport area too small for the ring");
        GuestMemory memory = context.memory();
        long area = context.transportArea();
        memory.fill(area, AREA_BYTES, (byte) 0);
        memory.writeU32(area + OFF_SQ_ENTRIES, ENTRIES);
        memory.writeU32(area + OFF_CQ_ENTRIES, ENTRIES);
        memory.writeU32(area + OFF_SQE, SQE_ARRAY);
        memory.writeU32(area + OFF_CQE, CQE_ARRAY);
        context.bootInfo().setTransportArea(area, AREA_BYTES);
        return area;
    }

    /** False if the guest's sq_tail cannot follow the poller's sq_head (behind it, or more than a ring ahead). */
    static boolean sqTailPossible(long sqTail, long sqHead) {
        return sqTail - sqHead >= 0 && sqTail - sqHead <= ENTRIES;
    }

    /** False if the guest's cq_head cannot follow the poller's cq_tail: consumed completions never produced, or moved back. */
    static boolean cqUsedPossible(long used) {
        return used >= 0 && used <= ENTRIES;
    }

    static String sqReport(long sqTail, long sqHead) {
        return String.format("sq_tail=%d with sq_head=%d and %d entries", sqTail, sqHead, ENTRIES);
    }

    static String cqReport(long cqHead, long cqTail) {
        return String.format("cq_head=%d with cq_tail=%d and %d entries", cqHead, cqTail, ENTRIES);
    }
}
