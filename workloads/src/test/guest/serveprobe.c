/*
 * serveprobe MODE: a guest for `torovj serve`'s tests.
 *   echo       copies stdin to stdout; writes "echo: N bytes" to stderr
 *   secret     looks for a secret ("SECRET-...") that an earlier run left in its
 *              data, bss, heap (brk), stack, mmap area, register xmm15 or as an
 *              open fd 3, prints "clean" or "leak: WHERE...", then plants the
 *              secret it reads from stdin in all of those places (fd 3: a socket
 *              it leaves open)
 *   canary     prints the 16 AT_RANDOM bytes of its initial stack in hex
 *   spin       loops for ever (for the CPU-time and wall-clock limits)
 *   sleep MS   busy-waits MS milliseconds by the clock, then prints "slept MS"
 *   flood      writes to stdout until a write fails; reports the count on stderr
 */
#include "torovj.h"

#define MARK "SECRET-"
#define AREA 65536

static char data_area[256] = "pristine data";
static char bss_area[256];

static int holds_mark(const volatile char *p, size_t n)
{
    size_t m = sizeof MARK - 1;
    for (size_t i = 0; i + m <= n; i++) {
        size_t j = 0;
        while (j < m && p[i + j] == MARK[j])
            j++;
        if (j == m)
            return 1;
    }
    return 0;
}

/* reads what an earlier frame left below the stack pointer: uninitialized on purpose */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((noinline)) static int stack_holds_mark(void)
{
    volatile char frame[8192];
    return holds_mark(frame, sizeof frame);
}
#pragma GCC diagnostic pop

__attribute__((noinline)) static void plant_on_stack(const char *secret, size_t n)
{
    volatile char frame[8192];
    for (size_t off = 0; off + n <= sizeof frame; off += 1024)
        for (size_t i = 0; i < n; i++)
            frame[off + i] = secret[i];
    __asm__ volatile("" : : "r"(frame) : "memory");
}

/* xmm15: no code of the runtime's uses it, so what the last run left there stays until a reset */
static void read_xmm15(char out[16])
{
    __asm__ volatile("movdqu %%xmm15, (%0)" : : "r"(out) : "memory");
}

static void write_xmm15(const char in[16])
{
    __asm__ volatile("movdqu (%0), %%xmm15" : : "r"(in) : "xmm15");
}

static int secret(void)
{
    char *brk0 = (char *)sys_brk(0);
    if ((long)sys_brk(brk0 + AREA) < (long)(brk0 + AREA)) {
        fprintf(stderr, "serveprobe: brk failed\n");
        return 4;
    }
    char *map = mmap(NULL, AREA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        fprintf(stderr, "serveprobe: mmap failed\n");
        return 4;
    }
    struct stat st;
    int leaks = 0;
    if (holds_mark(data_area, sizeof data_area) || strcmp(data_area, "pristine data") != 0) {
        printf("leak: data\n");
        leaks++;
    }
    if (holds_mark(bss_area, sizeof bss_area)) {
        printf("leak: bss\n");
        leaks++;
    }
    if (holds_mark(brk0, AREA)) {
        printf("leak: heap\n");
        leaks++;
    }
    if (holds_mark(map, AREA)) {
        printf("leak: mmap\n");
        leaks++;
    }
    if (stack_holds_mark()) {
        printf("leak: stack\n");
        leaks++;
    }
    char reg[16];
    read_xmm15(reg);
    if (holds_mark(reg, sizeof reg)) {
        printf("leak: xmm15\n");
        leaks++;
    }
    if (fstat(3, &st) == 0) {
        printf("leak: fd 3 is open\n");
        leaks++;
    }
    if (leaks == 0)
        printf("clean\n");

    char in[128];
    long n = read(0, in, sizeof in - 1);
    if (n <= 0 || strncmp(in, MARK, sizeof MARK - 1) != 0) {
        fprintf(stderr, "serveprobe: stdin must start with %s\n", MARK);
        return 2;
    }
    in[n] = 0;
    memcpy(data_area, in, (size_t)n + 1);
    memcpy(bss_area, in, (size_t)n + 1);
    memcpy(brk0 + 100, in, (size_t)n);
    memcpy(map + 100, in, (size_t)n);
    plant_on_stack(in, (size_t)n);
    memset(reg, 0, sizeof reg);
    memcpy(reg, in, (size_t)n < sizeof reg ? (size_t)n : sizeof reg);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        fprintf(stderr, "serveprobe: socket: %s\n", strerror(errno));
        return 4;
    }
    fprintf(stderr, "planted %ld bytes, fd %d\n", n, fd);
    write_xmm15(reg);       /* last: nothing after it may touch xmm15 */
    return 0;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int main(int argc, char **argv)
{
    static char buf[4096];
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "echo") == 0) {
        long total = 0, n;
        while ((n = read(0, buf, sizeof buf)) > 0) {
            for (long done = 0; done < n;) {
                long w = write(1, buf + done, (size_t)(n - done));
                if (w <= 0)
                    return 3;
                done += w;
            }
            total += n;
        }
        fprintf(stderr, "echo: %ld bytes\n", total);
        return n < 0 ? 3 : 0;
    }
    if (strcmp(mode, "secret") == 0)
        return secret();
    if (strcmp(mode, "canary") == 0) {
        char **p = argv + argc + 1;         /* past argv's NULL: envp, then the auxiliary vector */
        while (*p)
            p++;
        for (unsigned long *aux = (unsigned long *)(p + 1); aux[0] != 0; aux += 2) {
            if (aux[0] == 25) {             /* AT_RANDOM */
                const unsigned char *r = (const unsigned char *)aux[1];
                for (int i = 0; i < 16; i++)
                    printf("%02x", r[i]);
                printf("\n");
                return 0;
            }
        }
        fprintf(stderr, "serveprobe: no AT_RANDOM\n");
        return 4;
    }
    if (strcmp(mode, "spin") == 0) {
        for (;;)
            __asm__ volatile("" ::: "memory");
    }
    if (strcmp(mode, "sleep") == 0 && argc > 2) {
        long ms = strtol(argv[2], NULL, 10), until = now_ms() + ms;
        while (now_ms() < until)
            ;
        printf("slept %ld\n", ms);
        return 0;
    }
    if (strcmp(mode, "flood") == 0) {
        memset(buf, 'x', sizeof buf);
        long total = 0, w;
        while ((w = write(1, buf, sizeof buf)) > 0)
            total += w;
        fprintf(stderr, "flood: %ld bytes, then %s\n", total, strerror(errno));
        return 0;
    }
    fprintf(stderr, "usage: serveprobe echo|secret|canary|spin|sleep MS|flood\n");
    return 2;
}
