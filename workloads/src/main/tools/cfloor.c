/*
 * cfloor [--exits N] [--calls N] [--vms N] [--part-ms MS] [--no-kvm] [--only NAME,...]: the
 * physical floors of ToroV/J's transports, measured by plain C on this host, in
 * the same run as the benchmarks (io.torovj.bench.CFloorProbe runs it beside
 * JMH and turns its lines into floor-c-* rows). A host tool (glibc, pthreads).
 *
 * Every measurement is a latency distribution: one line on stdout
 *     <name> <p50> <p90> <p99> <p999> <max> <samples>
 * in nanoseconds (nearest-rank percentiles of every sample); lines starting
 * with '#' are comments (TSC frequency, iteration counts). Per-call samples
 * are lfence;rdtsc pairs exactly like torovj_rdtsc() in the workloads'
 * runtime, so they include the pair's own cost, which "floor-c-timer-overhead"
 * measures; the TSC is calibrated against CLOCK_MONOTONIC_RAW (as tschz.c).
 *
 *   floor-c-timer-overhead        an empty rdtsc pair                        --calls
 *   floor-c-native-getppid        getppid (syscall instruction), per call    --calls
 *   floor-c-native-getppid-loop   the same, timed per batch of 100 calls     --calls / 100 batches
 *                                 (ns per call: no timer in the loop)
 *   floor-c-native-getppid-libc   glibc's getppid() (a call), per call       --calls
 *   floor-c-native-getppid-libc-loop  the same, per batch of 100 calls: "a plain C loop"
 *   floor-c-native-write          write(fd of /dev/null, 64 bytes), per call --calls
 *   floor-c-pingpong              two host threads, one cache line, per round trip
 *   --- a KVM VM, vCPU at CPL3 (long mode, U pages, DPL3 CS/SS, a 64-bit TSS
 *       whose I/O bitmap grants the ports; IOPL=0), timed by the guest ---
 *   floor-c-pio-exit              guest `out` -> KVM_EXIT_IO -> KVM_RUN     --exits
 *   floor-c-pio-exit-getppid      the same, the probe does getppid per exit --exits
 *   floor-c-mmio-exit             guest store to an unbacked page           --exits
 *   floor-c-mmio-exit-getppid     the same + getppid per exit               --exits
 *   floor-c-ring-1line            guest writes a sequence number in a request
 *                                 line, spins on an answer line; a host thread
 *                                 polls and answers                          --calls
 *   floor-c-ring-1line-getppid    the same, a real getppid per request (an
 *                                 inline syscall instruction in the loop)
 *   floor-c-ring-1line-getppid-libc  the same with glibc's getppid(), a call:
 *                                 what a monitor pays that cannot inline the
 *                                 syscall (a JVM's, through jnr-ffi; a C one
 *                                 calling libc). On hosts whose kernel stuffs
 *                                 the return predictor on kernel entry (SRSO
 *                                 "Safe RET" here), the ret after each syscall
 *                                 mispredicts: ~50 ns more per call here
 *   floor-c-ring-6line            RingLayout's lines (SQE, sq_tail, sq_head,
 *                                 cq_head, CQE, cq_tail; + the flags line the
 *                                 guest reads), ring.h's ring_view_call steps
 *                                 in the guest, RingServer's in the host thread
 *   floor-c-ring-6line-getppid    the same, a real getppid per request
 *   floor-c-vm-lifecycle          create VM, 4 MiB memory, set up page tables/
 *                                 GDT/TSS/code, vCPU, sregs, KVM_RUN to the
 *                                 first `out`, close (CLOCK_MONOTONIC_RAW),
 *                                 with an idle standby VM and vCPU open, as
 *                                 the monitor keeps one (see below)     --vms;
 *                                 a "# steps" line: each step's median
 *   floor-c-vm-lifecycle-cold     the same with no other VM of its own open
 *                                 (the static keys are kernel-wide: another
 *                                 process's vCPU, the bench monitor's standby
 *                                 among them, keeps them on; run alone to see
 *                                 the flip)
 *   floor-c-vm-lifecycle-unpinned floor-c-vm-lifecycle with the timing thread
 *                                 on every CPU of the process (not pinned):
 *                                 KVM's per-VM worker (NX huge page recovery,
 *                                 made at the first KVM_RUN) inherits the
 *                                 creating thread's CPUs, and unpinned it
 *                                 starts and stops across CPUs, an IPI each
 *                                 (here ~2x the pinned lifecycle)
 *   floor-c-vm-hello              with --image FILE only: the monitor's own
 *                                 HelloWorld (a boot image its build wrote,
 *                                 io.torovj.vmm.BootImage) replayed without
 *                                 the monitor: create VM, that RAM size, the
 *                                 build's allocated pages copied in, vCPU,
 *                                 its sregs, MSRs and regs as the build set
 *                                 them, KVM_RUN serving the guest's pio
 *                                 requests (write to /dev/null, exit_group
 *                                 ends the run, anything else -ENOSYS), close;
 *                                 standby and pinning as floor-c-vm-lifecycle,
 *                                 steps named alike: the same guest, pages and
 *                                 exits as a cold pio VM of the monitor, so the
 *                                 difference is the monitor's own
 *
 * The standby VM: KVM turns static keys on when a vCPU of a VM without an
 * in-kernel irqchip is created and the count goes 0 -> 1, and off at 1 -> 0;
 * each flip rewrites kernel text with an IPI to every CPU (measured on the
 * nested host: the cold lifecycle ~2x the warm one). A VMM that makes VMs one
 * after another keeps one open; the headline floor does what the monitor does.
 *
 * One VM serves every guest part (the lifecycle creates its own). Each part
 * warms up first (a tenth of its iterations, at least 100, thrown away) and
 * stops early at --part-ms (default 2000) of wall time, keeping what it has
 * (at least one chunk): a "# truncated" line says so, the sample count shows
 * it. "# time" lines give each part's wall time, "# tsc_step" the TSC's
 * resolution (coarse on nested hosts: it quantizes per-call samples).
 *
 * The native and thread parts come first. If /dev/kvm cannot be used (absent,
 * no permission, wrong API, VM or vCPU creation or the first boot fails), the
 * probe prints one line "cfloor: /dev/kvm cannot be used: ..." on stderr and
 * exits 3 after them; any other failure exits 1; usage errors exit 2.
 * Two-thread parts run on two different CPUs (see choose_cpus), the VM parts
 * on the first; "# pinning" says which.
 *
 * --only NAME,... runs just the named parts (full names as printed, e.g.
 * floor-c-pingpong,floor-c-ring-1line-getppid), in the usual order: the bench
 * runs a transport's floor that way right before and right after measuring the
 * transport, because on a shared host the floors themselves move between
 * minutes (where the hypervisor below places this machine's two vCPUs decides
 * what a cache line costs to move: seen here 120 ns and 500 ns round trips).
 * /dev/kvm is opened only if a VM part is named; an unknown name is a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define EXIT_NO_KVM 3

/* ---- guest-physical layout (identity-mapped, every page user-accessible) ---- */
#define G_MEM       0x400000      /* 4 MiB of RAM */
#define G_PML4      0x1000
#define G_PDPT      0x2000
#define G_PD        0x3000
#define G_PT_DEV    0x4000        /* 4 KiB pages of the device window */
#define G_GDT       0x5000
#define G_TSS       0x6000        /* 104-byte TSS, I/O bitmap, 0xFF terminator */
#define G_CTRL      0x7000        /* u64 test, iterations, sample offset: written by the probe */
#define G_CODE      0x8000        /* the guest blob below */
#define G_STACK     0xA000
#define G_ONE       0x10000       /* 1-line ring: request line @+0, answer line @+64 */
#define G_RING      0x11000       /* 6-line ring: RingLayout at this address */
#define G_SAMPLES   0x20000       /* u64 cycle samples, to the end of RAM */
#define G_MMIO      0x3FE00000    /* unbacked: a store here is a KVM_EXIT_MMIO */
#define MAX_SAMPLES ((G_MEM - G_SAMPLES) / 8)

