/*
 * ringblock PATH: for the "ring" and "aring" transports. Opens the FIFO PATH
 * O_RDWR (never blocks), submits a read of it to the ring without waiting for
 * its completion - the poller blocks in that host read - waits ~0.1 s for
 * the poller to be in it, then faults (a load from address 0). The
 * fault ends the VM on the vCPU thread while the poller is still in its host
 * call: the monitor must end the VM with the fault's report (status 139), not
 * wait forever for the poller to come back. Progress on stderr.
 */
#include "torovj.h"
#include "../../../../mechanisms/src/main/guest/ring.h"

static char buf[16];

int main(int argc, char **argv)
{
    const struct torovj_boot_info *bi = torovj_boot_info();
    struct ring_view r;

    if (argc < 2)
        return 2;
    if (bi == NULL || (strcmp(torovj_transport_name(), "ring") != 0 && strcmp(torovj_transport_name(), "aring") != 0)) {
        fprintf(2, "ringblock: needs the ring or aring transport, not %s\n", torovj_transport_name());
        return 2;
    }
    int fd = open(argv[1], O_RDWR);
    fprintf(2, "ringblock: submitting a read that blocks\n");
    /* the view starts from the indices as the runtime's own calls left them: no call through the
     * runtime after this */
    if (fd < 0 || ring_view_init(&r, bi) != 0)
        return 1;

    uint64_t tail = r.sq_tail;
    volatile struct ring_sqe *e = &r.sqes[tail & r.sq_mask];
    e->user_data = tail;
    e->nr = SYS_read;
    e->args[0] = (uint64_t)fd;
    e->args[1] = (uint64_t)(uintptr_t)buf;
    e->args[2] = sizeof buf;
    e->args[3] = e->args[4] = e->args[5] = 0;
    (void)__atomic_exchange_n(r.sq_tail_p, tail + 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(r.flags_p, __ATOMIC_ACQUIRE) & RING_FLAG_POLLER_SLEEPING)
        __asm__ volatile("outb %%al, %%dx" : : "a"((uint8_t)0), "d"(r.port) : "memory");
    /* the poller publishes sq_head only after the call: give it ~0.1 s (at 1-3 GHz) to be in it */
    uint64_t start = torovj_rdtsc();
    while (torovj_rdtsc() - start < 300ULL * 1000 * 1000)
        ;
    if (__atomic_load_n(r.cq_tail_p, __ATOMIC_ACQUIRE) != r.cq_head) {
        fprintf(2, "ringblock: the read completed (%ld): nothing blocked\n", (long)r.cqes[r.cq_head & r.cq_mask].ret);
        return 1;
    }

    volatile int *p;
    __asm__ volatile("" : "=r"(p) : "0"(0L));
    return *p;                          /* #PF: the VM ends here, on the vCPU thread */
}
