/*
 * ringabuse VARIANT [SEED]: for the "ring" and "aring" transports (same
 * rings; aring's poller sleeps when idle). After a few normal calls through
 * the runtime, it drives the shared rings itself (a view of its own that
 * takes over the runtime's count of calls, ring_view_resume; every
 * submission rings the doorbell if the poller says it sleeps, as ring.h
 * requires) and then breaks the protocol the way VARIANT says:
 *
 *   seq-ahead       the next SQE tagged one call ahead (t + 2)
 *   seq-behind      the next SQE tagged with an old call's tag (t - 3)
 *   seq-huge        the next SQE tagged 1 << 63
 *   seq-random      the next SQE tagged at random (neither t + 1 nor the
 *                   slot's previous tag)
 *   garbage-sqe     500 calls of garbage numbers and arguments (each result
 *                   must be an errno or >= 0)
 *   sqe-race        rewrites the submission entry's number and arguments
 *                   with garbage while the monitor may be reading them
 *   header-scribble garbage in every header field and in the flags (which
 *                   then say "sleeping": every call rings the doorbell), in
 *                   the bytes up to the SQEs, and in every CQE (which the
 *                   monitor only writes)
 *   doorbell-spam   rings the doorbell (1-byte OUTs, some with data) with nothing
 *                   submitted, after idle spells long enough for aring's
 *                   poller to sleep, between normal calls
 *   no-doorbell     aring only: waits until the poller sleeps, then submits
 *                   without ringing the doorbell, and spins
 *
 * The first four must end the VM with a report (the monitor cannot make
 * sense of the tag) - the guest then spins until the monitor stops it;
 * the next four must keep being served: it prints
 * "ringabuse: VARIANT ok" and exits 0; no-doorbell stalls until a limit
 * ends the VM (the monitor must still end it promptly). If a completion
 * never arrives, or the monitor does not stop a broken ring, it gives up
 * after 10^10 TSC ticks (a few seconds) with ud2: a #UD report that fails
 * the test.
 */
#include "torovj.h"
#include "../../../../mechanisms/src/main/guest/ring.h"

#define SPIN_LIMIT (10ULL * 1000 * 1000 * 1000)  /* TSC ticks: at most 10 s at 1 GHz or more */
#define IDLE_TICKS (2ULL * 1000 * 1000)          /* TSC ticks: 0.5-2 ms, well beyond aring's spin budget */

static struct ring_view rv;
static volatile uint8_t *area;
static uint64_t rng = 0x853c49e6748fea9bULL;

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1DULL;
}

__attribute__((noreturn)) static void stuck(void)
{
    for (;;)
        __asm__ volatile("ud2" ::: "memory");
}

static int poller_sleeps(void)
{
    return (__atomic_load_n(rv.flags_p, __ATOMIC_ACQUIRE) & RING_FLAG_POLLER_SLEEPING) != 0;
}

static void doorbell(void)
{
    __asm__ volatile("outb %%al, %%dx" : : "a"((uint8_t)0), "d"(rv.port) : "memory");
}

static void idle(uint64_t ticks)
{
    uint64_t start = torovj_rdtsc();

    while (torovj_rdtsc() - start < ticks)
        ;
}

/* Waits (bounded) for the completion of call t; returns its ret. */
static long await_completion(uint64_t t)
{
    volatile struct ring_cqe *c = &rv.cqes[t & rv.mask];
    uint64_t start = torovj_rdtsc();

    while (__atomic_load_n(&c->seq, __ATOMIC_ACQUIRE) != t + 1)
        if (torovj_rdtsc() - start > SPIN_LIMIT)
            stuck();
    rv.completed = t + 1;
    return (long)c->ret;
}

static long call6(long nr, const uint64_t a[6])
{
    uint64_t t = ring_view_submit(&rv, nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4], (long)a[5]);
    return await_completion(t);
}

static long call3(long nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    uint64_t a[6] = { a0, a1, a2, 0, 0, 0 };
    return call6(nr, a);
}

static void say(const char *s)
{
    call3(SYS_write, STDOUT_FILENO, (uint64_t)s, strlen(s));
}

