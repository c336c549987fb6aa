/*
 * fake_monitor.c - a stand-in for the Java monitor, for machines without
 * /dev/kvm. It is an ordinary Linux program (glibc, built by the host
 * compiler, NOT a guest) that loads a guest ELF ($(OUT)/guest/<name>.elf)
 * into its own address space at the ELF's addresses, builds the Linux
 * start-up stack with TOROVJ_AT_BOOT_INFO in auxv, jumps to _start in the
 * same thread, and serves the chosen transport:
 *
 *   pio   the guest's `outb` traps (#GP -> SIGSEGV, no ioperm); the handler
 *         checks the opcode (0xEE) and dx, runs the request, skips the insn.
 *   mmio  the doorbell page is PROT_NONE; the handler checks the faulting
 *         address and that the instruction is a 4-byte `movl $imm32, mem`,
 *         runs the request and skips the instruction.
 *   ring  a poller thread consumes SQEs and produces CQEs (ring.h). With -s
 *         it sleeps whenever the SQ is empty (POLLER_SLEEPING), so the guest
 *         must ring the outb doorbell, which the SIGSEGV handler turns into
 *         a wake-up.
 *
 * "Guest physical == guest virtual" holds trivially: everything is in one
 * address space. Syscalls are executed for real (no policy, except -d NR,
 * which answers -EPERM for syscall NR). exit_group writes the latency
 * buffer to -l FILE (struct torovj_latency_buffer layout) and exits with the
 * guest's status. A fault (#UD, #PF) is reported on stderr with the RIP and
 * exits 128+signal, like a crashed process.
 *
 * It checks the guest half of the protocols, not KVM: it is a test tool.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <ucontext.h>
#include <unistd.h>

#include "torovj_abi.h"
#include "ring.h"

#define DOORBELL_PORT   0x7e0
#define STACK_SIZE      (1u << 20)
#define LAT_CAPACITY    (1u << 20)
#define RING_ENTRIES    64
#define RING_SQE_OFF    512
#define RING_CQE_OFF    (RING_SQE_OFF + RING_ENTRIES * RING_SQE_SIZE)
#define RING_AREA_SIZE  8192

static const char *transport = "pio";
static const char *lat_file;
static long denied_nr = -1;
static int ring_sleep;
static int verbose;

static struct torovj_boot_info *bi;
static struct torovj_request *req;
static struct torovj_latency_buffer *lat;
static unsigned char *ring_area;
static void *mmio_page;
static sem_t ring_doorbell;
static unsigned long n_calls, n_doorbells;

static long raw_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    long ret;
    register long r10 __asm__("r10") = a3;
    register long r8 __asm__("r8") = a4;
    register long r9 __asm__("r9") = a5;

    __asm__ volatile("syscall" : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

/* async-signal-safe message */
static void say(const char *s)
{
    (void)!write(2, s, strlen(s));
}

static void say_hex(const char *prefix, unsigned long v)
{
    char buf[32];
    int i = sizeof buf;

    buf[--i] = '\0';
    do {
        buf[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v && i > 2);
    buf[--i] = 'x';
    buf[--i] = '0';
    say(prefix);
    say(buf + i);
}

static void write_latency(void)
{
    if (!lat_file)
        return;
    int fd = open(lat_file, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) {
        say("fake-monitor: cannot open latency file\n");
        return;
    }
    uint64_t n = lat->count < lat->capacity ? lat->count : lat->capacity;
    size_t len = sizeof *lat + n * sizeof(uint64_t);
    const char *p = (const char *)lat;
    while (len) {
        ssize_t r = write(fd, p, len);
        if (r <= 0)
            break;
        p += r;
        len -= (size_t)r;
    }
    close(fd);
}

/* Runs one guest syscall; exit/exit_group end the process. */
static long execute(uint64_t nr, const uint64_t *a)
{
    n_calls++;
    if (nr == 231 || nr == 60) {            /* exit_group, exit */
        write_latency();
        if (verbose) {
            say_hex("fake-monitor: calls=", n_calls);
            say_hex(" doorbells=", n_doorbells);
            say("\n");
        }
        raw_syscall6(231, (long)a[0], 0, 0, 0, 0, 0);
    }
    if ((long)nr == denied_nr)
        return -EPERM;
    return raw_syscall6((long)nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4], (long)a[5]);
}

static void serve_request(void)
{
    uint64_t args[6];

    memcpy(args, (const void *)req->args, sizeof args);
    req->ret = execute(req->nr, args);
}

/* Length of `movl $imm32, m32` (C7 /0), or 0 if it is anything else. */
static int movl_imm_len(const unsigned char *p)
{
    int n = 0;

    if (p[n] >= 0x40 && p[n] <= 0x4f) {     /* REX; W would make it 8 bytes */
        if (p[n] & 8)
            return 0;
        n++;
    }
    if (p[n++] != 0xc7)
        return 0;
    unsigned modrm = p[n++], mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
    if (reg != 0 || mod == 3)
        return 0;
    if (rm == 4) {
        unsigned sib = p[n++];
        if (mod == 0 && (sib & 7) == 5)
            n += 4;
    }
    if (mod == 0 && rm == 5)
        n += 4;                             /* rip-relative */
    if (mod == 1)
        n += 1;
    if (mod == 2)
        n += 4;
    return n + 4;                           /* imm32 */
}

