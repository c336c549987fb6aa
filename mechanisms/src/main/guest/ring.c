/*
 * ring.c - guest half of the "ring" transport: single-producer /
 * single-consumer submission and completion rings in shared memory, polled
 * by a monitor thread; no VM exit per call unless the poller sleeps.
 * Layout, protocol and the call itself: ring.h.
 */
#include <stdint.h>

#include "torovj_abi.h"
#include "torovj_transport.h"
#include "ring.h"

static struct ring_view ring_view;

static int ring_init(const struct torovj_boot_info *bi)
{
    return ring_view_init(&ring_view, bi);
}

static long ring_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    return ring_view_call(&ring_view, nr, a0, a1, a2, a3, a4, a5);
}

static const struct torovj_transport ring_transport = {
    .name = "ring",
    .init = ring_init,
    .syscall6 = ring_syscall6,
};
TOROVJ_TRANSPORT(ring_transport);
