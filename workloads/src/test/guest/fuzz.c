/*
 * fuzz SEED N RAMSIZE [PORT [PATH...]]: a hostile but self-preserving guest.
 *
 * A deterministic PRNG (xorshift64*, seeded with SEED) drives N system calls
 * through the runtime's raw entry torovj_syscall6: numbers the monitor
 * implements with typed-but-hostile arguments, any number in 0..460 with
 * arbitrary arguments, and out-of-range numbers (negative, >= 512, values
 * whose low 32 bits name a real call). Arguments come from small ints, -1,
 * 0, boundary pointers (0, 1, 0xfff, RAMSIZE-1, RAMSIZE-8, RAMSIZE,
 * RAMSIZE+4096, 0x7fffffffffff, 1<<63, just below / across the end of RAM),
 * buffers of this program and random 64-bit values.
 *
 * It must survive all of its own calls, so it never asks the monitor to end
 * or derail it:
 *   - no exit / exit_group (60, 231); fds 0..2 are never closed nor dup2'd
 *     over (the low 32 bits are what the monitor looks at, as the kernel
 *     does); chmod keeps the owner's rwx bits;
 *   - every range the monitor may WRITE (read, pread64, recvfrom, fstat,
 *     stat, getdents64, sysinfo, clock_gettime, accept's address and length,
 *     sendfile's offset, ...) either lies outside RAM or
 *     crosses its end (refused whole by the monitor), or lies in memory this
 *     program owns and never relies on: page 0, the scratch buffer, the heap
 *     [initial brk, RAMSIZE - 256 KiB) and the 16 bytes of headroom at the top
 *     of RAM; anything else is redirected into the scratch buffer;
 *   - poll waits at most 1 ms and ppoll not at all (a NULL or in-RAM timespec
 *     becomes a zero one), their pollfds' revents being guarded as writes;
 *   - sockets are always non-blocking (SOCK_NONBLOCK forced on socket() and
 *     accept4(); a socket from plain accept() is closed at once), so no call
 *     can block; every socket address that lies in RAM is replaced by a
 *     sanitized one: loopback (or a non-loopback address or family, which the
 *     monitor refuses) and only PORT or PORT+1 (the test picks free ports) or
 *     0, 1, 80, 1023 (refused by a policy allowing 1024..65535) - so nothing
 *     ever reaches some other host service;
 *   - writes of more than 64 KiB (256 bytes to fds 1, 2) from RAM are
 *     clipped, to keep the files small.
 * Files: names inside the policy root ("f0".."f7", "link" and "dirlink/..",
 * symlinks the test may plant that point outside) plus hostile ones ("../x",
 * "/etc/passwd", ".." games, 300- and 5000-byte names, an unterminated
 * string at the end of RAM, random bytes) and the absolute PATHs given.
 *
 * Every result must be a Linux return value (>= 0, or -4095..-1). At the end
 * it prints (after a newline, as fuzzed writes may leave stdout mid-line):
 *     fuzz: N calls, E errors
 * and exits 0; 1 if any result was malformed (each is listed on stderr).
 * With FUZZ_STATS in its environment it also lists, on stderr, how many
 * calls of each implemented number succeeded. It refuses to run natively.
 */
#include "torovj.h"

#define SCRATCH_SIZE (64 * 1024)

