/*
 * ring.h - shared-memory layout of the "ring" and "aring" transports, and
 * the guest side of a synchronous call (ring_view_init, ring_view_call),
 * which both guest halves (ring.c, aring.c) use unchanged: the two differ
 * only on the monitor side (aring's poller sleeps when idle).
 *
 * io.torovj.mechanisms.RingLayout (Java, the monitor side) mirrors every
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
 * Guest protocol for one synchronous call (ring_view_call below):
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

#include "torovj_abi.h"
#include "torovj_transport.h"

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

/* One guest half's view of the rings: pointers into the area, and its own
 * copies of the indices it writes (never re-read from shared memory). */
struct ring_view {
    uint64_t *sq_tail_p;                /* guest writes */
    uint64_t *sq_head_p;                /* monitor writes */
    uint64_t *cq_tail_p;                /* monitor writes */
    uint64_t *cq_head_p;                /* guest writes */
    uint32_t *flags_p;                  /* monitor writes */
    volatile struct ring_sqe *sqes;
    volatile struct ring_cqe *cqes;
    uint64_t sq_entries, sq_mask, cq_mask;
    uint64_t sq_tail;                   /* own copies of the guest-written indices */
    uint64_t cq_head;
    uint16_t port;                      /* doorbell */
};

static inline int ring_is_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

/* [off, off + bytes) lies within the area, after the header, 8-aligned. */
static inline int ring_array_ok(uint64_t off, uint64_t bytes, uint64_t area_size)
{
    return off >= RING_HEADER_END && (off & 7) == 0 && off <= area_size && bytes <= area_size - off;
}

/* Validates the header the monitor wrote (see the top of this file) and
 * fills *r; 0 on success, -1 if the area cannot be a ring. */
static inline int ring_view_init(struct ring_view *r, const struct torovj_boot_info *bi)
{
    uintptr_t base = (uintptr_t)bi->transport_area;
    uint64_t size = bi->transport_area_size;

    if (base == 0 || (base & 7) != 0 || size < RING_HEADER_END)
        return -1;

    volatile uint32_t *hdr = (volatile uint32_t *)base;
    uint32_t sq_entries = hdr[RING_OFF_SQ_ENTRIES / 4];
    uint32_t cq_entries = hdr[RING_OFF_CQ_ENTRIES / 4];
    uint64_t sqe_off = hdr[RING_OFF_SQE_OFFSET / 4];
    uint64_t cqe_off = hdr[RING_OFF_CQE_OFFSET / 4];
    uint64_t sq_bytes = (uint64_t)sq_entries * RING_SQE_SIZE;
    uint64_t cq_bytes = (uint64_t)cq_entries * RING_CQE_SIZE;

    if (!ring_is_pow2(sq_entries) || !ring_is_pow2(cq_entries))
        return -1;
    if (!ring_array_ok(sqe_off, sq_bytes, size) || !ring_array_ok(cqe_off, cq_bytes, size))
        return -1;
    if (sqe_off < cqe_off + cq_bytes && cqe_off < sqe_off + sq_bytes)
        return -1;                      /* the two arrays overlap */

    r->sq_tail_p = (uint64_t *)(base + RING_OFF_SQ_TAIL);
    r->sq_head_p = (uint64_t *)(base + RING_OFF_SQ_HEAD);
    r->cq_tail_p = (uint64_t *)(base + RING_OFF_CQ_TAIL);
    r->cq_head_p = (uint64_t *)(base + RING_OFF_CQ_HEAD);
    r->flags_p = (uint32_t *)(base + RING_OFF_FLAGS);
    r->sqes = (volatile struct ring_sqe *)(base + sqe_off);
    r->cqes = (volatile struct ring_cqe *)(base + cqe_off);
    r->sq_entries = sq_entries;
    r->sq_mask = sq_entries - 1;
    r->cq_mask = cq_entries - 1;
    r->port = (uint16_t)bi->doorbell_port;
    /* the monitor zeroes these; start from whatever it wrote */
    r->sq_tail = __atomic_load_n(r->sq_tail_p, __ATOMIC_RELAXED);
    r->cq_head = __atomic_load_n(r->cq_head_p, __ATOMIC_RELAXED);
    return 0;
}

/* One synchronous call, steps 1-5 of the protocol above. */
static inline long ring_view_call(struct ring_view *r, long nr, long a0, long a1, long a2, long a3, long a4,
                                  long a5)
{
    /* locals, so the spin loops do not reload the view around each
     * atomic access */
    uint64_t *const sq_head_p = r->sq_head_p;
    uint64_t *const cq_tail_p = r->cq_tail_p;
    const uint64_t sq_entries = r->sq_entries;
    const uint64_t tail = r->sq_tail;

    while (tail - __atomic_load_n(sq_head_p, __ATOMIC_ACQUIRE) >= sq_entries)
        ;                               /* SQ full: wait for the poller */

    volatile struct ring_sqe *e = &r->sqes[tail & r->sq_mask];
    e->user_data = tail;
    e->nr = (uint64_t)nr;
    e->args[0] = (uint64_t)a0;
    e->args[1] = (uint64_t)a1;
    e->args[2] = (uint64_t)a2;
    e->args[3] = (uint64_t)a3;
    e->args[4] = (uint64_t)a4;
    e->args[5] = (uint64_t)a5;

    /* Publish. xchg = release + full fence, so the flags load below cannot
     * be satisfied before the new tail is visible to the poller (step 3). */
    (void)__atomic_exchange_n(r->sq_tail_p, tail + 1, __ATOMIC_SEQ_CST);
    r->sq_tail = tail + 1;

    if (__atomic_load_n(r->flags_p, __ATOMIC_ACQUIRE) & RING_FLAG_POLLER_SLEEPING)
        __asm__ volatile("outb %%al, %%dx" : : "a"((uint8_t)0), "d"(r->port) : "memory");

    const uint64_t head = r->cq_head;
    while (__atomic_load_n(cq_tail_p, __ATOMIC_ACQUIRE) == head)
        ;                               /* wait for the completion */

    volatile struct ring_cqe *c = &r->cqes[head & r->cq_mask];
    uint64_t user_data = c->user_data;
    long ret = (long)c->ret;
    __atomic_store_n(r->cq_head_p, head + 1, __ATOMIC_RELEASE);
    r->cq_head = head + 1;

    if (user_data != tail)
        torovj_ud2();                   /* completion for another submission */
    return ret;
}

#endif
