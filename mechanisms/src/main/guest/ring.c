/*
 * ring.c - guest half of the "ring" transport: single-producer /
 * single-consumer submission and completion rings in shared memory, polled
 * by a monitor thread; no VM exit per call unless the poller sleeps.
 * Layout and protocol: ring.h.
 */
#include <stdint.h>

#include "torovj_abi.h"
#include "torovj_transport.h"
#include "ring.h"

static uint64_t *ring_sq_tail_p;       /* guest writes */
static uint64_t *ring_sq_head_p;       /* monitor writes */
static uint64_t *ring_cq_tail_p;       /* monitor writes */
static uint64_t *ring_cq_head_p;       /* guest writes */
static uint32_t *ring_flags_p;         /* monitor writes */
static volatile struct ring_sqe *ring_sqes;
static volatile struct ring_cqe *ring_cqes;
static uint64_t ring_sq_entries, ring_sq_mask, ring_cq_mask;
static uint64_t ring_sq_tail;          /* own copies of the guest-written indices */
static uint64_t ring_cq_head;
static uint16_t ring_port;

static int is_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

/* [off, off + bytes) lies within the area, after the header, 8-aligned. */
static int array_ok(uint64_t off, uint64_t bytes, uint64_t area_size)
{
    return off >= RING_HEADER_END && (off & 7) == 0 && off <= area_size && bytes <= area_size - off;
}

static int ring_init(const struct torovj_boot_info *bi)
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

    if (!is_pow2(sq_entries) || !is_pow2(cq_entries))
        return -1;
    if (!array_ok(sqe_off, sq_bytes, size) || !array_ok(cqe_off, cq_bytes, size))
        return -1;
    if (sqe_off < cqe_off + cq_bytes && cqe_off < sqe_off + sq_bytes)
        return -1;                      /* the two arrays overlap */

    ring_sq_tail_p = (uint64_t *)(base + RING_OFF_SQ_TAIL);
    ring_sq_head_p = (uint64_t *)(base + RING_OFF_SQ_HEAD);
    ring_cq_tail_p = (uint64_t *)(base + RING_OFF_CQ_TAIL);
    ring_cq_head_p = (uint64_t *)(base + RING_OFF_CQ_HEAD);
    ring_flags_p = (uint32_t *)(base + RING_OFF_FLAGS);
    ring_sqes = (volatile struct ring_sqe *)(base + sqe_off);
    ring_cqes = (volatile struct ring_cqe *)(base + cqe_off);
    ring_sq_entries = sq_entries;
    ring_sq_mask = sq_entries - 1;
    ring_cq_mask = cq_entries - 1;
    ring_port = (uint16_t)bi->doorbell_port;
    /* the monitor zeroes these; start from whatever it wrote */
    ring_sq_tail = __atomic_load_n(ring_sq_tail_p, __ATOMIC_RELAXED);
    ring_cq_head = __atomic_load_n(ring_cq_head_p, __ATOMIC_RELAXED);
    return 0;
}

static long ring_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    /* locals, so the spin loops do not reload the globals around each
     * atomic access */
    uint64_t *const sq_head_p = ring_sq_head_p;
    uint64_t *const cq_tail_p = ring_cq_tail_p;
    const uint64_t sq_entries = ring_sq_entries;
    uint64_t t = ring_sq_tail;

    while (t - __atomic_load_n(sq_head_p, __ATOMIC_ACQUIRE) >= sq_entries)
        ;                               /* SQ full: wait for the poller */

    volatile struct ring_sqe *e = &ring_sqes[t & ring_sq_mask];
    e->user_data = t;
    e->nr = (uint64_t)nr;
    e->args[0] = (uint64_t)a0;
    e->args[1] = (uint64_t)a1;
    e->args[2] = (uint64_t)a2;
    e->args[3] = (uint64_t)a3;
    e->args[4] = (uint64_t)a4;
    e->args[5] = (uint64_t)a5;

    /* Publish. xchg = release + full fence, so the flags load below cannot
     * be satisfied before the new tail is visible to the poller (ring.h). */
    (void)__atomic_exchange_n(ring_sq_tail_p, t + 1, __ATOMIC_SEQ_CST);
    ring_sq_tail = t + 1;

    if (__atomic_load_n(ring_flags_p, __ATOMIC_ACQUIRE) & RING_FLAG_POLLER_SLEEPING)
        __asm__ volatile("outb %%al, %%dx" : : "a"((uint8_t)0), "d"(ring_port) : "memory");

    uint64_t h = ring_cq_head;
    while (__atomic_load_n(cq_tail_p, __ATOMIC_ACQUIRE) == h)
        ;                               /* wait for the completion */

    volatile struct ring_cqe *c = &ring_cqes[h & ring_cq_mask];
    uint64_t user_data = c->user_data;
    long ret = (long)c->ret;
    __atomic_store_n(ring_cq_head_p, h + 1, __ATOMIC_RELEASE);
    ring_cq_head = h + 1;

    if (user_data != t)
        torovj_ud2();                   /* completion for another submission */
    return ret;
}

static const struct torovj_transport ring_transport = {
    .name = "ring",
    .init = ring_init,
    .syscall6 = ring_syscall6,
};
TOROVJ_TRANSPORT(ring_transport);