static void fault(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    const unsigned char *rip = (const unsigned char *)g[REG_RIP];

    if (sig == SIGSEGV && rip[0] == 0xee && (uint16_t)g[REG_RDX] == DOORBELL_PORT) {
        if (strcmp(transport, "pio") == 0) {
            serve_request();
        } else if (strcmp(transport, "ring") == 0) {
            n_doorbells++;
            sem_post(&ring_doorbell);
        } else {
            say("fake-monitor: outb doorbell under a non-port transport\n");
            _exit(125);
        }
        g[REG_RIP] += 1;
        return;
    }
    if (sig == SIGSEGV && si->si_addr == mmio_page && strcmp(transport, "mmio") == 0) {
        int len = movl_imm_len(rip);
        if (len == 0) {
            say_hex("fake-monitor: mmio doorbell is not a 4-byte movl $imm at rip=", (unsigned long)rip);
            say("\n");
            _exit(125);
        }
        serve_request();
        g[REG_RIP] += len;
        return;
    }
    say(sig == SIGILL ? "fake-monitor: #UD" : sig == SIGSEGV ? "fake-monitor: #PF" : "fake-monitor: fault");
    if (sig == SIGSEGV)
        say_hex(" addr=", (unsigned long)si->si_addr);
    say_hex(" rip=", (unsigned long)rip);
    say("\n");
    _exit(128 + sig);
}

static void *ring_poller(void *unused)
{
    uint64_t *sq_tail = (uint64_t *)(ring_area + RING_OFF_SQ_TAIL);
    uint64_t *sq_head = (uint64_t *)(ring_area + RING_OFF_SQ_HEAD);
    uint64_t *cq_tail = (uint64_t *)(ring_area + RING_OFF_CQ_TAIL);
    uint32_t *flags = (uint32_t *)(ring_area + RING_OFF_FLAGS);
    struct ring_sqe *sqes = (struct ring_sqe *)(ring_area + RING_SQE_OFF);
    struct ring_cqe *cqes = (struct ring_cqe *)(ring_area + RING_CQE_OFF);
    uint64_t head = 0, ctail = 0;
    unsigned long idle = 0;

    (void)unused;
    for (;;) {
        if (__atomic_load_n(sq_tail, __ATOMIC_ACQUIRE) == head) {
            if (ring_sleep || ++idle > 100000000UL) {
                /* set the flag, full fence, re-check, then sleep (ring.h) */
                __atomic_store_n(flags, RING_FLAG_POLLER_SLEEPING, __ATOMIC_SEQ_CST);
                if (__atomic_load_n(sq_tail, __ATOMIC_SEQ_CST) == head)
                    while (sem_wait(&ring_doorbell) != 0 && errno == EINTR)
                        ;
                __atomic_store_n(flags, 0, __ATOMIC_RELAXED);
                idle = 0;
            }
            continue;
        }
        struct ring_sqe e = sqes[head & (RING_ENTRIES - 1)];
        __atomic_store_n(sq_head, head + 1, __ATOMIC_RELEASE);
        head++;
        long ret = execute(e.nr, e.args);
        cqes[ctail & (RING_ENTRIES - 1)].user_data = e.user_data;
        cqes[ctail & (RING_ENTRIES - 1)].ret = ret;
        __atomic_store_n(cq_tail, ctail + 1, __ATOMIC_RELEASE);
        ctail++;
    }
    return NULL;
}

static void *xmap(size_t len, int prot)
{
    void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("fake-monitor: mmap");
        exit(126);
    }
    return p;
}

static uint64_t load_elf(const char *path)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        perror(path);
        exit(126);
    }
    unsigned char *f = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (f == MAP_FAILED) {
        perror("fake-monitor: mmap ELF");
        exit(126);
    }
    close(fd);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)f;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_type != ET_EXEC || eh->e_machine != EM_X86_64) {
        fprintf(stderr, "fake-monitor: %s is not a static x86-64 ELF executable\n", path);
        exit(126);
    }
    Elf64_Phdr *ph = (Elf64_Phdr *)(f + eh->e_phoff);
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_INTERP) {
            fprintf(stderr, "fake-monitor: %s has PT_INTERP\n", path);
            exit(126);
        }
        if (ph[i].p_type != PT_LOAD)
            continue;
        if (ph[i].p_vaddr < lo)
            lo = ph[i].p_vaddr;
        if (ph[i].p_vaddr + ph[i].p_memsz > hi)
            hi = ph[i].p_vaddr + ph[i].p_memsz;
    }
    lo &= ~4095ULL;
    hi = (hi + 4095) & ~4095ULL;
    void *m = mmap((void *)lo, hi - lo, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (m != (void *)lo) {
        fprintf(stderr, "fake-monitor: cannot map %#lx..%#lx\n", (unsigned long)lo, (unsigned long)hi);
        exit(126);
    }
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD)
            memcpy((void *)ph[i].p_vaddr, f + ph[i].p_offset, ph[i].p_filesz);
    return eh->e_entry;
}