__attribute__((noreturn)) static void finish(const char *variant)
{
    static char line[96];

    snprintf(line, sizeof line, "ringabuse: %s ok\n", variant);
    say(line);
    call3(SYS_exit_group, 0, 0, 0);
    stuck();
}

__attribute__((noreturn)) static void await_the_end(void)
{
    /* the monitor must stop the VM now; if it keeps serving, say so and fail */
    uint64_t start = torovj_rdtsc();

    while (torovj_rdtsc() - start < SPIN_LIMIT)
        __asm__ volatile("pause");
    stuck();
}

/* Tags the next SQE (a getppid) with `tag` instead of its call number + 1,
 * ringing the doorbell as a submission would. */
__attribute__((noreturn)) static void submit_tagged(uint64_t tag)
{
    volatile struct ring_sqe *e = &rv.sqes[rv.submitted & rv.mask];

    e->nr = SYS_getppid;
    (void)__atomic_exchange_n(&e->seq, tag, __ATOMIC_SEQ_CST);
    if (poller_sleeps())
        doorbell();
    await_the_end();
}

/* A number the monitor will not act on in any way that matters to us. */
static long harmless_number(void)
{
    switch (rnd() % 6) {
    case 0: return SYS_getpid;
    case 1: return SYS_getppid;
    case 2: return -1 - (long)(rnd() % 1000);
    case 3: return 512 + (long)(rnd() % 100000);
    case 4: return (long)(rnd() | (1ULL << 40));
    default: {
        long nr = (long)(rnd() % 461);     /* denied by the default policy, or harmless */
        switch (nr) {
        case SYS_read: case SYS_write: case SYS_close: case SYS_fstat: case SYS_lseek: case SYS_exit:
        case SYS_exit_group: case SYS_clock_gettime: case SYS_brk: case SYS_mmap: case SYS_munmap:
            return SYS_getpid;
        default:
            return nr;
        }
    }
    }
}

