/*
 * ring.h - shared-memory layout of the "ring" transport.
 *
 * io.torovj.mechanisms.RingTransport (Java, the monitor side) mirrors every
 * offset below; change both together.
 *
 * The area is at boot_info->transport_area (transport_area_size bytes);
 * all fields little-endian; the monitor writes the header (entries and
 * array offsets, indices zeroed) before the guest starts. Each index lives
 * in its own 64-byte cache line so producer and consumer do not false-share.
 *
 * Indices are free-running uint64 counters; slot = index & (entries - 1).
 * SQ: the guest produces (sq_tail), the monitor consumes (sq_head).
 * CQ: the monitor produces (cq_tail), the guest consumes (cq_head).
 *
 * Guest protocol for one synchronous call (ring.c):
 *   1. t = sq_tail; wait while t - sq_head >= sq_entries;
 *   2. write SQE[t & mask] = { user_data = t, nr, args };
 *   3. publish sq_tail = t + 1 with a FULL barrier (xchg), not only release:
 *      the guest then reads flags, and this store->load order is what makes
 *      the sleep/wake handshake safe (see 4);
 *   4. if flags & RING_FLAG_POLLER_SLEEPING: outb to boot_info->doorbell_port.
 *      The monitor's poller must, before sleeping, set the flag, issue a full
 *      fence (a Java volatile write followed by a volatile read is enough),
 *      and re-check sq_tail; then a submission is never missed (Dekker);
 *   5. spin until cq_tail != cq_head; read CQE[cq_head & mask];
 *      release-store cq_head + 1; the CQE's user_data must equal t (the
 *      guest executes ud2 otherwise); return the CQE's ret.
 *
 * Validation in init (failure -> ud2 at boot): transport_area non-zero and
 * 8-byte aligned, entries non-zero powers of two, arrays 8-byte aligned,
 * starting at or after RING_HEADER_END, not overlapping each other, and
 * inside transport_area_size.
 */
#ifndef TOROVJ_RING_H
#define TOROVJ_RING_H

#include <stdint.h>

/* header */
#define RING_OFF_SQ_ENTRIES  0    /* uint32, monitor */
#define RING_OFF_CQ_ENTRIES  4    /* uint32, monitor */
#define RING_OFF_SQE_OFFSET  8    /* uint32, monitor: SQE array offset from transport_area */
#define RING_OFF_CQE_OFFSET  12   /* uint32, monitor: CQE array offset from transport_area */
#define RING_OFF_SQ_TAIL     64   /* uint64, guest writes */
#define RING_OFF_SQ_HEAD     128  /* uint64, monitor writes */
#define RING_OFF_CQ_TAIL     192  /* uint64, monitor writes */
#define RING_OFF_CQ_HEAD     256  /* uint64, guest writes */
#define RING_OFF_FLAGS       320  /* uint32, monitor writes */
#define RING_HEADER_END      324  /* arrays may start here or later */

#define RING_FLAG_POLLER_SLEEPING 1u

/* submission queue entry, 64 bytes */
#define RING_SQE_SIZE          64
#define RING_SQE_OFF_USER_DATA 0   /* uint64 */
#define RING_SQE_OFF_NR        8   /* uint64 */
#define RING_SQE_OFF_ARGS      16  /* uint64[6] */

/* completion queue entry, 16 bytes */
#define RING_CQE_SIZE          16
#define RING_CQE_OFF_USER_DATA 0   /* uint64 */
#define RING_CQE_OFF_RET       8   /* int64 */

struct ring_sqe {
    uint64_t user_data;
    uint64_t nr;
    uint64_t args[6];
};

struct ring_cqe {
    uint64_t user_data;
    int64_t  ret;
};

_Static_assert(sizeof(struct ring_sqe) == RING_SQE_SIZE, "SQE size");
_Static_assert(__builtin_offsetof(struct ring_sqe, nr) == RING_SQE_OFF_NR, "SQE nr");
_Static_assert(__builtin_offsetof(struct ring_sqe, args) == RING_SQE_OFF_ARGS, "SQE args");
_Static_assert(sizeof(struct ring_cqe) == RING_CQE_SIZE, "CQE size");
_Static_assert(__builtin_offsetof(struct ring_cqe, ret) == RING_CQE_OFF_RET, "CQE ret");

#endif