#define PORT_NULL   0xF2          /* the measured `out` */
#define PORT_DONE   0xF4          /* the guest's "test finished" */

/* tests the guest dispatcher knows (G_CTRL.test); 0 = just report done */
#define T_BOOT  0
#define T_PIO   1
#define T_MMIO  2
#define T_RING1 3
#define T_RING6 4

/* RingLayout / ring.h offsets (mechanisms/src/main/guest/ring.h) */
#define R_SQ_TAIL   64
#define R_SQ_HEAD   128
#define R_CQ_TAIL   192
#define R_CQ_HEAD   256
#define R_FLAGS     320
#define R_ENTRIES   64
#define R_SQE       512
#define R_CQE       4608          /* R_SQE + R_ENTRIES * 64 */
_Static_assert(R_CQE == R_SQE + R_ENTRIES * 64, "CQE array offset");

#define NR_GETPPID  110           /* x86-64 */
_Static_assert(NR_GETPPID == SYS_getppid, "getppid's number");

#define S_(x) #x
#define S(x) S_(x)

/*
 * The guest: one page of CPL3 code, assembled by gas into this binary's
 * .rodata and copied to G_CODE (position-independent: only relative jumps
 * inside the blob and absolute guest addresses). It starts at the dispatcher,
 * which reads G_CTRL, runs that test with rcx iterations, storing one sample
 * (cycles) per iteration at G_SAMPLES + offset.., then does `out` to PORT_DONE and,
 * when the probe enters the vCPU again, returns to the dispatcher.
 * Registers: rcx iterations left, rdi next sample, r8/r9 timestamps, rsi the
 * shared area, r10/r11 ring indices; the TSC macro clobbers rax and rdx.
 */
__asm__(
    "    .pushsection .rodata.cfloor_guest, \"a\"\n"
    "    .globl cfloor_guest_start\n"
    "    .hidden cfloor_guest_start\n"
    "    .globl cfloor_guest_end\n"
    "    .hidden cfloor_guest_end\n"
    "    .macro CFLOOR_TSC reg\n"          /* reg = lfence; rdtsc, as torovj_rdtsc() */
    "    lfence\n"
    "    rdtsc\n"
    "    shl $32, %rdx\n"
    "    or %rdx, %rax\n"
    "    mov %rax, \\reg\n"
    "    .endm\n"
    "    .macro CFLOOR_SAMPLE\n"           /* *rdi++ = r9 - r8; loop while --rcx */
    "    sub %r8, %r9\n"
    "    mov %r9, (%rdi)\n"
    "    add $8, %rdi\n"
    "    dec %rcx\n"
    "    .endm\n"
    "cfloor_guest_start:\n"
    ".Lcf_entry:\n"
    "    mov $" S(G_CTRL) ", %ebx\n"
    "    mov 0(%rbx), %rax\n"              /* test */
    "    mov 8(%rbx), %rcx\n"              /* iterations (> 0 for every test but T_BOOT) */
    "    mov 16(%rbx), %rdi\n"             /* byte offset of the first sample */
    "    add $" S(G_SAMPLES) ", %rdi\n"
    "    cmp $" S(T_PIO) ", %rax\n"
    "    je .Lcf_pio\n"
    "    cmp $" S(T_MMIO) ", %rax\n"
    "    je .Lcf_mmio\n"
    "    cmp $" S(T_RING1) ", %rax\n"
    "    je .Lcf_ring1\n"
    "    cmp $" S(T_RING6) ", %rax\n"
    "    je .Lcf_ring6\n"
    ".Lcf_done:\n"
    "    mov $" S(PORT_DONE) ", %edx\n"
    "    out %al, %dx\n"
    "    jmp .Lcf_entry\n"
    ".Lcf_bad:\n"
    "    ud2\n"                            /* no IDT: a triple fault, KVM_EXIT_SHUTDOWN */

    /* PIO: out to the granted port; KVM_EXIT_IO; the probe re-enters */
    ".Lcf_pio:\n"
    "    CFLOOR_TSC %r8\n"
    "    mov $" S(PORT_NULL) ", %edx\n"
    "    out %al, %dx\n"
    "    CFLOOR_TSC %r9\n"
    "    CFLOOR_SAMPLE\n"
    "    jnz .Lcf_pio\n"
    "    jmp .Lcf_done\n"

    /* MMIO: a 4-byte store to an unbacked guest-physical page; KVM_EXIT_MMIO */
    ".Lcf_mmio:\n"
    "    mov $" S(G_MMIO) ", %esi\n"
    ".Lcf_mmio_loop:\n"
    "    CFLOOR_TSC %r8\n"
    "    movl $1, (%rsi)\n"
    "    CFLOOR_TSC %r9\n"
    "    CFLOOR_SAMPLE\n"
    "    jnz .Lcf_mmio_loop\n"
    "    jmp .Lcf_done\n"

    /* 1-line ring: request = sequence number (line 0), wait for answer == it (line 1) */
    ".Lcf_ring1:\n"
    "    mov $" S(G_ONE) ", %esi\n"
    "    mov (%rsi), %r10\n"               /* the sequence continues across runs */
    ".Lcf_ring1_loop:\n"
    "    CFLOOR_TSC %r8\n"
    "    inc %r10\n"
    "    mov %r10, (%rsi)\n"               /* publish (x86-TSO: a plain store is a release) */
    ".Lcf_ring1_wait:\n"
    "    cmp 64(%rsi), %r10\n"             /* spin on a plain load, as ring.h does */
    "    jne .Lcf_ring1_wait\n"
    "    CFLOOR_TSC %r9\n"
    "    CFLOOR_SAMPLE\n"
    "    jnz .Lcf_ring1_loop\n"
    "    jmp .Lcf_done\n"

    /* 6-line ring: ring_view_call (ring.h) steps 1-5, same offsets, a getppid SQE */
    ".Lcf_ring6:\n"
    "    mov $" S(G_RING) ", %esi\n"
    "    mov " S(R_SQ_TAIL) "(%rsi), %r10\n"   /* own copies of the guest-written indices */
    "    mov " S(R_CQ_HEAD) "(%rsi), %r11\n"
    ".Lcf_ring6_loop:\n"
    "    CFLOOR_TSC %r8\n"
    ".Lcf_ring6_full:\n"                   /* 1. wait while sq_tail - sq_head >= entries */
    "    mov %r10, %rax\n"
    "    sub " S(R_SQ_HEAD) "(%rsi), %rax\n"
    "    cmp $" S(R_ENTRIES) ", %rax\n"
    "    jae .Lcf_ring6_full\n"
    "    mov %r10, %rdx\n"                 /* 2. SQE[tail & 63] = {tail, getppid, 0 x 6} */
    "    and $" S(R_ENTRIES) "-1, %edx\n"
    "    shl $6, %rdx\n"
    "    lea " S(R_SQE) "(%rsi,%rdx), %rdx\n"
    "    mov %r10, 0(%rdx)\n"
    "    movq $" S(NR_GETPPID) ", 8(%rdx)\n"
    "    movq $0, 16(%rdx)\n"
    "    movq $0, 24(%rdx)\n"
    "    movq $0, 32(%rdx)\n"
    "    movq $0, 40(%rdx)\n"
    "    movq $0, 48(%rdx)\n"
    "    movq $0, 56(%rdx)\n"
    "    lea 1(%r10), %rax\n"              /* 3. sq_tail = tail + 1 with xchg (full barrier) */
    "    xchg %rax, " S(R_SQ_TAIL) "(%rsi)\n"
    "    testl $1, " S(R_FLAGS) "(%rsi)\n" /* 4. POLLER_SLEEPING: this probe's poller never sleeps */
    "    jnz .Lcf_bad\n"
    ".Lcf_ring6_wait:\n"                   /* 5. wait for cq_tail != cq_head */
    "    cmp " S(R_CQ_TAIL) "(%rsi), %r11\n"
    "    je .Lcf_ring6_wait\n"
    "    mov %r11, %rdx\n"                 /* CQE[cq_head & 63]: user_data, ret */
    "    and $" S(R_ENTRIES) "-1, %edx\n"
    "    shl $4, %rdx\n"
    "    mov " S(R_CQE) "(%rsi,%rdx), %rax\n"
    "    mov " S(R_CQE) "+8(%rsi,%rdx), %rdx\n"
    "    inc %r11\n"
    "    mov %r11, " S(R_CQ_HEAD) "(%rsi)\n"   /* release store of cq_head */
    "    cmp %r10, %rax\n"                 /* the completion is this submission's */
    "    jne .Lcf_bad\n"
    "    inc %r10\n"
    "    CFLOOR_TSC %r9\n"
    "    CFLOOR_SAMPLE\n"
    "    jnz .Lcf_ring6_loop\n"
    "    jmp .Lcf_done\n"
    "cfloor_guest_end:\n"
    "    .popsection\n");

