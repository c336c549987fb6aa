package io.torovj.mechanisms;

import io.torovj.memory.GuestMemory;
import io.torovj.transport.TransportContext;

/**
 * The shared-memory layout of the ring transports ({@link RingTransport}, {@link AdaptiveRingTransport}),
 * mirrored by src/main/guest/ring.h (which also states the protocol): change both together.
 *
 * <p>Header {entries u32 @0, sqe_offset u32 @4, cqe_offset u32 @8}, flags u32 @64 (its own line);
 * then {@link #ENTRIES} sequence-tagged slots each way, one cache line each: SQE {seq @0, nr @8,
 * args[6] @16}, CQE {seq @0, ret @8}. Call t uses slot t &amp; (ENTRIES - 1) and is tagged t + 1;
 * there is no shared head or tail index, so a synchronous call moves one line each way.
 */
final class RingLayout {
    /**
     * Slots each way. A synchronous guest has one call in flight, so depth only serves batching;
     * 16 keeps the whole area (header, 16 SQE and 16 CQE lines: 2,176 bytes) in one guest page,
     * where 64 slots took three: 8 KiB more resident guest RAM in every VM.
     */
    static final int ENTRIES = 16;
    static final int OFF_ENTRIES = 0, OFF_SQE = 4, OFF_CQE = 8, OFF_FLAGS = 64;
    static final int SQE_SIZE = 64, CQE_SIZE = 64;
    static final int SQE_OFF_SEQ = 0, SQE_OFF_NR = 8, SQE_OFF_ARGS = 16;
    static final int CQE_OFF_SEQ = 0, CQE_OFF_RET = 8;
    static final int SQE_ARRAY = 128, CQE_ARRAY = SQE_ARRAY + ENTRIES * SQE_SIZE;
    static final int AREA_BYTES = CQE_ARRAY + ENTRIES * CQE_SIZE;
    /** The area's alignment: every slot starts a cache line. */
    static final int LINE = 64;
    /** flags bit 0: the poller sleeps and wants the doorbell (ring.h, RING_FLAG_POLLER_SLEEPING). */
    static final int FLAG_POLLER_SLEEPING = 1;

    private RingLayout() {}

    /**
     * Lays the rings out at the context's transport area (every tag zeroed, the header the guest
     * validates) and tells the guest where they are; returns the area's guest-physical address.
     */
    static long format(TransportContext context) {
        long area = context.transportArea();
        if (context.transportAreaSize() < AREA_BYTES) throw new IllegalStateException("transport area too small for the ring");
        if (area % LINE != 0) throw new IllegalStateException("transport area not cache-line aligned for the ring: 0x" + Long.toHexString(area));
        GuestMemory memory = context.memory();
        memory.fill(area, AREA_BYTES, (byte) 0);
        memory.writeU32(area + OFF_ENTRIES, ENTRIES);
        memory.writeU32(area + OFF_SQE, SQE_ARRAY);
        memory.writeU32(area + OFF_CQE, CQE_ARRAY);
        context.bootInfo().setTransportArea(area, AREA_BYTES);
        return area;
    }

    /** The SQE of call {@code index} (its slot). */
    static long sqe(long area, long index) {
        return area + SQE_ARRAY + (index & (ENTRIES - 1)) * SQE_SIZE;
    }

    /** The CQE of call {@code index} (its slot). */
    static long cqe(long area, long index) {
        return area + CQE_ARRAY + (index & (ENTRIES - 1)) * CQE_SIZE;
    }

    /**
     * The tag the slot of call {@code head} holds while that call is not yet submitted: the one
     * its previous call (head - ENTRIES) carried, or 0 (formatted) in the first turn of the ring.
     */
    static long idleTag(long head) {
        return Long.compareUnsigned(head, ENTRIES) < 0 ? 0 : head + 1 - ENTRIES;
    }

    static String tagReport(long tag, long head) {
        return String.format("seq=%s in slot %d, expected %s (call %s) or %s (nothing submitted)",
                Long.toUnsignedString(tag), head & (ENTRIES - 1), Long.toUnsignedString(head + 1),
                Long.toUnsignedString(head), Long.toUnsignedString(idleTag(head)));
    }
}