/* Linux x86-64 numbers of the libc start-up calls the monitor serves (io.torovj.syscall.StartupSyscalls) */
#define FUZZ_SYS_readlink          89
#define FUZZ_SYS_getrlimit         97
#define FUZZ_SYS_uname             63
#define FUZZ_SYS_arch_prctl        158
#define FUZZ_SYS_prctl             157
#define FUZZ_SYS_sched_getaffinity 204
#define FUZZ_SYS_newfstatat        262
#define FUZZ_SYS_readlinkat        267
#define FUZZ_SYS_prlimit64         302
#define FUZZ_SYS_getrandom         318
#define FUZZ_SYS_readv             19
#define FUZZ_SYS_writev            20
#define FUZZ_SYS_rt_sigaction      13
#define FUZZ_SYS_rt_sigprocmask    14
#define FUZZ_SYS_time              201
#define FUZZ_SYS_gettimeofday      96
#define FUZZ_SYS_getcwd            79
/* directories, paths and fds (io.torovj.syscall.FileSyscalls, PathSyscalls) */
#define FUZZ_SYS_stat              4
#define FUZZ_SYS_lstat             6
#define FUZZ_SYS_pread64           17
#define FUZZ_SYS_pwrite64          18
#define FUZZ_SYS_dup2              33
#define FUZZ_SYS_sendfile          40
#define FUZZ_SYS_chmod             90
#define FUZZ_SYS_fchmod            91
#define FUZZ_SYS_sysinfo           99
#define FUZZ_SYS_getdents64        217
#define FUZZ_SYS_fchmodat          268
#define FUZZ_SYS_dup3              292
#define FUZZ_SYS_ppoll             271
#define STACK_SIZE   (256 * 1024)       /* io.torovj.boot.GuestLayout.STACK_SIZE */
#define TAIL         16                 /* headroom at the top of RAM (InitialStack) */
#define MAX_TRACKED  16
#define SOCKADDR_MAX 112                /* what the monitor may write to an address buffer */

#define O_PATH_FLAG    010000000
#define O_TMPFILE_FLAG 020200000
#define O_NOFOLLOW_FLAG 0400000

static unsigned char scratch[SCRATCH_SIZE] __attribute__((aligned(4096)));
static struct sockaddr_in sockslot __attribute__((aligned(64)));
static uint32_t lenslot;
static char longname[5001];
static char longcomp[301];
static char maxpath[4096];

static uint64_t ram, brk0, heap_end;
static int port;
static int nextra;
static char **extra;

static uint64_t rng;

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1DULL;
}

static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }
static int chance(unsigned pct) { return below(100) < pct; }

static long fds[MAX_TRACKED];         /* fds that open/openat returned */
static long socks[MAX_TRACKED];       /* fds that socket/accept4 returned */
static long maps[MAX_TRACKED];

static void track(long *table, long v)
{
    table[below(MAX_TRACKED)] = v;
}

/* ---- argument pools ------------------------------------------------ */

static uint64_t boundary_pointer(void)
{
    switch (below(16)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return 0xfff;
    case 3: return ram - 1;
    case 4: return ram - 8;
    case 5: return ram;
    case 6: return ram + 4096;
    case 7: return 0x7fffffffffffULL;
    case 8: return 1ULL << 63;
    case 9: return ram - 1 - below(64);          /* just below the end of RAM */
    case 10: return ram - 4096 + below(4096);
    case 11: return (uint64_t)scratch + below(SCRATCH_SIZE);
    case 12: return (uint64_t)scratch + SCRATCH_SIZE - below(16);
    case 13: return brk0 + below(heap_end - brk0);
    case 14: return (uint64_t)-1;
    default: return 0x3FE00000ULL + below(0x200000);  /* the device window */
    }
}

static uint64_t generic(void)
{
    switch (below(8)) {
    case 0: return below(16);
    case 1: return (uint64_t)-1;
    case 2: return 0;
    case 3: case 4: return boundary_pointer();
    case 5: return (uint64_t)(int64_t)(int32_t)rnd();
    default: return rnd();
    }
}

/* A buffer: mostly one the call can use, else a boundary pointer. */
static uint64_t buffer(void)
{
    switch (below(10)) {
    case 0: case 1: case 2: case 3: case 4: return (uint64_t)scratch + below(SCRATCH_SIZE - 4096);
    case 5: return brk0 + below(heap_end - brk0 - 4096);
    default: return boundary_pointer();
    }
}

static uint64_t length(void)
{
    if (chance(50))
        return below(4096);
    switch (below(12)) {
    case 0: return 0;
    case 1: return 1;
    case 2: case 3: return below(512);
    case 4: return 4096;
    case 5: return 65536;
    case 6: return ram;
    case 7: return ram + 1;
    case 8: return (uint64_t)-1;
    case 9: return 1ULL << 63;
    case 10: return 0x7fffffff;
    default: return rnd();
    }
}