extern const unsigned char cfloor_guest_start[] __attribute__((visibility("hidden")));
extern const unsigned char cfloor_guest_end[] __attribute__((visibility("hidden")));

/* ---- small helpers ---- */

static void die(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
static void die(int status, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("cfloor: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(status);
}

/* lfence; rdtsc: the same pair as torovj_rdtsc() in workloads/src/main/runtime/include/torovj.h */
static inline uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

/* the syscall instruction, no libc wrapper */
static inline long sys0(long nr)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr) : "rcx", "r11", "memory");
    return r;
}

static inline long sys3(long nr, long a0, long a1, long a2)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a0), "S"(a1), "d"(a2) : "rcx", "r11", "memory");
    return r;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double tsc_hz;

/* median of 5 rounds of 40 ms against CLOCK_MONOTONIC_RAW (as tschz 200) */
static void calibrate_tsc(void)
{
    double hz[5];
    for (int r = 0; r < 5; r++) {
        uint64_t t0 = now_ns(), c0 = tsc(), t1;
        do t1 = now_ns(); while (t1 - t0 < 40000000ull);
        uint64_t c1 = tsc();
        hz[r] = (double)(c1 - c0) * 1e9 / (double)(t1 - t0);
    }
    qsort(hz, 5, sizeof hz[0], cmp_double);
    tsc_hz = hz[2];
}

/*
 * The smallest nonzero difference of two back-to-back rdtsc reads (no lfence),
 * in cycles: an upper bound of the TSC's resolution. On a nested PVM host the
 * TSC may advance in coarse steps (seen: ~24.5 cycles = 10 ns), which
 * quantizes every per-call sample.
 */
static uint64_t tsc_step(void)
{
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < 100000; i++) {
        uint32_t lo0, hi0, lo1, hi1;
        __asm__ volatile("rdtsc" : "=a"(lo0), "=d"(hi0));
        __asm__ volatile("rdtsc" : "=a"(lo1), "=d"(hi1));
        uint64_t d = (((uint64_t)hi1 << 32) | lo1) - (((uint64_t)hi0 << 32) | lo0);
        if (d != 0 && d < best) best = d;
    }
    return best;
}

/*
 * Two-thread parts (ping-pong, rings) pin the timing thread and the helper to
 * two different CPUs: the floor is two cores passing a cache line. Unpinned,
 * a new spinning thread often starts on its creator's CPU and each hand-off
 * then waits for a time slice until the scheduler moves it (seen here: ms per
 * round trip under load). The monitor's threads are not pinned; where that
 * costs, it is part of the distance to the floor.
 */
static cpu_set_t cpu_all, cpu_main, cpu_helper;
static int pinning;

static void choose_cpus(void)
{
    cpu_set_t all;
    if (sched_getaffinity(0, sizeof all, &all) != 0 || CPU_COUNT(&all) < 2) return;
    cpu_all = all;
    int first = -1, second = -1;
    for (int c = 0; c < CPU_SETSIZE && second < 0; c++) {
        if (!CPU_ISSET(c, &all)) continue;
        if (first < 0) first = c; else second = c;
    }
    CPU_ZERO(&cpu_main);
    CPU_SET(first, &cpu_main);
    CPU_ZERO(&cpu_helper);
    CPU_SET(second, &cpu_helper);
    pinning = 1;
    if (sched_setaffinity(0, sizeof cpu_main, &cpu_main) != 0) pinning = 0;
    printf("# pinning %s: timing/vCPU thread on CPU %d, helper threads on CPU %d\n",
           pinning ? "on" : "failed", first, second);
}

/* Starts a helper thread, on the helper CPU when pinning. */
static void start_helper(pthread_t *t, void *(*fn)(void *), void *arg)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    if (pinning) pthread_attr_setaffinity_np(&a, sizeof cpu_helper, &cpu_helper);
    if (pthread_create(t, &a, fn, arg) != 0) die(1, "pthread_create failed");
    pthread_attr_destroy(&a);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) die(1, "out of memory (%zu bytes)", n);
    return p;
}

static double *ns_buf;   /* scratch for report(): as many doubles as the most samples of any part */

static uint64_t part_started;          /* when the current part began (for "# time" and the budget) */
static uint64_t part_budget_ns = 2000000000ull;

/* A part stops early (fewer samples, said in a "# truncated" line) once it has run this long. */
static int over_budget(void)
{
    return now_ns() - part_started > part_budget_ns;
}

/* Prints "<name> p50 p90 p99 p999 max n" of n values in ns (nearest rank), then "# time". */
static void report_ns(const char *name, double *ns, size_t n, size_t wanted)
{
    if (n == 0) die(1, "%s: no samples within the part budget of %llu ms", name,
                    (unsigned long long)(part_budget_ns / 1000000));
    qsort(ns, n, sizeof ns[0], cmp_double);
    static const double q[] = {0.50, 0.90, 0.99, 0.999};
    printf("%s", name);
    for (int i = 0; i < 4; i++) {
        size_t rank = (size_t)(q[i] * (double)n);   /* ceil(q n) */
        if ((double)rank < q[i] * (double)n || rank < 1) rank++;
        if (rank > n) rank = n;
        printf(" %.1f", ns[rank - 1]);
    }
    printf(" %.1f %zu\n", ns[n - 1], n);
    if (n < wanted) {
        printf("# truncated %s %zu of %zu samples (part budget %llu ms)\n", name, n, wanted,
               (unsigned long long)(part_budget_ns / 1000000));
    }
    uint64_t now = now_ns();
    printf("# time %s %.0f ms\n", name, (double)(now - part_started) / 1e6);
    part_started = now;
    fflush(stdout);
}

static void report_cycles(const char *name, const uint64_t *cycles, size_t n, size_t wanted)
{
    for (size_t i = 0; i < n; i++) ns_buf[i] = (double)cycles[i] * 1e9 / tsc_hz;
    report_ns(name, ns_buf, n, wanted);
}

/* iterations run and thrown away before each part */
static size_t warmup_of(size_t n)
{
    size_t w = n / 10;
    return w < 100 ? 100 : w;
}

/* ---- native parts: a sample per call, like the native nullcall ---- */

static void timer_overhead(uint64_t *s, size_t n)
{
    for (size_t i = 0; i < warmup_of(n); i++) {
        uint64_t t0 = tsc();
        s[0] = tsc() - t0;
    }
    size_t done = 0;
    for (; done < n; done++) {
        if (done && (done & 1023) == 0 && over_budget()) break;
        uint64_t t0 = tsc();
        uint64_t t1 = tsc();
        s[done] = t1 - t0;
    }
    report_cycles("floor-c-timer-overhead", s, done, n);
}

/*
 * getppid four ways: the syscall instruction inline (the floor of a syscall)
 * or glibc's getppid() (a call and a ret around it, as any C program and the
 * workloads' runtime make it: after a syscall the kernel's return-stack
 * mitigations can make that ret cost tens of ns), each timed per call by an
 * rdtsc pair (as the workloads are) or per batch of 100 calls (no timer in
 * the loop).
 */
static long libc_getppid(void) { return getppid(); }
static long inline_getppid(void) { return sys0(SYS_getppid); }