int main(int argc, char **argv)
{
    const struct torovj_boot_info *bi = torovj_boot_info();

    if (argc < 2) {
        fprintf(stderr, "usage: ringabuse VARIANT [SEED]\n");
        return 2;
    }
    if (bi == NULL || (strcmp(torovj_transport_name(), "ring") != 0 && strcmp(torovj_transport_name(), "aring") != 0)) {
        fprintf(stderr, "ringabuse: needs the ring or aring transport, not %s\n", torovj_transport_name());
        return 2;
    }
    if (argc > 2)
        rng ^= strtoull(argv[2], NULL, 0) * 0x9E3779B97F4A7C15ULL;
    const char *v = argv[1];
    static const char *const variants[] = {
        "seq-ahead", "seq-behind", "seq-huge", "seq-random",
        "garbage-sqe", "sqe-race", "header-scribble", "doorbell-spam", "no-doorbell",
    };
    int known = 0;
    for (unsigned i = 0; i < sizeof variants / sizeof variants[0]; i++)
        known |= strcmp(v, variants[i]) == 0;
    if (!known) {
        fprintf(stderr, "ringabuse: unknown variant %s\n", v);
        return 2;
    }

    /* a few normal calls through the runtime */
    for (int i = 0; i < 3; i++)
        sys_getppid();
    printf("ringabuse: %s\n", v);

    if (ring_view_init(&rv, bi) != 0)
        stuck();
    ring_view_resume(&rv);
    area = (volatile uint8_t *)(uintptr_t)bi->transport_area;
    if (call3(SYS_getppid, 0, 0, 0) < 0)
        stuck();
    const uint64_t t = rv.submitted;    /* the next call's number: at least 4 by now */
    const uint64_t stale = t < rv.entries ? 0 : t + 1 - rv.entries;

    if (strcmp(v, "seq-ahead") == 0) {
        submit_tagged(t + 2);
    } else if (strcmp(v, "seq-behind") == 0) {
        submit_tagged(t - 3);
    } else if (strcmp(v, "seq-huge") == 0) {
        submit_tagged(1ULL << 63);
    } else if (strcmp(v, "seq-random") == 0) {
        uint64_t tag;
        do
            tag = rnd();
        while (tag == t + 1 || tag == stale);
        submit_tagged(tag);
    } else if (strcmp(v, "garbage-sqe") == 0) {
        for (int i = 0; i < 500; i++) {
            uint64_t a[6];
            for (int j = 0; j < 6; j++)
                a[j] = rnd();
            long r = call6(harmless_number(), a);
            if (r < 0 && r < -4095)
                stuck();
        }
        finish(v);
    } else if (strcmp(v, "sqe-race") == 0) {
        for (int i = 0; i < 200; i++) {
            uint64_t n = rv.submitted;
            volatile struct ring_sqe *e = &rv.sqes[n & rv.mask];
            volatile struct ring_cqe *c = &rv.cqes[n & rv.mask];
            ring_view_submit(&rv, SYS_getppid, 0, 0, 0, 0, 0, 0);
            /* scribble over the entry (not its tag) while the monitor may be reading it */
            uint64_t start = torovj_rdtsc();
            while (__atomic_load_n(&c->seq, __ATOMIC_ACQUIRE) != n + 1) {
                e->nr = (uint64_t)harmless_number();
                e->args[rnd() % 6] = rnd();
                if (torovj_rdtsc() - start > SPIN_LIMIT)
                    stuck();
            }
            rv.completed = n + 1;
            long r = (long)c->ret;
            if (r < 0 && r < -4095)
                stuck();
        }
        finish(v);
    } else if (strcmp(v, "header-scribble") == 0) {
        uint32_t *hdr = (uint32_t *)(uintptr_t)area;
        hdr[RING_OFF_ENTRIES / 4] = 0;
        hdr[RING_OFF_SQE_OFFSET / 4] = 3;
        hdr[RING_OFF_CQE_OFFSET / 4] = 0xfffffff0u;
        __atomic_store_n(rv.flags_p, 0xffffffffu, __ATOMIC_RELEASE);  /* "poller sleeping": ring the doorbell */
        for (unsigned off = RING_OFF_CQE_OFFSET + 4; off < (unsigned)(uintptr_t)((volatile uint8_t *)rv.sqes - area); off++)
            if (off < RING_OFF_FLAGS || off >= RING_OFF_FLAGS + 4)
                area[off] = (uint8_t)rnd();
        for (int i = 0; i < 10; i++) {
            for (uint64_t k = 0; k < rv.entries; k++) {
                rv.cqes[k].seq = rnd();
                rv.cqes[k].ret = (int64_t)rnd();
            }
            if (call3(SYS_getppid, 0, 0, 0) < 0)
                stuck();
        }
        finish(v);
    } else if (strcmp(v, "doorbell-spam") == 0) {
        for (int i = 0; i < 40; i++) {
            idle(IDLE_TICKS);
            for (int j = 0; j <= i % 4; j++) {
                /* byte-wide only: the I/O bitmap grants the doorbell's one
                 * port, so a wider out over it is a #GP (doorbellabuse pio-out32) */
                doorbell();
                __asm__ volatile("outb %%al, %%dx" : : "a"((uint8_t)rnd()), "d"(rv.port) : "memory");
                __asm__ volatile("outb %%al, %%dx" : : "a"((uint8_t)0xff), "d"(rv.port) : "memory");
            }
            if (i % 2)
                idle(IDLE_TICKS);
            if (call3(SYS_getppid, 0, 0, 0) < 0)
                stuck();
        }
        finish(v);
    } else if (strcmp(v, "no-doorbell") == 0) {
        /* the poller sleeps, and has consumed any doorbell left over from
         * earlier calls: it sleeps again after an idle spell */
        uint64_t start = torovj_rdtsc();
        while (!poller_sleeps())
            if (torovj_rdtsc() - start > SPIN_LIMIT)
                stuck();
        idle(IDLE_TICKS);
        while (!poller_sleeps())
            if (torovj_rdtsc() - start > SPIN_LIMIT)
                stuck();
        volatile struct ring_sqe *e = &rv.sqes[t & rv.mask];
        e->nr = SYS_getppid;
        (void)__atomic_exchange_n(&e->seq, t + 1, __ATOMIC_SEQ_CST);   /* no doorbell */
        await_the_end();
    }
    stuck();    /* not reached: every variant ends above */
}
