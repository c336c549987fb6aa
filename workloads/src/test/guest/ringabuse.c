/*
 * ringabuse VARIANT [SEED]: for the "ring" and "aring" transports (same
 * rings; aring's poller sleeps when idle). After a few normal calls through
 * the runtime, it drives the shared rings itself (its own copies of the
 * indices, read from the header the runtime left behind; every publication
 * of sq_tail rings the doorbell if the poller says it sleeps, as ring.h
 * requires) and then breaks the protocol the way VARIANT says:
 *
 *   tail-ahead      sq_tail = head + 65 (more submissions than entries)
 *   tail-behind     sq_tail moved back below what the monitor consumed
 *   tail-huge       sq_tail = 1 << 63
 *   cq-head-ahead   cq_head far beyond cq_tail (completions never produced)
 *   cq-head-behind  cq_head moved back by 1000 (a "full" completion queue)
 *   garbage-sqe     500 submissions of garbage numbers, arguments and
 *                   user_data (each result must be an errno or >= 0, and
 *                   user_data must come back unchanged)
 *   sqe-race        rewrites the submission entry with garbage while the
 *                   monitor may be reading it
 *   header-scribble garbage in every header field, the monitor-written
 *                   ones included, and misaligned/huge array offsets
 *   doorbell-spam   rings the doorbell (1-byte OUTs, some with data) with nothing
 *                   submitted, after idle spells long enough for aring's
 *                   poller to sleep, between normal calls
 *   no-doorbell     aring only: waits until the poller sleeps, then submits
 *                   without ringing the doorbell, and spins
 *
 * The first five must end the VM with a report (the monitor cannot make
 * sense of the indices) - the guest then spins until the monitor stops it;
 * the next four must keep being served: it prints
 * "ringabuse: VARIANT ok" and exits 0; no-doorbell stalls until a limit
 * ends the VM (the monitor must still end it promptly). If a completion
 * never arrives, or
 * the monitor does not stop a broken ring, it gives up after 10^10 TSC
 * ticks (a few seconds) with ud2: a #UD report that fails the test.
 */
#include "torovj.h"
#include "../../../../mechanisms/src/main/guest/ring.h"

#define SPIN_LIMIT (10ULL * 1000 * 1000 * 1000)  /* TSC ticks: at most 10 s at 1 GHz or more */
#define IDLE_TICKS (2ULL * 1000 * 1000)          /* TSC ticks: 0.5-2 ms, well beyond aring's spin budget */

static volatile uint8_t *area;
static volatile struct ring_sqe *sqes;
static volatile struct ring_cqe *cqes;
static uint64_t mask_sq, mask_cq;
static uint64_t t, h;       /* our copies of sq_tail and cq_head */
static uint64_t rng = 0x853c49e6748fea9bULL;
static uint16_t port;

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1DULL;
}

static uint64_t *idx(unsigned off) { return (uint64_t *)(uintptr_t)(area + off); }
static uint32_t *hdr32(unsigned off) { return (uint32_t *)(uintptr_t)(area + off); }

__attribute__((noreturn)) static void stuck(void)
{
    for (;;)
        __asm__ volatile("ud2" ::: "memory");
}

static int poller_sleeps(void)
{
    return (__atomic_load_n(hdr32(RING_OFF_FLAGS), __ATOMIC_ACQUIRE) & RING_FLAG_POLLER_SLEEPING) != 0;
}

static void doorbell(void)
{
    __asm__ volatile("outb %%al, %%dx" : : "a"((uint8_t)0), "d"(port) : "memory");
}

/* Publishes sq_tail = v with a full barrier, then rings the doorbell if the
 * poller sleeps (ring.h, steps 3 and 4). */
static void publish_tail(uint64_t v)
{
    (void)__atomic_exchange_n(idx(RING_OFF_SQ_TAIL), v, __ATOMIC_SEQ_CST);
    if (poller_sleeps())
        doorbell();
}

static void idle(uint64_t ticks)
{
    uint64_t start = torovj_rdtsc();

    while (torovj_rdtsc() - start < ticks)
        ;
}

/* Waits until the monitor has written completion number h (cq_tail == h + 1). */
static void await_completion(void)
{
    uint64_t start = torovj_rdtsc();

    while (__atomic_load_n(idx(RING_OFF_CQ_TAIL), __ATOMIC_ACQUIRE) != h + 1)
        if (torovj_rdtsc() - start > SPIN_LIMIT)
            stuck();
}

/* One synchronous call through our own view of the rings. */
static long ring_call(uint64_t user_data, long nr, const uint64_t a[6], uint64_t *user_data_back)
{
    volatile struct ring_sqe *e = &sqes[t & mask_sq];

    e->user_data = user_data;
    e->nr = (uint64_t)nr;
    for (int i = 0; i < 6; i++)
        e->args[i] = a[i];
    publish_tail(t + 1);
    t++;
    await_completion();
    volatile struct ring_cqe *c = &cqes[h & mask_cq];
    long ret = (long)c->ret;
    if (user_data_back)
        *user_data_back = c->user_data;
    h++;
    __atomic_store_n(idx(RING_OFF_CQ_HEAD), h, __ATOMIC_RELEASE);
    return ret;
}