static void getppid_per_call(uint64_t *s, size_t n, int libc, const char *name)
{
    for (size_t i = 0; i < warmup_of(n); i++) libc ? libc_getppid() : inline_getppid();
    size_t done = 0;
    for (; done < n; done++) {
        if (done && (done & 1023) == 0 && over_budget()) break;
        uint64_t t0 = tsc();
        long r = libc ? libc_getppid() : inline_getppid();
        uint64_t t1 = tsc();
        if (r <= 0) die(1, "getppid returned %ld", r);
        s[done] = t1 - t0;
    }
    report_cycles(name, s, done, n);
}

/* a sample is ns per call of one batch of 100 */
static void getppid_loop(size_t n, int libc, const char *name)
{
    enum { BATCH = 100 };
    size_t batches = n / BATCH < 10 ? 10 : n / BATCH;
    for (size_t i = 0; i < warmup_of(n); i++) libc ? libc_getppid() : inline_getppid();
    size_t done = 0;
    for (; done < batches; done++) {
        if (done && (done & 15) == 0 && over_budget()) break;
        uint64_t t0 = tsc();
        if (libc) {
            for (int i = 0; i < BATCH; i++) libc_getppid();
        } else {
            for (int i = 0; i < BATCH; i++) inline_getppid();
        }
        uint64_t t1 = tsc();
        ns_buf[done] = (double)(t1 - t0) * 1e9 / tsc_hz / BATCH;
    }
    report_ns(name, ns_buf, done, batches);
}

static void native_write(uint64_t *s, size_t n)
{
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd < 0) die(1, "/dev/null: %s", strerror(errno));
    static char buf[64];
    memset(buf, 'x', sizeof buf);
    for (size_t i = 0; i < warmup_of(n); i++) sys3(SYS_write, fd, (long)buf, sizeof buf);
    size_t done = 0;
    for (; done < n; done++) {
        if (done && (done & 1023) == 0 && over_budget()) break;
        uint64_t t0 = tsc();
        long r = sys3(SYS_write, fd, (long)buf, sizeof buf);
        uint64_t t1 = tsc();
        if (r != (long)sizeof buf) die(1, "write(/dev/null, 64) returned %ld", r);
        s[done] = t1 - t0;
    }
    close(fd);
    report_cycles("floor-c-native-write", s, done, n);
}

/* One cache line bounced between two threads: the timing thread writes 2i+1, the echo 2i+2. */
#define PP_STOP UINT64_MAX
static struct { _Alignas(64) uint64_t v; char pad[56]; } pp_line;

static void *pingpong_echo(void *arg)
{
    (void)arg;
    for (uint64_t i = 0;; i++) {
        uint64_t v;
        while ((v = __atomic_load_n(&pp_line.v, __ATOMIC_ACQUIRE)) != 2 * i + 1) {
            if (v == PP_STOP) return NULL;
        }
        __atomic_store_n(&pp_line.v, 2 * i + 2, __ATOMIC_RELEASE);
    }
}

static void pingpong(uint64_t *s, size_t n)
{
    pp_line.v = 0;
    pthread_t echo;
    start_helper(&echo, pingpong_echo, NULL);
    size_t warm = warmup_of(n), done = 0;
    for (uint64_t i = 0; i < warm + n; i++) {
        if ((i & 1023) == 1023 && over_budget()) {      /* at least 1024 measured round trips */
            if (i >= warm + 1024) break;
            if (i < warm) warm = i + 1;
        }
        uint64_t t0 = tsc();
        __atomic_store_n(&pp_line.v, 2 * i + 1, __ATOMIC_RELEASE);
        while (__atomic_load_n(&pp_line.v, __ATOMIC_ACQUIRE) != 2 * i + 2)
            ;
        uint64_t t1 = tsc();
        if (i >= warm) s[done++] = t1 - t0;
    }
    __atomic_store_n(&pp_line.v, PP_STOP, __ATOMIC_RELEASE);
    pthread_join(echo, NULL);
    report_cycles("floor-c-pingpong", s, done, n);
}

/* ---- KVM ---- */

static int kvm_fd = -1;
static int run_size;

struct vm {
    int fd, vcpu;
    uint8_t *mem;
    struct kvm_run *run;
};

/* the first VM boots with must_work set: its failures mean KVM cannot be used here */
static int must_work;

static void kvm_fail(const char *what)
{
    if (must_work) die(EXIT_NO_KVM, "/dev/kvm cannot be used: %s: %s", what, strerror(errno));
    die(1, "%s: %s", what, strerror(errno));
}

static void kvm_open(void)
{
    kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm_fd < 0) die(EXIT_NO_KVM, "/dev/kvm cannot be used: open: %s", strerror(errno));
    int api = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
    if (api != KVM_API_VERSION) die(EXIT_NO_KVM, "/dev/kvm cannot be used: API version %d, expected %d", api, KVM_API_VERSION);
    run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < (int)sizeof(struct kvm_run)) die(EXIT_NO_KVM, "/dev/kvm cannot be used: KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
}

static void put64(uint8_t *mem, uint64_t gpa, uint64_t v) { memcpy(mem + gpa, &v, 8); }

/* Page tables, GDT, TSS with its I/O bitmap, the code: what the monitor's boot package does, minimally. */
static void guest_setup(uint8_t *mem)
{
    const uint64_t P = 1, RW = 2, U = 4, PWT = 8, PCD = 0x10, PS = 0x80;
    put64(mem, G_PML4, G_PDPT | P | RW | U);
    put64(mem, G_PDPT, G_PD | P | RW | U);
    put64(mem, G_PD + 0 * 8, 0x000000 | P | RW | U | PS);            /* RAM: two 2 MiB pages */
    put64(mem, G_PD + 1 * 8, 0x200000 | P | RW | U | PS);
    put64(mem, G_PD + (G_MMIO >> 21) * 8, G_PT_DEV | P | RW | U);    /* the unbacked device page */
    put64(mem, G_PT_DEV, G_MMIO | P | RW | U | PCD | PWT);

    put64(mem, G_GDT + 0x08, 0x00AF9A000000FFFFull);                 /* kernel code (unused) */
    put64(mem, G_GDT + 0x10, 0x00CF92000000FFFFull);                 /* kernel data (unused) */
    put64(mem, G_GDT + 0x18, 0x00CFF2000000FFFFull);                 /* user data, DPL3: 0x1B */
    put64(mem, G_GDT + 0x20, 0x00AFFA000000FFFFull);                 /* user code, 64-bit, DPL3: 0x23 */
    const uint64_t tss_limit = 104 + 128;                            /* TSS, bitmap of ports 0-1023, 0xFF */
    put64(mem, G_GDT + 0x28, (tss_limit & 0xFFFF) | ((uint64_t)(G_TSS & 0xFFFFFF) << 16)
          | (0x89ull << 40) | (((tss_limit >> 16) & 0xF) << 48) | ((uint64_t)((G_TSS >> 24) & 0xFF) << 56));
    put64(mem, G_GDT + 0x30, 0);

    uint8_t *tss = mem + G_TSS;
    memset(tss, 0, 104);
    uint16_t iomap = 104;
    memcpy(tss + 102, &iomap, 2);
    memset(tss + 104, 0xFF, 128 + 1);                                /* refuse every port ... */
    tss[104 + PORT_NULL / 8] &= (uint8_t)~(1u << (PORT_NULL % 8));   /* ... but these two */
    tss[104 + PORT_DONE / 8] &= (uint8_t)~(1u << (PORT_DONE % 8));

    memcpy(mem + G_CODE, cfloor_guest_start, (size_t)(cfloor_guest_end - cfloor_guest_start));
}

static void seg(struct kvm_segment *s, uint64_t base, uint32_t limit, uint16_t sel, uint8_t type, uint8_t dpl,
                uint8_t db, uint8_t sys_or_code, uint8_t l, uint8_t g)
{
    memset(s, 0, sizeof *s);
    s->base = base; s->limit = limit; s->selector = sel; s->type = type; s->present = 1;
    s->dpl = dpl; s->db = db; s->s = sys_or_code; s->l = l; s->g = g;
}