static uint64_t fd_arg(const long *tracked)
{
    switch (below(12)) {
    case 0: return below(3);
    case 1: return 3 + below(12);
    case 2: return (uint64_t)-1;
    case 3: return (uint64_t)-100;                       /* AT_FDCWD */
    case 4: return (1ULL << 32) | below(8);              /* only the low 32 bits count */
    case 5: return rnd();
    case 6: return (uint64_t)(chance(50) ? fds : socks)[below(MAX_TRACKED)];
    default: return (uint64_t)tracked[below(MAX_TRACKED)];
    }
}

static const char *const names[] = {
    "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7",
    "../x", "../sibling/victim", "../victim", "..", ".", "", "/", "/etc/passwd", "/etc",
    "/dev/null", "/dev/zero", "/proc/self/mem", "/proc/self/fd/0", "/proc/self/cwd/x",
    "link", "dirlink/victim", "dirlink", "f0/..", "f1/", "./f2", "f3//", "f4/../../x",
    ".//../sibling/victim", "/dev/null/..", "/dev/../etc/passwd",
};

static void fill_tail(void)
{
    /* an unterminated string that runs off the end of RAM */
    memset((void *)(uintptr_t)(ram - TAIL), 'A', TAIL);
}

static uint64_t path_arg(void)
{
    unsigned n = sizeof(names) / sizeof(names[0]);

    switch (below(12)) {
    case 0: return (uint64_t)longname;
    case 1: return (uint64_t)longcomp;
    case 2: return (uint64_t)maxpath;
    case 3: fill_tail(); return ram - TAIL + below(TAIL);
    case 4: return (uint64_t)scratch + below(SCRATCH_SIZE);   /* random bytes */
    case 5: return boundary_pointer();
    case 6: if (nextra) return (uint64_t)extra[below(nextra)]; /* fall through */
    default: return (uint64_t)names[below(n)];
    }
}

static uint64_t open_flags(void)
{
    static const uint64_t f[] = {
        O_RDONLY, O_WRONLY | O_CREAT | O_TRUNC, O_RDWR | O_CREAT, O_RDWR | O_CREAT | O_EXCL,
        O_RDONLY | O_DIRECTORY, O_WRONLY | O_APPEND | O_CREAT, O_PATH_FLAG, O_TMPFILE_FLAG | O_RDWR,
        O_NOFOLLOW_FLAG | O_RDWR, O_CREAT | O_DIRECTORY, O_WRONLY, O_RDWR | O_TRUNC,
    };
    if (chance(15))
        return chance(50) ? rnd() : (uint64_t)(int64_t)(int32_t)rnd();
    return f[below(sizeof(f) / sizeof(f[0]))];
}

static uint64_t clock_arg(void)
{
    switch (below(6)) {
    case 0: return below(12);
    case 1: return (uint64_t)-1;
    case 2: return (~1ULL << 3) | 2;   /* CPU clock of pid 1 */
    case 3: return (~3ULL << 3) | 3;   /* clock of (host) fd 3 */
    case 4: return (uint64_t)(int64_t)(int32_t)rnd();
    default: return rnd();
    }
}

static uint64_t sockaddr_len(void)
{
    switch (below(5)) {
    case 0: case 1: return 16;
    case 2: return 15;
    case 3: return 128 + below(2);
    default: return rnd();
    }
}

/* A sanitized socket address in sockslot: loopback ports of our own, or junk. */
static uint64_t make_sockaddr(void)
{
    static const uint16_t families[] = { AF_INET, AF_INET, AF_INET, AF_INET, 0, 1, 10, 0xffff };
    static const uint32_t addrs[] = { 0x7f000001, 0x7f000001, 0x00000000, 0x7f010203, 0x0a000001, 0xffffffff };
    uint16_t p;

    switch (below(8)) {
    case 0: p = 0; break;
    case 1: p = 1; break;
    case 2: p = 80; break;
    case 3: p = 1023; break;
    default: p = port ? (uint16_t)(port + below(2)) : 0; break;
    }
    memset(&sockslot, 0, sizeof sockslot);
    sockslot.sin_family = families[below(8)];
    sockslot.sin_port = htons(p);
    sockslot.sin_addr.s_addr = htonl(addrs[chance(50) ? 0 : below(6)]);
    if (chance(5))
        sockslot.sin_zero[below(8)] = (unsigned char)rnd();
    return (uint64_t)&sockslot;
}