static long call3(long nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    uint64_t a[6] = { a0, a1, a2, 0, 0, 0 };
    uint64_t back;
    long r = ring_call(t, nr, a, &back);

    if (back != t - 1)
        stuck();
    return r;
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
        "tail-ahead", "tail-behind", "tail-huge", "cq-head-ahead", "cq-head-behind",
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

    area = (volatile uint8_t *)(uintptr_t)bi->transport_area;
    port = (uint16_t)bi->doorbell_port;
    sqes = (volatile struct ring_sqe *)(uintptr_t)(area + *hdr32(RING_OFF_SQE_OFFSET));
    cqes = (volatile struct ring_cqe *)(uintptr_t)(area + *hdr32(RING_OFF_CQE_OFFSET));
    mask_sq = *hdr32(RING_OFF_SQ_ENTRIES) - 1;
    mask_cq = *hdr32(RING_OFF_CQ_ENTRIES) - 1;
    uint64_t entries = mask_sq + 1;
    t = __atomic_load_n(idx(RING_OFF_SQ_TAIL), __ATOMIC_ACQUIRE);
    h = __atomic_load_n(idx(RING_OFF_CQ_HEAD), __ATOMIC_ACQUIRE);
    if (call3(SYS_getppid, 0, 0, 0) < 0)
        stuck();

    if (strcmp(v, "tail-ahead") == 0) {
        publish_tail(t + entries + 1);
        await_the_end();
    } else if (strcmp(v, "tail-behind") == 0) {
        publish_tail(t - 3);
        await_the_end();
    } else if (strcmp(v, "tail-huge") == 0) {
        publish_tail(1ULL << 63);
        await_the_end();
    } else if (strcmp(v, "cq-head-ahead") == 0) {
        __atomic_store_n(idx(RING_OFF_CQ_HEAD), h + 1000000, __ATOMIC_RELEASE);
        volatile struct ring_sqe *e = &sqes[t & mask_sq];
        e->user_data = t;
        e->nr = SYS_getppid;
        publish_tail(t + 1);
        await_the_end();
    } else if (strcmp(v, "cq-head-behind") == 0) {
        __atomic_store_n(idx(RING_OFF_CQ_HEAD), h - 1000, __ATOMIC_RELEASE);
        volatile struct ring_sqe *e = &sqes[t & mask_sq];
        e->user_data = t;
        e->nr = SYS_getppid;
        publish_tail(t + 1);
        await_the_end();
    } else if (strcmp(v, "garbage-sqe") == 0) {
        for (int i = 0; i < 500; i++) {
            uint64_t a[6], back, ud = rnd();
            for (int j = 0; j < 6; j++)
                a[j] = rnd();
            long r = ring_call(ud, harmless_number(), a, &back);
            if (back != ud || (r < 0 && r < -4095))
                stuck();
        }
        finish(v);
    } else if (strcmp(v, "sqe-race") == 0) {
        for (int i = 0; i < 200; i++) {
            volatile struct ring_sqe *e = &sqes[t & mask_sq];
            e->user_data = t;
            e->nr = SYS_getppid;
            for (int j = 0; j < 6; j++)
                e->args[j] = 0;
            publish_tail(t + 1);
            t++;
            /* scribble over the entry while the monitor may be reading it */
            uint64_t start = torovj_rdtsc();
            while (__atomic_load_n(idx(RING_OFF_CQ_TAIL), __ATOMIC_ACQUIRE) != h + 1) {
                e->nr = (uint64_t)harmless_number();
                e->args[rnd() % 6] = rnd();
                e->user_data = rnd();
                if (torovj_rdtsc() - start > SPIN_LIMIT)
                    stuck();
            }
            long r = (long)cqes[h & mask_cq].ret;
            h++;
            __atomic_store_n(idx(RING_OFF_CQ_HEAD), h, __ATOMIC_RELEASE);
            if (r < 0 && r < -4095)
                stuck();
        }
        finish(v);
    } else if (strcmp(v, "header-scribble") == 0) {
        *hdr32(RING_OFF_SQ_ENTRIES) = 0;
        *hdr32(RING_OFF_CQ_ENTRIES) = 0xffffffffu;
        *hdr32(RING_OFF_SQE_OFFSET) = 3;
        *hdr32(RING_OFF_CQE_OFFSET) = 0xfffffff0u;
        __atomic_store_n(idx(RING_OFF_SQ_HEAD), ~0ULL, __ATOMIC_RELEASE);
        __atomic_store_n(idx(RING_OFF_CQ_TAIL), 0x123456789ULL, __ATOMIC_RELEASE);
        __atomic_store_n(hdr32(RING_OFF_FLAGS), 0xffffffffu, __ATOMIC_RELEASE);  /* "poller sleeping": ring the doorbell */
        for (unsigned off = RING_HEADER_END; off < (unsigned)(uintptr_t)((volatile uint8_t *)sqes - area); off++)
            area[off] = (uint8_t)rnd();
        for (int i = 0; i < 10; i++)
            if (call3(SYS_getppid, 0, 0, 0) < 0)
                stuck();
        finish(v);
    } else if (strcmp(v, "doorbell-spam") == 0) {
        for (int i = 0; i < 40; i++) {
            idle(IDLE_TICKS);
            for (int j = 0; j <= i % 4; j++) {
                /* byte-wide only: the I/O bitmap grants the doorbell's one
                 * port, so a wider out over it is a #GP (doorbellabuse pio-out32) */
                doorbell();
                __asm__ volatile("outb %%al, %%dx" : : "a"((uint8_t)rnd()), "d"(port) : "memory");
                __asm__ volatile("outb %%al, %%dx" : : "a"((uint8_t)0xff), "d"(port) : "memory");
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
        volatile struct ring_sqe *e = &sqes[t & mask_sq];
        e->user_data = t;
        e->nr = SYS_getppid;
        (void)__atomic_exchange_n(idx(RING_OFF_SQ_TAIL), t + 1, __ATOMIC_SEQ_CST);   /* no doorbell */
        await_the_end();
    }
    stuck();    /* not reached: every variant ends above */
}