/*
 * The lifecycle's steps, named as the monitor's VmBuilder names its own so that the bench's notes
 * can set them side by side: memory (KVM_CREATE_VM, guest RAM, its slot), boot (page tables, GDT,
 * TSS and code written: the guest's first page faults), vcpu (KVM_CREATE_VCPU, kvm_run, registers),
 * run (KVM_RUN to the first `out`), close.
 */
enum { STEP_MEMORY, STEP_BOOT, STEP_VCPU, STEP_RUN, STEP_CLOSE, STEPS };
static const char *const step_names[STEPS] = {"memory", "boot", "vcpu", "run", "close"};

/* vm_create with the end of its first three steps in t[STEP_MEMORY..STEP_VCPU] (t may be NULL) */
static void vm_create_steps(struct vm *v, uint64_t *t)
{
    v->fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
    if (v->fd < 0) kvm_fail("KVM_CREATE_VM");
    v->mem = mmap(NULL, G_MEM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (v->mem == MAP_FAILED) die(1, "mmap guest memory: %s", strerror(errno));
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = G_MEM, .userspace_addr = (uint64_t)(uintptr_t)v->mem,
    };
    if (ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) kvm_fail("KVM_SET_USER_MEMORY_REGION");
    if (t) t[STEP_MEMORY] = now_ns();
    guest_setup(v->mem);
    if (t) t[STEP_BOOT] = now_ns();
    v->vcpu = ioctl(v->fd, KVM_CREATE_VCPU, 0);
    if (v->vcpu < 0) kvm_fail("KVM_CREATE_VCPU");
    v->run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
    if (v->run == MAP_FAILED) kvm_fail("mmap kvm_run");

    struct kvm_sregs sr;
    if (ioctl(v->vcpu, KVM_GET_SREGS, &sr) < 0) kvm_fail("KVM_GET_SREGS");
    seg(&sr.cs, 0, 0xFFFFFFFF, 0x23, 0xB, 3, 0, 1, 1, 1);            /* 64-bit code, DPL3: CPL3 */
    struct kvm_segment data;
    seg(&data, 0, 0xFFFFFFFF, 0x1B, 0x3, 3, 1, 1, 0, 1);
    sr.ds = sr.es = sr.fs = sr.gs = sr.ss = data;
    seg(&sr.tr, G_TSS, 104 + 128, 0x28, 0xB, 0, 0, 0, 0, 0);         /* busy 64-bit TSS */
    seg(&sr.ldt, 0, 0xFFFF, 0, 0x2, 0, 0, 0, 0, 0);
    sr.ldt.unusable = 1;
    sr.gdt.base = G_GDT; sr.gdt.limit = 7 * 8 - 1;
    sr.idt.base = 0; sr.idt.limit = 0;                               /* no IDT: a fault is a triple fault */
    sr.cr0 = 0x1 | 0x2 | 0x10 | 0x20 | 0x10000 | 0x80000000ull;      /* PE MP ET NE WP PG */
    sr.cr3 = G_PML4;
    sr.cr4 = 0x20 | 0x200 | 0x400;                                   /* PAE OSFXSR OSXMMEXCPT; TSD clear */
    sr.efer = 0x100 | 0x400;                                         /* LME LMA */
    if (ioctl(v->vcpu, KVM_SET_SREGS, &sr) < 0) kvm_fail("KVM_SET_SREGS");
    struct kvm_regs r;
    memset(&r, 0, sizeof r);
    r.rip = G_CODE;
    r.rsp = G_STACK;
    r.rflags = 0x2;                                                  /* IOPL=0: the I/O bitmap decides */
    if (ioctl(v->vcpu, KVM_SET_REGS, &r) < 0) kvm_fail("KVM_SET_REGS");
    if (t) t[STEP_VCPU] = now_ns();
}

static void vm_create(struct vm *v) { vm_create_steps(v, NULL); }

static void vm_destroy(struct vm *v)
{
    munmap(v->run, (size_t)run_size);
    close(v->vcpu);
    close(v->fd);
    munmap(v->mem, G_MEM);
}

static const char *test_name(int t)
{
    static const char *names[] = {"boot", "pio", "mmio", "ring-1line", "ring-6line"};
    return t >= 0 && t <= T_RING6 ? names[t] : "?";
}

/*
 * Runs guest test `test` for n iterations (samples from index first_sample on):
 * KVM_RUN until the guest's `out` to
 * PORT_DONE, re-entering after each measured exit (with a getppid first if
 * asked). Returns the number of measured exits.
 */