/* ---- safety rules (see the header comment) ------------------------- */

/* The monitor refuses [p, p+n) whole unless it lies inside RAM (GuestMemory.contains). */
static int inside_ram(uint64_t p, uint64_t n)
{
    return (int64_t)p >= 0 && (int64_t)n >= 0 && p <= ram && n <= ram - p;
}

static int within(uint64_t p, uint64_t n, uint64_t lo, uint64_t hi)
{
    return p >= lo && p <= hi && n <= hi - p;
}

static int owned(uint64_t p, uint64_t n)
{
    return within(p, n, 0, 0x1000)
        || within(p, n, (uint64_t)scratch, (uint64_t)scratch + SCRATCH_SIZE)
        || within(p, n, brk0, heap_end)
        || within(p, n, ram - TAIL, ram)
        || within(p, n, (uint64_t)&lenslot, (uint64_t)&lenslot + sizeof lenslot)
        || within(p, n, (uint64_t)&sockslot, (uint64_t)&sockslot + sizeof sockslot);
}

/* What a ppoll in RAM waits for: nothing (never written; the monitor only reads it). */
static const struct timespec zero_timespec = {0, 0};

/* A write of exactly n bytes at *p (checked whole by the monitor first). */
static void guard_write(uint64_t *p, uint64_t *n_arg, uint64_t n)
{
    if (!inside_ram(*p, n) || n == 0 || owned(*p, n))
        return;
    if (n > SCRATCH_SIZE) {
        n = SCRATCH_SIZE;
        if (n_arg)
            *n_arg = n;
    }
    *p = (uint64_t)scratch + below(SCRATCH_SIZE - n + 1);
}

/* A write of up to max bytes at *p: only outside RAM altogether, or owned. */
static void guard_write_var(uint64_t *p, uint64_t max)
{
    if ((int64_t)*p < 0 || *p >= ram || owned(*p, max))
        return;
    *p = (uint64_t)scratch + below(SCRATCH_SIZE - max + 1);
}

/* A socket address the monitor would read (16 bytes) from RAM: make it one of ours. */
static void guard_sockaddr(uint64_t *p)
{
    if (*p != 0 && inside_ram(*p, sizeof(struct sockaddr_in)))
        *p = make_sockaddr();
}

static void clip_write(uint64_t fd, uint64_t p, uint64_t *n)
{
    int f = (int)fd;
    uint64_t max = (f == 1 || f == 2) ? 256 : 65536;

    if ((int64_t)*n > (int64_t)max && inside_ram(p, *n))
        *n = max;
}

/* ---- one call ------------------------------------------------------ */

static long errors, malformed;
static long stat_calls[512], stat_ok[512];      /* per number in 0..511, for FUZZ_STATS */

/* One call; counted in "errors" only if it is one of the N fuzzed calls. */
static long call(long nr, uint64_t a[6], int counted)
{
    long r = torovj_syscall6(nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4], (long)a[5]);

    if (counted && (unsigned long)nr < 512) {
        stat_calls[nr]++;
        stat_ok[nr] += r >= 0;
    }
    if (r < 0) {
        if (r >= -4095) {
            errors += counted;
        } else {
            malformed++;
            fprintf(stderr, "fuzz: malformed result %ld from syscall %ld(0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx)\n",
                    r, nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        }
    }
    return r;
}

/* Implemented numbers (SyscallPolicy's list) and how their arguments are drawn. */
static const long implemented[] = {
    SYS_read, SYS_write, SYS_open, SYS_close, SYS_fstat, SYS_lseek, SYS_mmap, SYS_munmap, SYS_brk,
    SYS_getpid, SYS_socket, SYS_connect, SYS_accept, SYS_sendto, SYS_recvfrom, SYS_shutdown, SYS_bind,
    SYS_listen, SYS_setsockopt, SYS_fsync, SYS_unlink, SYS_getppid, SYS_clock_gettime, SYS_openat,
    SYS_unlinkat, SYS_accept4,
};

