/*
 * line.c - guest half of the "line" transport: one cache line each way.
 *
 * Layout (line.h, mirrored by io.torovj.mechanisms.LineTransport): the area
 * is at boot_info->transport_area, 64-byte aligned, at least LINE_AREA_BYTES
 * long; the monitor zeroes it before the guest starts.
 *   request line  @0:  seq u64 @0, nr u64 @8, args u64[6] @16  (guest writes)
 *   response line @64: seq u64 @64, ret i64 @72                 (monitor writes)
 * Nothing else is shared: no indices, no flags, no doorbell.
 *
 * One call: write nr and args, then seq = last + 1 with release (on x86-TSO
 * a plain store; the compiler barrier keeps the order); spin until the
 * response seq equals it (acquire), read ret. The monitor's poller spins on
 * the request seq, serves each new one and answers it with that seq.
 *
 * Why two lines and not one: the guest spins on the response while the
 * poller spins on the request; if both sat in one line, every poll by one
 * side would pull the line away from the other mid-write. With two, each
 * line moves once per direction per call (the floor cfloor measures as
 * floor-c-ring-1line).
 *
 * The monitor accepts only seq = last + 1 (a free-running u64): any other
 * change of the request seq ends the VM with "corrupt request line".
 */
#include <stdint.h>

#include "torovj_abi.h"
#include "torovj_transport.h"
#include "line.h"

static struct line_area *line_area;
static uint64_t line_seq;       /* own copy of the last published seq, never re-read */

static int line_init(const struct torovj_boot_info *bi)
{
    line_area = line_area_of(bi);
    if (line_area == 0)
        return -1;
    /* the monitor zeroed it; start from whatever it wrote */
    line_seq = __atomic_load_n(&line_area->req.seq, __ATOMIC_RELAXED);
    return 0;
}

static long line_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    struct line_area *const a = line_area;
    const uint64_t seq = line_seq + 1;

    a->req.nr = (uint64_t)nr;
    a->req.args[0] = (uint64_t)a0;
    a->req.args[1] = (uint64_t)a1;
    a->req.args[2] = (uint64_t)a2;
    a->req.args[3] = (uint64_t)a3;
    a->req.args[4] = (uint64_t)a4;
    a->req.args[5] = (uint64_t)a5;
    /* release: nr and args (and every buffer the args point to) before seq */
    __atomic_store_n(&a->req.seq, seq, __ATOMIC_RELEASE);
    line_seq = seq;

    while (__atomic_load_n(&a->resp.seq, __ATOMIC_ACQUIRE) != seq)
        ;                               /* spin on a plain load, as ring.h does */
    return (long)__atomic_load_n(&a->resp.ret, __ATOMIC_RELAXED);
}

static const struct torovj_transport line_transport = {
    .name = "line",
    .init = line_init,
    .syscall6 = line_syscall6,
};
TOROVJ_TRANSPORT(line_transport);