static uint64_t vm_test(struct vm *v, int test, uint64_t n, uint64_t first_sample, int getppid_per_exit)
{
    put64(v->mem, G_CTRL, (uint64_t)test);
    put64(v->mem, G_CTRL + 8, n);
    put64(v->mem, G_CTRL + 16, first_sample * 8);
    uint64_t exits = 0;
    for (;;) {
        if (ioctl(v->vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            kvm_fail("KVM_RUN");
        }
        struct kvm_run *r = v->run;
        if (r->exit_reason == KVM_EXIT_IO && r->io.direction == KVM_EXIT_IO_OUT) {
            if (r->io.port == PORT_DONE) break;
            if (r->io.port == PORT_NULL && test == T_PIO) {
                if (getppid_per_exit) sys0(SYS_getppid);
                exits++;
                continue;
            }
        } else if (r->exit_reason == KVM_EXIT_MMIO && r->mmio.is_write && r->mmio.phys_addr == G_MMIO && test == T_MMIO) {
            if (getppid_per_exit) sys0(SYS_getppid);
            exits++;
            continue;
        }
        struct kvm_regs regs;
        memset(&regs, 0, sizeof regs);
        ioctl(v->vcpu, KVM_GET_REGS, &regs);
        char what[96];
        if (r->exit_reason == KVM_EXIT_IO)
            snprintf(what, sizeof what, "KVM_EXIT_IO, port 0x%x", r->io.port);
        else if (r->exit_reason == KVM_EXIT_MMIO)
            snprintf(what, sizeof what, "KVM_EXIT_MMIO, address 0x%llx", (unsigned long long)r->mmio.phys_addr);
        else if (r->exit_reason == KVM_EXIT_SHUTDOWN)
            snprintf(what, sizeof what, "KVM_EXIT_SHUTDOWN: a guest fault (no IDT: triple fault)");
        else
            snprintf(what, sizeof what, "exit reason %u", r->exit_reason);
        if (must_work)
            die(EXIT_NO_KVM, "/dev/kvm cannot be used: the first CPL3 boot ended with %s at rip=0x%llx, "
                "not at its `out`", what, (unsigned long long)regs.rip);
        die(1, "test %s: unexpected %s at rip=0x%llx", test_name(test), what, (unsigned long long)regs.rip);
    }
    return exits;
}

static void guest_samples(struct vm *v, uint64_t *out, size_t n, const char *name)
{
    memcpy(out, v->mem + G_SAMPLES, n * 8);
    for (size_t i = 0; i < n; i++) {
        if (out[i] == 0) die(1, "%s: the guest recorded no sample %zu of %zu", name, i, n);
    }
}

/* Guest parts run in chunks, so that a part can stop at its budget between two. */
#define CHUNK 1000

static void exit_floor(struct vm *v, int test, int getppid, uint64_t *s, size_t n, const char *name)
{
    size_t warm = warmup_of(n) > CHUNK ? CHUNK : warmup_of(n);
    vm_test(v, test, warm, 0, getppid);
    memset(v->mem + G_SAMPLES, 0, n * 8);
    size_t done = 0;
    while (done < n && !(done && over_budget())) {
        size_t k = n - done < CHUNK ? n - done : CHUNK;
        uint64_t exits = vm_test(v, test, k, done, getppid);
        if (exits != k) die(1, "%s: %llu exits for %zu iterations", name, (unsigned long long)exits, k);
        done += k;
    }
    guest_samples(v, s, done, name);
    report_cycles(name, s, done, n);
}

/* struct poller's getppid: none, an inline syscall instruction, glibc's getppid() */
#define GETPPID_NONE   0
#define GETPPID_INLINE 1
#define GETPPID_LIBC   2

/* the host half of a ring: polls guest memory, answers each request */
struct poller {
    uint8_t *mem;
    int six_lines, getppid;
    uint64_t start_a, start_b;    /* 1 line: last sequence; 6 lines: sq_head, cq_tail */
    uint64_t served;
    _Alignas(64) uint64_t stop;   /* own line: read only when idle */
};

static void *poll_one_line(struct poller *p)
{
    uint64_t *req = (uint64_t *)(p->mem + G_ONE);
    volatile uint64_t *ans = (volatile uint64_t *)(p->mem + G_ONE + 64);
    uint64_t last = p->start_a;
    for (;;) {
        uint64_t s = __atomic_load_n(req, __ATOMIC_ACQUIRE);
        if (s == last) {
            if (__atomic_load_n(&p->stop, __ATOMIC_RELAXED)) break;
            continue;
        }
        last = s;
        long ret = p->getppid == GETPPID_LIBC ? (long)getppid() : p->getppid ? sys0(SYS_getppid) : 0;
        ans[1] = (uint64_t)ret;
        __atomic_store_n((uint64_t *)&ans[0], s, __ATOMIC_RELEASE);
        p->served++;
    }
    return NULL;
}

/* RingServer.serveOne, in C */
static void *poll_six_lines(struct poller *p)
{
    uint8_t *area = p->mem + G_RING;
    uint64_t *sq_tail = (uint64_t *)(area + R_SQ_TAIL), *sq_head = (uint64_t *)(area + R_SQ_HEAD);
    uint64_t *cq_tail = (uint64_t *)(area + R_CQ_TAIL), *cq_head = (uint64_t *)(area + R_CQ_HEAD);
    uint64_t head = p->start_a, ctail = p->start_b;
    for (;;) {
        uint64_t t = __atomic_load_n(sq_tail, __ATOMIC_ACQUIRE);
        if (t == head) {
            if (__atomic_load_n(&p->stop, __ATOMIC_RELAXED)) break;
            continue;
        }
        volatile uint64_t *sqe = (volatile uint64_t *)(area + R_SQE + (head & (R_ENTRIES - 1)) * 64);
        uint64_t user_data = sqe[0], nr = sqe[1];
        uint64_t a0 = sqe[2], a1 = sqe[3], a2 = sqe[4], a3 = sqe[5], a4 = sqe[6], a5 = sqe[7];
        if (nr != SYS_getppid || (a0 | a1 | a2 | a3 | a4 | a5) != 0) die(1, "ring-6line: unexpected SQE nr %llu", (unsigned long long)nr);
        long ret = p->getppid ? sys0((long)nr) : 0;
        head++;
        __atomic_store_n(sq_head, head, __ATOMIC_RELEASE);
        while (ctail - __atomic_load_n(cq_head, __ATOMIC_ACQUIRE) >= R_ENTRIES)
            ;
        volatile uint64_t *cqe = (volatile uint64_t *)(area + R_CQE + (ctail & (R_ENTRIES - 1)) * 16);
        cqe[0] = user_data;
        cqe[1] = (uint64_t)ret;
        ctail++;
        __atomic_store_n(cq_tail, ctail, __ATOMIC_RELEASE);
        p->served++;
    }
    return NULL;
}

static void *poller_main(void *arg)
{
    struct poller *p = arg;
    return p->six_lines ? poll_six_lines(p) : poll_one_line(p);
}

static uint64_t get64(const uint8_t *mem, uint64_t gpa) { uint64_t v; memcpy(&v, mem + gpa, 8); return v; }

/*
 * Runs the guest's ring test for n iterations in chunks (fewer if budgeted and
 * the part's budget runs out; at least one chunk), a host thread serving;
 * returns the iterations run.
 */
static size_t ring_run(struct vm *v, int six, int getppid, size_t n, int budgeted)
{
    static struct poller p;
    memset(&p, 0, sizeof p);
    p.mem = v->mem;
    p.six_lines = six;
    p.getppid = getppid;
    /* where the previous run left the indices (the guest is stopped now) */
    p.start_a = six ? get64(v->mem, G_RING + R_SQ_HEAD) : get64(v->mem, G_ONE);
    p.start_b = six ? get64(v->mem, G_RING + R_CQ_TAIL) : 0;
    pthread_t t;
    start_helper(&t, poller_main, &p);
    size_t done = 0;
    while (done < n && !(done && budgeted && over_budget())) {
        size_t k = n - done < CHUNK ? n - done : CHUNK;
        vm_test(v, six ? T_RING6 : T_RING1, k, done, 0);
        done += k;
    }
    __atomic_store_n(&p.stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    if (p.served != done) {
        die(1, "ring-%s: the host thread served %llu requests of %zu", six ? "6line" : "1line",
            (unsigned long long)p.served, done);
    }
    return done;
}

static void ring_floor(struct vm *v, int six, int getppid, uint64_t *s, size_t n, const char *name)
{
    ring_run(v, six, getppid, warmup_of(n), 1);
    memset(v->mem + G_SAMPLES, 0, n * 8);
    size_t done = ring_run(v, six, getppid, n, 1);
    guest_samples(v, s, done, name);
    report_cycles(name, s, done, n);
}

/*
 * The whole lifecycle timed per VM, and each of its steps: a "# steps" line gives the median of
 * each (µs), for the bench's notes beside the monitor's own.
 */
/* One VM's whole life, the end of each of its steps in end[STEP_MEMORY..STEP_CLOSE]. */
typedef void (*vm_life)(uint64_t *end);

/*
 * `runs` VMs of `life` one after another (after a twentieth as many untimed, at least 3), with an
 * idle standby VM open if asked: each whole life into ns_buf, each step's median on a "# steps" line.
 */
static void timed_lives(size_t runs, int standby_vm, const char *name, vm_life life)
{
    size_t warm = runs / 20 < 3 ? 3 : runs / 20, done = 0;
    double *steps[STEPS];
    for (int k = 0; k < STEPS; k++) steps[k] = xmalloc(runs * sizeof(double));
    struct vm standby;
    if (standby_vm) vm_create(&standby);
    for (size_t i = 0; i < warm + runs; i++) {
        if (done && over_budget()) break;
        uint64_t start = now_ns(), end[STEPS];   /* when each step ended */
        life(end);
        if (i >= warm) {
            for (int k = 0; k < STEPS; k++) steps[k][done] = (double)(end[k] - (k == 0 ? start : end[k - 1]));
            ns_buf[done++] = (double)(end[STEP_CLOSE] - start);
        }
    }
    if (standby_vm) vm_destroy(&standby);
    if (done > 0) {
        printf("# steps %s", name);
        for (int k = 0; k < STEPS; k++) {
            qsort(steps[k], done, sizeof(double), cmp_double);
            printf(" %s=%.1f", step_names[k], steps[k][(done - 1) / 2] / 1e3);
        }
        printf("\n");
    }
    for (int k = 0; k < STEPS; k++) free(steps[k]);
    report_ns(name, ns_buf, done, runs);
}

/* The floor guest's VM: created, booted to its first `out`, closed. */
static void boot_life(uint64_t *end)
{
    struct vm v;
    vm_create_steps(&v, end);
    vm_test(&v, T_BOOT, 0, 0, 0);
    end[STEP_RUN] = now_ns();
    vm_destroy(&v);
    end[STEP_CLOSE] = now_ns();
}

static void lifecycle(size_t runs, int standby_vm, const char *name)
{
    timed_lives(runs, standby_vm, name, boot_life);
}

/* ---- the monitor's HelloWorld, replayed from its boot image (io.torovj.vmm.BootImage) ---- */

struct boot_image {
    uint64_t ram, request_block;
    uint32_t port, msrs, pages;
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_msrs *msr;       /* msrs entries */
    uint64_t *gpa;              /* pages addresses, ascending */
    uint8_t *bytes;             /* pages x 4096 */
};

static struct boot_image image;
static const char *image_path;  /* --image */

static void read_exactly(FILE *f, void *dst, size_t n, const char *what)
{
    if (fread(dst, 1, n, f) != n) die(2, "--image %s: truncated (%s)", image_path, what);
}

/* Loads --image; every field is checked: a bad file is a usage error (exit 2) with one line. */
static void load_image(void)
{
    FILE *f = fopen(image_path, "rb");
    if (!f) die(2, "--image %s: %s", image_path, strerror(errno));
    uint8_t h[48];
    read_exactly(f, h, sizeof h, "header");
    if (memcmp(h, "TVJBOOT1", 8) != 0) die(2, "--image %s: not a boot image (magic)", image_path);
    uint32_t regs_size, sregs_size;
    memcpy(&image.ram, h + 8, 8);
    memcpy(&image.request_block, h + 16, 8);
    memcpy(&image.port, h + 24, 4);
    memcpy(&regs_size, h + 28, 4);
    memcpy(&sregs_size, h + 32, 4);
    memcpy(&image.msrs, h + 36, 4);
    memcpy(&image.pages, h + 40, 4);
    if (regs_size != sizeof image.regs || sregs_size != sizeof image.sregs)
        die(2, "--image %s: struct sizes %u/%u, this KVM's are %zu/%zu", image_path, regs_size, sregs_size,
            sizeof image.regs, sizeof image.sregs);
    if (image.ram < (2u << 20) || image.ram > G_MMIO || image.ram % 4096 != 0)
        die(2, "--image %s: guest RAM of %llu bytes", image_path, (unsigned long long)image.ram);
    if (image.port == 0 || image.port > 0xFFFF || image.request_block % 64 != 0
        || image.request_block + sizeof(uint64_t) * 8 > image.ram)
        die(2, "--image %s: no pio doorbell and request block (port %u, block 0x%llx)", image_path, image.port,
            (unsigned long long)image.request_block);
    if (image.msrs > 16 || image.pages == 0 || image.pages > image.ram / 4096)
        die(2, "--image %s: %u MSRs, %u pages", image_path, image.msrs, image.pages);
    read_exactly(f, &image.regs, sizeof image.regs, "kvm_regs");
    read_exactly(f, &image.sregs, sizeof image.sregs, "kvm_sregs");
    image.msr = xmalloc(sizeof *image.msr + image.msrs * sizeof image.msr->entries[0]);
    memset(image.msr, 0, sizeof *image.msr + image.msrs * sizeof image.msr->entries[0]);
    image.msr->nmsrs = image.msrs;
    for (uint32_t i = 0; i < image.msrs; i++) {
        uint8_t e[16];
        read_exactly(f, e, sizeof e, "MSR");
        memcpy(&image.msr->entries[i].index, e, 4);
        memcpy(&image.msr->entries[i].data, e + 8, 8);
    }
    image.gpa = xmalloc(image.pages * sizeof *image.gpa);
    image.bytes = xmalloc((size_t)image.pages * 4096);
    for (uint32_t i = 0; i < image.pages; i++) {
        read_exactly(f, &image.gpa[i], 8, "page address");
        if (image.gpa[i] % 4096 != 0 || image.gpa[i] >= image.ram || (i > 0 && image.gpa[i] <= image.gpa[i - 1]))
            die(2, "--image %s: page %u at 0x%llx", image_path, i, (unsigned long long)image.gpa[i]);
        read_exactly(f, image.bytes + (size_t)i * 4096, 4096, "page");
    }
    if (fgetc(f) != EOF) die(2, "--image %s: bytes after the last page", image_path);
    fclose(f);
}

/* What the replayed guests asked, over every VM: their write bytes and calls answered -ENOSYS. */
static uint64_t hello_written, hello_unanswered, hello_vms;

/* One pio request of the guest: write (to /dev/null) and exit_group are served, the rest -ENOSYS; 1 once it exited. */
static int hello_serve(uint8_t *mem, int devnull)
{
    uint64_t r[8];
    memcpy(r, mem + image.request_block, sizeof r);    /* nr, args[6], ret */
    int64_t ret;
    if (r[0] == SYS_exit_group || r[0] == SYS_exit) return 1;
    if (r[0] == SYS_write && r[2] < image.ram && r[3] <= image.ram - r[2]) {
        ret = write(devnull, mem + r[2], (size_t)r[3]);
        if (ret < 0) ret = -errno;
        else hello_written += (uint64_t)ret;
    } else {
        ret = -ENOSYS;
        hello_unanswered++;
    }
    memcpy(mem + image.request_block + 56, &ret, 8);
    return 0;
}

static int hello_devnull = -1;   /* where the replayed guests' writes go */

/* The boot image's guest in a fresh VM, run to its exit_group. */
static void hello_life(uint64_t *end)
{
    int fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
    if (fd < 0) kvm_fail("KVM_CREATE_VM");
    uint8_t *mem = mmap(NULL, image.ram, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) die(1, "mmap guest memory: %s", strerror(errno));
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = image.ram, .userspace_addr = (uint64_t)(uintptr_t)mem,
    };
    if (ioctl(fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) kvm_fail("KVM_SET_USER_MEMORY_REGION");
    end[STEP_MEMORY] = now_ns();
    for (uint32_t p = 0; p < image.pages; p++) memcpy(mem + image.gpa[p], image.bytes + (size_t)p * 4096, 4096);
    end[STEP_BOOT] = now_ns();
    int vcpu = ioctl(fd, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) kvm_fail("KVM_CREATE_VCPU");
    struct kvm_run *run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) kvm_fail("mmap kvm_run");
    if (ioctl(vcpu, KVM_SET_SREGS, &image.sregs) < 0) kvm_fail("KVM_SET_SREGS");
    if (image.msrs && ioctl(vcpu, KVM_SET_MSRS, image.msr) != (int)image.msrs) kvm_fail("KVM_SET_MSRS");
    if (ioctl(vcpu, KVM_SET_REGS, &image.regs) < 0) kvm_fail("KVM_SET_REGS");
    end[STEP_VCPU] = now_ns();
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            kvm_fail("KVM_RUN");
        }
        if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_OUT && run->io.port == image.port) {
            if (hello_serve(mem, hello_devnull)) break;
            continue;
        }
        die(1, "floor-c-vm-hello: the replayed guest stopped with exit reason %u (port 0x%x): not the image's pio requests",
            run->exit_reason, run->exit_reason == KVM_EXIT_IO ? run->io.port : 0);
    }
    end[STEP_RUN] = now_ns();
    munmap(run, (size_t)run_size);
    close(vcpu);
    close(fd);
    munmap(mem, image.ram);
    end[STEP_CLOSE] = now_ns();
    hello_vms++;
}