static void typed_args(long nr, uint64_t a[6])
{
    switch (nr) {
    case SYS_read: case SYS_write:
        a[0] = fd_arg(chance(70) ? fds : socks); a[1] = buffer(); a[2] = length(); break;
    case SYS_open:
        a[0] = path_arg(); a[1] = open_flags(); a[2] = chance(80) ? 0644 : rnd(); break;
    case SYS_openat:
        a[0] = chance(60) ? (uint64_t)AT_FDCWD : fd_arg(fds); a[1] = path_arg(); a[2] = open_flags();
        a[3] = chance(80) ? 0644 : chance(50) ? 0777 : rnd(); break;
    case SYS_close: case SYS_fsync:
        a[0] = fd_arg(chance(50) ? fds : socks); break;
    case SYS_fstat:
        a[0] = fd_arg(fds); a[1] = buffer(); break;
    case SYS_lseek:
        a[0] = fd_arg(fds);
        a[1] = chance(50) ? below(100000) : generic();
        a[2] = chance(80) ? below(5) : generic(); break;
    case SYS_mmap:
        a[0] = chance(70) ? 0 : generic(); a[1] = chance(60) ? 4096 * (1 + below(64)) : length();
        a[2] = chance(70) ? (PROT_READ | PROT_WRITE) : rnd();
        a[3] = chance(70) ? (MAP_PRIVATE | MAP_ANONYMOUS) : chance(50) ? (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED) : rnd();
        a[4] = chance(70) ? (uint64_t)-1 : fd_arg(fds); a[5] = chance(70) ? 0 : generic(); break;
    case SYS_munmap:
        a[0] = chance(50) ? (uint64_t)maps[below(MAX_TRACKED)] : chance(50) ? brk0 + 4096 * below(64) : generic();
        a[1] = chance(60) ? 4096 * (1 + below(16)) : length(); break;
    case SYS_brk:
        switch (below(6)) {
        case 0: a[0] = 0; break;
        case 1: a[0] = brk0; break;
        case 2: case 3: a[0] = brk0 + below(heap_end - brk0 + 1); break;
        case 4: a[0] = heap_end + below(2 * 4096); break;
        default: a[0] = generic(); break;
        }
        break;
    case SYS_socket:
        a[0] = chance(80) ? AF_INET : generic();
        a[1] = chance(80) ? 1 + below(2) : generic();
        a[2] = chance(80) ? 0 : generic(); break;
    case SYS_bind: case SYS_connect:
        a[0] = fd_arg(socks); a[1] = chance(80) ? make_sockaddr() : boundary_pointer(); a[2] = sockaddr_len(); break;
    case SYS_listen:
        a[0] = fd_arg(socks); a[1] = chance(70) ? below(16) : generic(); break;
    case SYS_accept: case SYS_accept4:
        a[0] = fd_arg(socks);
        a[1] = chance(40) ? 0 : chance(50) ? (uint64_t)scratch : boundary_pointer();
        lenslot = chance(80) ? 16 : (uint32_t)rnd();
        a[2] = chance(70) ? (uint64_t)&lenslot : boundary_pointer();
        a[3] = chance(70) ? 0 : generic(); break;
    case SYS_sendto:
        a[0] = fd_arg(socks); a[1] = buffer(); a[2] = length(); a[3] = chance(50) ? 0 : generic();
        a[4] = chance(50) ? 0 : chance(70) ? make_sockaddr() : boundary_pointer(); a[5] = sockaddr_len(); break;
    case SYS_recvfrom:
        a[0] = fd_arg(socks); a[1] = buffer(); a[2] = length(); a[3] = chance(50) ? 0 : generic();
        a[4] = chance(50) ? 0 : chance(50) ? (uint64_t)scratch : boundary_pointer();
        lenslot = chance(80) ? 16 : (uint32_t)rnd();
        a[5] = chance(70) ? (uint64_t)&lenslot : boundary_pointer(); break;
    case SYS_setsockopt:
        a[0] = fd_arg(socks); a[1] = chance(50) ? (chance(50) ? SOL_SOCKET : IPPROTO_TCP) : generic();
        a[2] = chance(60) ? below(20) : generic(); a[3] = buffer();
        a[4] = chance(60) ? 4 * below(3) : generic(); break;
    case SYS_shutdown:
        a[0] = fd_arg(socks); a[1] = chance(80) ? below(4) : generic(); break;
    case SYS_unlink:
        a[0] = path_arg(); break;
    case SYS_unlinkat:
        a[0] = chance(60) ? (uint64_t)AT_FDCWD : fd_arg(fds); a[1] = path_arg();
        a[2] = chance(70) ? 0 : chance(50) ? AT_REMOVEDIR : generic(); break;
    case SYS_clock_gettime:
        a[0] = clock_arg(); a[1] = buffer(); break;
    default:
        break;
    }
    for (int i = 0; i < 6; i++)
        if (chance(5))
            a[i] = generic();
}

