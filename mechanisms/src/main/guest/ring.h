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
 * all fields little-endian; the monitor writes the header and zeroes the
 * rest before the guest starts.
 *
 * A ring of N sequence-tagged slots each way (after NVMe's phase bit and
 * Vyukov's bounded queue): no shared head or tail index, so one synchronous
 * call moves one cache line each way, the SQE there and the CQE back.
 *   SQE (64 bytes, one cache line): { seq, nr, args[6] }
 *   CQE (64 bytes, one cache line): { seq, ret }
 * Call t (t = 0, 1, 2, ... a free-running uint64 the guest keeps) uses slot
 * t & (N - 1) in both arrays and is tagged seq = t + 1 (0 is "never used").
 *
 * Guest protocol for call t (ring_view_call below):
 *   1. flow control from the guest's own count of completions c: wait while
 *      t - c >= N (a completion for call u means SQE u was read: its slot is
 *      free). A synchronous call always finds t == c;
 *   2. write nr and args into SQE[t & mask];
 *   3. publish SQE.seq = t + 1 with a FULL barrier (xchg), not only release:
 *      the guest then reads flags, and this store->load order is what makes
 *      the sleep/wake handshake safe (see 4);
 *   4. if flags & RING_FLAG_POLLER_SLEEPING: outb to boot_info->doorbell_port.
 *      The monitor's poller, before sleeping, sets the flag, issues a full
 *      fence and re-checks the SQE it waits for; then a submission is never
 *      missed (Dekker: each side stores, fences, then loads what the other
 *      stored, so at least one of them sees the other's store: either the
 *      poller sees the seq and does not sleep, or the guest sees the flag
 *      and rings);
 *   5. spin until CQE[t & mask].seq == t + 1 (acquire); read its ret.
 *
 * The monitor keeps its own head h (the next call to serve) and looks only
 * at SQE[h & mask].seq: h + 1 is the next call (served: nr and args are read
 * once each, after the acquire load of seq, then CQE[h & mask] gets ret and
 * then seq = h + 1 with release); the tag the slot held before (h + 1 - N,
 * or 0 for the first N calls) means nothing submitted yet; any other value
 * cannot come from a guest following this protocol and ends the VM with a
 * "corrupt ring" report. It never reads an index the guest wrote, so there is
 * nothing to bounds-check, and it never reads a CQE back.
 *
 * Validation in init (failure -> ud2 at boot): transport_area non-zero and
 * 64-byte aligned, entries a non-zero power of two, arrays 64-byte aligned,
 * starting at or after RING_HEADER_END, not overlapping each other, and
 * inside transport_area_size.
 */
#ifndef TOROVJ_RING_H
#define TOROVJ_RING_H

#include <stdint.h>

#include "torovj_abi.h"
#include "torovj_transport.h"

/* header */
#define RING_OFF_ENTRIES     0    /* uint32, monitor: slots per array (a power of two) */
#define RING_OFF_SQE_OFFSET  4    /* uint32, monitor: SQE array offset from transport_area */
#define RING_OFF_CQE_OFFSET  8    /* uint32, monitor: CQE array offset from transport_area */
#define RING_OFF_FLAGS       64   /* uint32, monitor writes; its own cache line */
#define RING_HEADER_END      68   /* arrays may start here or later (64-aligned) */

#define RING_FLAG_POLLER_SLEEPING 1u

/* submission queue entry, one cache line */
#define RING_SQE_SIZE      64
#define RING_SQE_OFF_SEQ   0   /* uint64, guest: call number + 1, written last */
#define RING_SQE_OFF_NR    8   /* uint64 */
#define RING_SQE_OFF_ARGS  16  /* uint64[6] */

/* completion queue entry, one cache line */
#define RING_CQE_SIZE      64
#define RING_CQE_OFF_SEQ   0   /* uint64, monitor: the SQE's seq, written last */
#define RING_CQE_OFF_RET   8   /* int64 */

struct ring_sqe {
    uint64_t seq;
    uint64_t nr;
    uint64_t args[6];
};

struct ring_cqe {
    uint64_t seq;
    int64_t  ret;
    uint64_t unused[6];
};

_Static_assert(sizeof(struct ring_sqe) == RING_SQE_SIZE, "SQE size");
_Static_assert(__builtin_offsetof(struct ring_sqe, seq) == RING_SQE_OFF_SEQ, "SQE seq");
_Static_assert(__builtin_offsetof(struct ring_sqe, nr) == RING_SQE_OFF_NR, "SQE nr");
_Static_assert(__builtin_offsetof(struct ring_sqe, args) == RING_SQE_OFF_ARGS, "SQE args");
_Static_assert(sizeof(struct ring_cqe) == RING_CQE_SIZE, "CQE size");
_Static_assert(__builtin_offsetof(struct ring_cqe, seq) == RING_CQE_OFF_SEQ, "CQE seq");
_Static_assert(__builtin_offsetof(struct ring_cqe, ret) == RING_CQE_OFF_RET, "CQE ret");

/* One guest half's view of the rings: pointers into the area, and its own
 * counts of calls submitted and completions consumed (never in shared memory). */
struct ring_view {
    uint32_t *flags_p;                  /* monitor writes */
    volatile struct ring_sqe *sqes;
    volatile struct ring_cqe *cqes;
    uint64_t entries, mask;
    uint64_t submitted;                 /* calls published: the next call is number `submitted` */
    uint64_t completed;                 /* completions consumed */
    uint16_t port;                      /* doorbell */
};

static inline int ring_is_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

/* [off, off + bytes) lies within the area, after the header, 64-aligned. */
static inline int ring_array_ok(uint64_t off, uint64_t bytes, uint64_t area_size)
{
    return off >= RING_HEADER_END && (off & 63) == 0 && off <= area_size && bytes <= area_size - off;
}

/* Validates the header the monitor wrote (see the top of this file) and
 * fills *r; 0 on success, -1 if the area cannot be a ring. */
static inline int ring_view_init(struct ring_view *r, const struct torovj_boot_info *bi)
{
    uintptr_t base = (uintptr_t)bi->transport_area;
    uint64_t size = bi->transport_area_size;

    if (base == 0 || (base & 63) != 0 || size < RING_HEADER_END)
        return -1;

    volatile uint32_t *hdr = (volatile uint32_t *)base;
    uint32_t entries = hdr[RING_OFF_ENTRIES / 4];
    uint64_t sqe_off = hdr[RING_OFF_SQE_OFFSET / 4];
    uint64_t cqe_off = hdr[RING_OFF_CQE_OFFSET / 4];
    uint64_t sq_bytes = (uint64_t)entries * RING_SQE_SIZE;
    uint64_t cq_bytes = (uint64_t)entries * RING_CQE_SIZE;

    if (!ring_is_pow2(entries))
        return -1;
    if (!ring_array_ok(sqe_off, sq_bytes, size) || !ring_array_ok(cqe_off, cq_bytes, size))
        return -1;
    if (sqe_off < cqe_off + cq_bytes && cqe_off < sqe_off + sq_bytes)
        return -1;                      /* the two arrays overlap */

    r->flags_p = (uint32_t *)(base + RING_OFF_FLAGS);
    r->sqes = (volatile struct ring_sqe *)(base + sqe_off);
    r->cqes = (volatile struct ring_cqe *)(base + cqe_off);
    r->entries = entries;
    r->mask = entries - 1;
    r->port = (uint16_t)bi->doorbell_port;
    /* a fresh ring: every slot's tag is 0, so the first call is number 0 */
    r->submitted = 0;
    r->completed = 0;
    return 0;
}

/* For a test guest that takes the rings over from the runtime (whose view it
 * cannot see): every call the runtime made has completed, and the newest
 * SQE tag is the number of calls made so far. */
static inline void ring_view_resume(struct ring_view *r)
{
    uint64_t made = 0;

    for (uint64_t i = 0; i < r->entries; i++) {
        uint64_t seq = __atomic_load_n(&r->sqes[i].seq, __ATOMIC_ACQUIRE);
        if (seq > made)
            made = seq;
    }
    r->submitted = made;
    r->completed = made;
}

/* Steps 2-4 of the protocol above for call r->submitted (step 1 is the
 * caller's); returns the call's number. */
static inline uint64_t ring_view_submit(struct ring_view *r, long nr, long a0, long a1, long a2, long a3, long a4,
                                        long a5)
{
    const uint64_t t = r->submitted;
    volatile struct ring_sqe *e = &r->sqes[t & r->mask];

    e->nr = (uint64_t)nr;
    e->args[0] = (uint64_t)a0;
    e->args[1] = (uint64_t)a1;
    e->args[2] = (uint64_t)a2;
    e->args[3] = (uint64_t)a3;
    e->args[4] = (uint64_t)a4;
    e->args[5] = (uint64_t)a5;

    /* Publish. xchg = release + full fence, so the flags load below cannot
     * be satisfied before the new tag is visible to the poller (step 3). */
    (void)__atomic_exchange_n(&e->seq, t + 1, __ATOMIC_SEQ_CST);
    r->submitted = t + 1;

    if (__atomic_load_n(r->flags_p, __ATOMIC_ACQUIRE) & RING_FLAG_POLLER_SLEEPING)
        __asm__ volatile("outb %%al, %%dx" : : "a"((uint8_t)0), "d"(r->port) : "memory");
    return t;
}

/* One synchronous call, steps 1-5 of the protocol above. */
static inline long ring_view_call(struct ring_view *r, long nr, long a0, long a1, long a2, long a3, long a4,
                                  long a5)
{
    /* step 1: a synchronous caller has consumed every completion, so the
     * slot is free (submitted == completed) */
    const uint64_t t = ring_view_submit(r, nr, a0, a1, a2, a3, a4, a5);
    volatile struct ring_cqe *c = &r->cqes[t & r->mask];

    while (__atomic_load_n(&c->seq, __ATOMIC_ACQUIRE) != t + 1)
        ;                               /* wait for the completion; a plain load, as line.c */
    long ret = (long)c->ret;
    r->completed = t + 1;
    return ret;
}

#endif