/* The boot image replayed VM after VM, as lifecycle() times its VMs (standby open), then what the guests asked. */
static void hello_lifecycle(size_t runs, const char *name)
{
    hello_devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (hello_devnull < 0) die(1, "open /dev/null: %s", strerror(errno));
    timed_lives(runs, 1, name, hello_life);
    close(hello_devnull);
    printf("# hello %s: %llu VMs, %.1f bytes written and %.1f calls answered -ENOSYS per VM\n", name,
           (unsigned long long)hello_vms, (double)hello_written / (double)hello_vms, (double)hello_unanswered / (double)hello_vms);
}

static const char *only;   /* --only: comma-separated part names, or NULL for all */

static const char *const part_names[] = {
    "floor-c-timer-overhead", "floor-c-native-getppid", "floor-c-native-getppid-loop",
    "floor-c-native-getppid-libc", "floor-c-native-getppid-libc-loop", "floor-c-native-write",
    "floor-c-pingpong", "floor-c-pio-exit", "floor-c-pio-exit-getppid", "floor-c-mmio-exit",
    "floor-c-mmio-exit-getppid", "floor-c-ring-1line", "floor-c-ring-1line-getppid",
    "floor-c-ring-1line-getppid-libc", "floor-c-ring-6line", "floor-c-ring-6line-getppid", "floor-c-vm-lifecycle",
    "floor-c-vm-lifecycle-cold", "floor-c-vm-lifecycle-unpinned", "floor-c-vm-hello",
};
#define FIRST_VM_PART 7   /* part_names[7..] need /dev/kvm */