int main(int argc, char **argv)
{
    int opt;

    while ((opt = getopt(argc, argv, "+t:l:d:sv")) != -1) {
        switch (opt) {
        case 't': transport = optarg; break;
        case 'l': lat_file = optarg; break;
        case 'd': denied_nr = strtol(optarg, NULL, 0); break;
        case 's': ring_sleep = 1; break;
        case 'v': verbose = 1; break;
        default:
            fprintf(stderr, "usage: fake_monitor [-t pio|mmio|ring|NAME] [-l LATFILE] [-d DENIED_NR] [-s] [-v] ELF [ARGS...]\n");
            return 126;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "fake-monitor: no ELF given\n");
        return 126;
    }
    uint64_t entry = load_elf(argv[optind]);

    /* shared structures, anywhere in our address space (identity "mapped") */
    unsigned char *shared = xmap(4096, PROT_READ | PROT_WRITE);
    bi = (struct torovj_boot_info *)shared;
    req = (struct torovj_request *)(shared + 128);
    ring_area = xmap(RING_AREA_SIZE, PROT_READ | PROT_WRITE);
    mmio_page = xmap(4096, PROT_NONE);
    lat = xmap(sizeof *lat + LAT_CAPACITY * sizeof(uint64_t), PROT_READ | PROT_WRITE);
    lat->capacity = LAT_CAPACITY;

    bi->magic = TOROVJ_BOOT_MAGIC;
    bi->abi_version = TOROVJ_ABI_VERSION;
    bi->vcpu_count = 1;
    snprintf(bi->transport, sizeof bi->transport, "%s", transport);
    bi->request_block = (uint64_t)(uintptr_t)req;
    bi->transport_area = (uint64_t)(uintptr_t)ring_area;
    bi->transport_area_size = RING_AREA_SIZE;
    bi->doorbell_mmio = (uint64_t)(uintptr_t)mmio_page;
    bi->doorbell_port = DOORBELL_PORT;
    bi->latency_buffer = (uint64_t)(uintptr_t)lat;
    *(uint32_t *)(ring_area + RING_OFF_SQ_ENTRIES) = RING_ENTRIES;
    *(uint32_t *)(ring_area + RING_OFF_CQ_ENTRIES) = RING_ENTRIES;
    *(uint32_t *)(ring_area + RING_OFF_SQE_OFFSET) = RING_SQE_OFF;
    *(uint32_t *)(ring_area + RING_OFF_CQE_OFFSET) = RING_CQE_OFF;

    sem_init(&ring_doorbell, 0, 0);
    stack_t ss = { .ss_sp = xmap(65536, PROT_READ | PROT_WRITE), .ss_size = 65536 };
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);

    if (strcmp(transport, "ring") == 0) {
        pthread_t th;
        if (pthread_create(&th, NULL, ring_poller, NULL) != 0) {
            fprintf(stderr, "fake-monitor: pthread_create failed\n");
            return 126;
        }
    }

    /* Linux start-up stack: argc, argv..., NULL, envp..., NULL, auxv, AT_NULL */
    int gargc = argc - optind;
    size_t nenv = 0;
    while (environ[nenv])
        nenv++;
    unsigned char *stk = xmap(STACK_SIZE, PROT_READ | PROT_WRITE);
    uint64_t *sp = (uint64_t *)(stk + STACK_SIZE - 65536);     /* strings stay in argv/environ */
    sp = (uint64_t *)((uintptr_t)sp & ~15UL);
    size_t words = 1 + (size_t)gargc + 1 + nenv + 1 + 6;
    if (words & 1)
        words++;                        /* keep rsp 16-byte aligned like Linux */
    sp -= words;
    uint64_t *w = sp;
    *w++ = (uint64_t)gargc;
    for (int i = 0; i < gargc; i++)
        *w++ = (uint64_t)(uintptr_t)argv[optind + i];
    *w++ = 0;
    for (size_t i = 0; i < nenv; i++)
        *w++ = (uint64_t)(uintptr_t)environ[i];
    *w++ = 0;
    *w++ = 6;                           /* AT_PAGESZ */
    *w++ = 4096;
    *w++ = TOROVJ_AT_BOOT_INFO;
    *w++ = (uint64_t)(uintptr_t)bi;
    *w++ = 0;                           /* AT_NULL */
    *w++ = 0;

    fflush(NULL);
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "xor %%edx, %%edx\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "jmp *%1"
                     : : "r"(sp), "r"(entry) : "memory");
    __builtin_unreachable();
}