/* Applies the safety rules to whatever arguments were drawn, for any number. */
static void sanitize(long nr, uint64_t a[6])
{
    switch (nr) {
    case SYS_read:
        guard_write(&a[1], &a[2], a[2]); break;
    case SYS_write:
        clip_write(a[0], a[1], &a[2]); break;
    case SYS_sendto:
        clip_write(a[0], a[1], &a[2]); guard_sockaddr(&a[4]); break;
    case SYS_bind: case SYS_connect:
        guard_sockaddr(&a[1]); break;
    case SYS_fstat:
        guard_write(&a[1], NULL, 144); break;
    case SYS_clock_gettime:
        guard_write(&a[1], NULL, 16); break;
    case SYS_close:
        if ((int)a[0] >= 0 && (int)a[0] <= 2)
            a[0] += 3;
        break;
    case SYS_socket:
        a[1] |= SOCK_NONBLOCK; break;
    case SYS_accept4:
        a[3] |= SOCK_NONBLOCK; /* fall through */
    case SYS_accept:
        if (a[1] != 0) {
            guard_write_var(&a[1], SOCKADDR_MAX);
            guard_write(&a[2], NULL, 4);
        }
        break;
    case SYS_recvfrom:
        guard_write(&a[1], &a[2], a[2]);
        if (a[4] != 0) {
            guard_write_var(&a[4], SOCKADDR_MAX);
            guard_write(&a[5], NULL, 4);
        }
        break;
    /* the libc start-up calls (io.torovj.syscall.StartupSyscalls) that write guest memory */
    case FUZZ_SYS_arch_prctl:               /* ARCH_GET_FS/GS write 8 bytes at a[1]; SET changes fs/gs, unused here */
        guard_write(&a[1], NULL, 8); break;
    case FUZZ_SYS_getrandom:                /* the monitor writes min(len, 4096) bytes: a short read, as Linux may give */
        if ((int64_t)a[1] > 4096)
            guard_write(&a[0], NULL, 4096);
        else
            guard_write(&a[0], &a[1], a[1]);
        break;
    case FUZZ_SYS_uname:
        guard_write(&a[0], NULL, 6 * 65); break;
    case FUZZ_SYS_getrlimit:
        guard_write(&a[1], NULL, 16); break;
    case FUZZ_SYS_prlimit64:
        guard_write(&a[3], NULL, 16); break;
    case FUZZ_SYS_readlink:
        guard_write(&a[1], &a[2], a[2]); break;
    case FUZZ_SYS_readlinkat:
        guard_write(&a[2], &a[3], a[3]); break;
    case FUZZ_SYS_prctl:                    /* PR_GET_NAME writes 16 bytes at a[1] */
        guard_write(&a[1], NULL, 16); break;
    case FUZZ_SYS_sched_getaffinity:
        guard_write(&a[2], &a[1], a[1]); break;
    case FUZZ_SYS_newfstatat:
        guard_write(&a[2], NULL, 144); break;
    case FUZZ_SYS_readv: case FUZZ_SYS_writev:
        /* an iovec array in RAM names buffers this program cannot vet: none then, or one outside RAM */
        if ((int64_t)a[1] >= 0 && a[1] < ram)
            a[2] = 0;
        break;
    case FUZZ_SYS_rt_sigaction:
        guard_write(&a[2], NULL, 32); break;
    case FUZZ_SYS_rt_sigprocmask:
        guard_write(&a[2], NULL, 8); break;
    case FUZZ_SYS_time:
        guard_write(&a[0], NULL, 8); break;
    case FUZZ_SYS_gettimeofday:
        guard_write(&a[0], NULL, 16);
        guard_write(&a[1], NULL, 8);
        break;
    case FUZZ_SYS_getcwd:
        guard_write(&a[0], NULL, 2); break;
    case FUZZ_SYS_stat: case FUZZ_SYS_lstat:
        guard_write(&a[1], NULL, 144); break;
    case FUZZ_SYS_pread64:
        guard_write(&a[1], &a[2], a[2]); break;
    case FUZZ_SYS_getdents64:               /* the count is an unsigned int: the monitor reads its low 32 bits */
        a[2] = (uint32_t)a[2];
        guard_write(&a[1], &a[2], a[2]); break;
    case FUZZ_SYS_sysinfo:
        guard_write(&a[0], NULL, 112); break;
    case FUZZ_SYS_pwrite64:
        clip_write(a[0], a[1], &a[2]); break;
    case FUZZ_SYS_sendfile:                 /* writes *offset; its output is clipped like a write's */
        guard_write(&a[2], NULL, 8);
        if ((int64_t)a[3] > 65536 || ((int)a[0] >= 1 && (int)a[0] <= 2 && (int64_t)a[3] > 256))
            a[3] = ((int)a[0] >= 1 && (int)a[0] <= 2) ? 256 : 65536;
        break;
    case FUZZ_SYS_dup2: case FUZZ_SYS_dup3: /* onto 0..2 would close them */
        if ((int)a[1] >= 0 && (int)a[1] <= 2)
            a[1] += 3;
        break;
    case SYS_poll: case FUZZ_SYS_ppoll:
        /* the revents of nfds (an unsigned int) pollfds are written, after all nfds * 8 bytes were checked */
        a[1] = (uint32_t)a[1];
        if (a[1] > SCRATCH_SIZE / 8)
            a[1] = below(SCRATCH_SIZE / 8 + 1);
        guard_write(&a[0], NULL, a[1] * 8);
        /* no wait that only the VM's stop could end: poll's timeout 0 or 1 ms; ppoll's timespec, if the
         * monitor would read it (NULL is no limit), a zero one of ours */
        if (nr == SYS_poll)
            a[2] = below(2);
        else if (a[2] == 0 || inside_ram(a[2], sizeof zero_timespec))
            a[2] = (uint64_t)&zero_timespec;
        break;
    case FUZZ_SYS_chmod: case FUZZ_SYS_fchmod:  /* the owner keeps access to what it re-modes (the root itself, perhaps) */
        a[1] |= 0700; break;
    case FUZZ_SYS_fchmodat:
        a[2] |= 0700; break;
    default:
        break;
    }
}