/* Whether the comma-separated list names this part exactly. */
static int listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0) return 1;
        if (!end) break;
        p = end + 1;
    }
    return 0;
}

static int want(const char *name)
{
    return only == NULL || listed(only, name);
}

/* Every name in --only is a part; 1 if one of them needs /dev/kvm. */
static int check_only(void)
{
    size_t known = 0, vm = 0;
    for (size_t i = 0; i < sizeof part_names / sizeof part_names[0]; i++) {
        if (!listed(only, part_names[i])) continue;
        known++;
        if (i >= FIRST_VM_PART) vm++;
    }
    size_t names = 1;
    for (const char *p = only; *p; p++) names += *p == ',';
    if (known != names) {
        fprintf(stderr, "cfloor: --only: every name must be a part, e.g. floor-c-pingpong (got \"%s\")\n", only);
        exit(2);
    }
    return vm > 0;
}

static long count_arg(const char *opt, const char *v, long max)
{
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;
    if (!v || *end || n <= 0 || n > max) {
        fprintf(stderr, "cfloor: %s needs a number in 1..%ld\n", opt, max);
        exit(2);
    }
    return n;
}

int main(int argc, char **argv)
{
    long exits = 20000, calls = 200000, vms = 200;
    int no_kvm = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--exits")) exits = count_arg(argv[i], argv[i + 1], 10000000), i++;
        else if (!strcmp(argv[i], "--calls")) calls = count_arg(argv[i], argv[i + 1], 100000000), i++;
        else if (!strcmp(argv[i], "--vms")) vms = count_arg(argv[i], argv[i + 1], 100000), i++;
        else if (!strcmp(argv[i], "--part-ms")) part_budget_ns = (uint64_t)count_arg(argv[i], argv[i + 1], 3600000) * 1000000ull, i++;
        else if (!strcmp(argv[i], "--no-kvm")) no_kvm = 1;
        else if (!strcmp(argv[i], "--only") && i + 1 < argc && argv[i + 1][0]) only = argv[++i];
        else if (!strcmp(argv[i], "--image") && i + 1 < argc && argv[i + 1][0]) image_path = argv[++i];
        else {
            fprintf(stderr, "usage: cfloor [--exits N] [--calls N] [--vms N] [--part-ms MS] [--no-kvm] [--only NAME,...] [--image FILE]\n");
            return 2;
        }
    }
    if (only != NULL && !check_only()) no_kvm = 1;
    if (only != NULL && listed(only, "floor-c-vm-hello") && image_path == NULL) {
        fprintf(stderr, "cfloor: floor-c-vm-hello replays a boot image: give it with --image FILE\n");
        return 2;
    }
    if (image_path != NULL) load_image();
    size_t guest_calls = (size_t)calls < MAX_SAMPLES ? (size_t)calls : MAX_SAMPLES;
    size_t guest_exits = (size_t)exits < MAX_SAMPLES ? (size_t)exits : MAX_SAMPLES;
    size_t most = (size_t)calls > MAX_SAMPLES ? (size_t)calls : MAX_SAMPLES;
    if ((size_t)vms > most) most = (size_t)vms;
    uint64_t *s = xmalloc(most * sizeof *s);
    ns_buf = xmalloc(most * sizeof *ns_buf);

    printf("# cfloor: ns; name p50 p90 p99 p999 max samples\n");
    choose_cpus();
    calibrate_tsc();
    printf("# tsc_hz %.0f\n", tsc_hz);
    uint64_t step = tsc_step();
    printf("# tsc_step %llu cycles %.1f ns (smallest nonzero difference of back-to-back rdtsc reads: the TSC resolution is at most this)\n",
           (unsigned long long)step, (double)step * 1e9 / tsc_hz);
    printf("# iterations calls=%ld guest_calls=%zu exits=%zu vms=%ld part_budget_ms=%llu\n", calls, guest_calls,
           guest_exits, vms, (unsigned long long)(part_budget_ns / 1000000));
    fflush(stdout);

    part_started = now_ns();
    if (want("floor-c-timer-overhead")) timer_overhead(s, (size_t)calls);
    if (want("floor-c-native-getppid")) getppid_per_call(s, (size_t)calls, 0, "floor-c-native-getppid");
    if (want("floor-c-native-getppid-loop")) getppid_loop((size_t)calls, 0, "floor-c-native-getppid-loop");
    if (want("floor-c-native-getppid-libc")) getppid_per_call(s, (size_t)calls, 1, "floor-c-native-getppid-libc");
    if (want("floor-c-native-getppid-libc-loop")) getppid_loop((size_t)calls, 1, "floor-c-native-getppid-libc-loop");
    if (want("floor-c-native-write")) native_write(s, (size_t)calls);
    if (want("floor-c-pingpong")) pingpong(s, (size_t)calls);
    if (no_kvm) {
        printf(only != NULL ? "# kvm not needed (--only)\n" : "# kvm skipped (--no-kvm)\n");
        return 0;
    }

    kvm_open();
    struct vm v;
    must_work = 1;
    vm_create(&v);
    vm_test(&v, T_BOOT, 0, 0, 0);              /* the first boot: CPL3 code reaches its `out` */
    must_work = 0;
    printf("# kvm ok: CPL3 guest booted\n");
    part_started = now_ns();
    if (want("floor-c-pio-exit")) exit_floor(&v, T_PIO, 0, s, guest_exits, "floor-c-pio-exit");
    if (want("floor-c-pio-exit-getppid")) exit_floor(&v, T_PIO, 1, s, guest_exits, "floor-c-pio-exit-getppid");
    if (want("floor-c-mmio-exit")) exit_floor(&v, T_MMIO, 0, s, guest_exits, "floor-c-mmio-exit");
    if (want("floor-c-mmio-exit-getppid")) exit_floor(&v, T_MMIO, 1, s, guest_exits, "floor-c-mmio-exit-getppid");
    if (want("floor-c-ring-1line")) ring_floor(&v, 0, GETPPID_NONE, s, guest_calls, "floor-c-ring-1line");
    if (want("floor-c-ring-1line-getppid")) ring_floor(&v, 0, GETPPID_INLINE, s, guest_calls, "floor-c-ring-1line-getppid");
    if (want("floor-c-ring-1line-getppid-libc"))
        ring_floor(&v, 0, GETPPID_LIBC, s, guest_calls, "floor-c-ring-1line-getppid-libc");
    if (want("floor-c-ring-6line")) ring_floor(&v, 1, GETPPID_NONE, s, guest_calls, "floor-c-ring-6line");
    if (want("floor-c-ring-6line-getppid")) ring_floor(&v, 1, GETPPID_INLINE, s, guest_calls, "floor-c-ring-6line-getppid");
    vm_destroy(&v);
    if (want("floor-c-vm-lifecycle")) lifecycle((size_t)vms, 1, "floor-c-vm-lifecycle");
    if (want("floor-c-vm-lifecycle-cold")) lifecycle((size_t)vms, 0, "floor-c-vm-lifecycle-cold");
    if (want("floor-c-vm-lifecycle-unpinned")) {
        /* the process's CPUs for this part only; pinned again after it */
        if (pinning && sched_setaffinity(0, sizeof cpu_all, &cpu_all) != 0) die(1, "sched_setaffinity: %s", strerror(errno));
        lifecycle((size_t)vms, 1, "floor-c-vm-lifecycle-unpinned");
        if (pinning && sched_setaffinity(0, sizeof cpu_main, &cpu_main) != 0) die(1, "sched_setaffinity: %s", strerror(errno));
    }
    if (want("floor-c-vm-hello")) {
        if (image_path != NULL) hello_lifecycle((size_t)vms, "floor-c-vm-hello");
        else printf("# floor-c-vm-hello skipped (no --image)\n");
    }
    return 0;
}
