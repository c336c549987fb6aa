/*
 * ringblock PATH: for the transports whose poller thread serves calls
 * ("ring", "aring", "line"). Opens the FIFO PATH O_RDWR (never blocks),
 * submits a read of it to the shared memory without waiting for its
 * completion - the poller blocks in that host read - waits ~0.1 s for the
 * poller to be in it, then faults (a load from address 0). The fault ends the
 * VM on the vCPU thread while the poller is still in its host call: the
 * monitor must end the VM with the fault's report (status 139), not wait
 * forever for the poller to come back. Progress on stderr.
 */
#include "torovj.h"
#include "../../../../mechanisms/src/main/guest/ring.h"
#include "../../../../mechanisms/src/main/guest/line.h"

static char buf[16];

/* ~0.1 s at 1-3 GHz: long enough for the poller to be in the host read */
static void give_the_poller_time(void)
{
    uint64_t start = torovj_rdtsc();
    while (torovj_rdtsc() - start < 300ULL * 1000 * 1000)
        ;
}

/* Submits read(fd, buf) through the rings; 0 if it is still pending after a while. */
static int ring_submit_read(const struct torovj_boot_info *bi, int fd)
{
    struct ring_view r;

    /* the view takes over from the runtime's own calls: no call through the runtime after this */
    if (ring_view_init(&r, bi) != 0)
        return -1;
    ring_view_resume(&r);
    uint64_t t = ring_view_submit(&r, SYS_read, fd, (long)(uintptr_t)buf, sizeof buf, 0, 0, 0);
    /* the poller tags the completion only after the call */
    give_the_poller_time();
    volatile struct ring_cqe *c = &r.cqes[t & r.mask];
    if (__atomic_load_n(&c->seq, __ATOMIC_ACQUIRE) == t + 1) {
        fprintf(2, "ringblock: the read completed (%ld): nothing blocked\n", (long)c->ret);
        return -1;
    }
    return 0;
}

/* The same through the request line (line.h): the next seq after the runtime's last call. */
static int line_submit_read(const struct torovj_boot_info *bi, int fd)
{
    struct line_area *a = line_area_of(bi);

    if (a == 0)
        return -1;
    uint64_t seq = __atomic_load_n(&a->req.seq, __ATOMIC_RELAXED) + 1;
    a->req.nr = SYS_read;
    a->req.args[0] = (uint64_t)fd;
    a->req.args[1] = (uint64_t)(uintptr_t)buf;
    a->req.args[2] = sizeof buf;
    a->req.args[3] = a->req.args[4] = a->req.args[5] = 0;
    __atomic_store_n(&a->req.seq, seq, __ATOMIC_RELEASE);
    give_the_poller_time();
    if (__atomic_load_n(&a->resp.seq, __ATOMIC_ACQUIRE) == seq) {
        fprintf(2, "ringblock: the read completed (%ld): nothing blocked\n", (long)a->resp.ret);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const struct torovj_boot_info *bi = torovj_boot_info();
    const char *t = torovj_transport_name();
    int ring = bi != NULL && (strcmp(t, "ring") == 0 || strcmp(t, "aring") == 0);
    int line = bi != NULL && strcmp(t, "line") == 0;

    if (argc < 2)
        return 2;
    if (!ring && !line) {
        fprintf(2, "ringblock: needs the ring, aring or line transport, not %s\n", t);
        return 2;
    }
    int fd = open(argv[1], O_RDWR);
    fprintf(2, "ringblock: submitting a read that blocks\n");
    if (fd < 0 || (ring ? ring_submit_read(bi, fd) : line_submit_read(bi, fd)) != 0)
        return 1;

    volatile int *p;
    __asm__ volatile("" : "=r"(p) : "0"(0L));
    return *p;                          /* #PF: the VM ends here, on the vCPU thread */
}
