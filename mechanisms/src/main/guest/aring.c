/*
 * aring.c - guest half of the "aring" (adaptive ring) transport. The rings
 * and the guest's protocol are the ring's (ring.h), unchanged: the guest
 * always reads flags after publishing a submission and rings the doorbell
 * port when the poller says it sleeps. What differs is the monitor side
 * (io.torovj.mechanisms.AdaptiveRingTransport): its poller stops spinning
 * after an idle spell and sleeps until that doorbell: an exit to the
 * monitor's port bus, or with the option doorbell=ioeventfd an ioeventfd on
 * KVM (absorbed in the kernel, no exit to the monitor's user space).
 */
#include <stdint.h>

#include "torovj_abi.h"
#include "torovj_transport.h"
#include "ring.h"

static struct ring_view aring_view;

static int aring_init(const struct torovj_boot_info *bi)
{
    return ring_view_init(&aring_view, bi);
}

static long aring_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    return ring_view_call(&aring_view, nr, a0, a1, a2, a3, a4, a5);
}

static const struct torovj_transport aring_transport = {
    .name = "aring",
    .init = aring_init,
    .syscall6 = aring_syscall6,
};
TOROVJ_TRANSPORT(aring_transport);