static long pick_number(void)
{
    unsigned n = sizeof(implemented) / sizeof(implemented[0]);
    unsigned k = (unsigned)below(100);

    if (k < 60)
        return implemented[below(n)];
    if (k < 88)
        return (long)below(461);
    switch (below(8)) {
    case 0: return -1;
    case 1: return 461 + (long)below(600);
    case 2: return 512;
    case 3: return 0x7fffffff;
    case 4: return (long)((1ULL << 32) | SYS_exit_group);   /* not exit_group: the number is 64-bit */
    case 5: return (long)((1ULL << 32) | SYS_getpid);
    case 6: return (long)(1ULL << 63);
    default: return (long)rnd();
    }
}

static int is_implemented(long nr)
{
    for (unsigned i = 0; i < sizeof(implemented) / sizeof(implemented[0]); i++)
        if (implemented[i] == nr)
            return 1;
    return 0;
}

static void cleanup(void)
{
    uint64_t a[6] = {0};

    for (long fd = 3; fd < 80; fd++) {
        a[0] = (uint64_t)fd;
        call(SYS_close, a, 0);
    }
}

int main(int argc, char **argv)
{
    if (torovj_boot_info() == NULL) {
        fprintf(stderr, "fuzz: refusing to run natively (it makes hostile system calls)\n");
        return 2;
    }
    if (argc < 4) {
        fprintf(stderr, "usage: fuzz SEED N RAMSIZE [PORT [PATH...]]\n");
        return 2;
    }
    uint64_t seed = strtoull(argv[1], NULL, 0);
    long n = strtol(argv[2], NULL, 0);
    ram = strtoull(argv[3], NULL, 0);
    port = argc > 4 ? atoi(argv[4]) : 0;
    nextra = argc > 5 ? argc - 5 : 0;
    extra = argv + 5;
    if (n < 0 || ram < 4UL << 20 || (ram & 0xfff) != 0 || port < 0 || port > 65534) {
        fprintf(stderr, "fuzz: bad arguments\n");
        return 2;
    }
    rng = seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
    if (rng == 0)
        rng = 1;
    brk0 = (uint64_t)sys_brk(NULL);
    heap_end = ram - STACK_SIZE;
    if (brk0 == 0 || brk0 >= heap_end || (uint64_t)scratch + SCRATCH_SIZE > brk0) {
        fprintf(stderr, "fuzz: unexpected memory layout: brk=0x%lx heap_end=0x%lx scratch=%p\n", brk0, heap_end, scratch);
        return 2;
    }
    memset(longname, 'a', sizeof longname - 1);
    memset(longcomp, 'b', sizeof longcomp - 1);
    for (unsigned i = 0; i < sizeof maxpath - 1; i++)
        maxpath[i] = (i % 64 == 63) ? '/' : 'c';
    for (unsigned i = 0; i < SCRATCH_SIZE; i++)
        scratch[i] = (unsigned char)rnd();
    for (int i = 0; i < MAX_TRACKED; i++) {
        fds[i] = 3 + i;
        socks[i] = 3 + i;
        maps[i] = (long)brk0;
    }

    for (long i = 0; i < n; i++) {
        uint64_t a[6];
        long nr = pick_number();

        if (nr == SYS_exit || nr == SYS_exit_group)
            nr = SYS_getppid;
        if (is_implemented(nr) && chance(90)) {
            for (int j = 0; j < 6; j++)
                a[j] = 0;
            typed_args(nr, a);
        } else {
            for (int j = 0; j < 6; j++)
                a[j] = generic();
        }
        sanitize(nr, a);
        long r = call(nr, a, 1);

        if (r >= 0) {
            if (nr == SYS_accept)
                call(SYS_close, (uint64_t[6]){(uint64_t)r, 0, 0, 0, 0, 0}, 0);
            else if (nr == SYS_open || nr == SYS_openat)
                track(fds, r);
            else if (nr == SYS_socket || nr == SYS_accept4)
                track(socks, r);
            else if (nr == SYS_mmap)
                track(maps, r);
        }
        if (i % 1000 == 999)
            cleanup();
        if (i % 97 == 0)        /* the scratch buffer fills with what reads brought back: refresh some */
            for (int j = 0; j < 64; j++)
                scratch[below(SCRATCH_SIZE)] = (unsigned char)rnd();
    }
    cleanup();

    sys_lseek(STDOUT_FILENO, 0, SEEK_END);
    if (getenv("FUZZ_STATS"))           /* per-number results, to see what the fuzzing reached */
        for (int i = 0; i < 512; i++)
            if (is_implemented(i))
                fprintf(stderr, "\nfuzz-stats: %3d: %6ld calls %6ld ok", i, stat_calls[i], stat_ok[i]);
    printf("\nfuzz: %ld calls, %ld errors\n", n, errors);
    if (malformed) {
        fprintf(stderr, "fuzz: %ld malformed results\n", malformed);
        return 1;
    }
    return 0;
}
