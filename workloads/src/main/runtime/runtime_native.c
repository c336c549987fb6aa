/*
 * runtime_native.c - the native (baseline) variant: an ordinary Linux
 * process using the `syscall` instruction. No boot info, no transport.
 *
 * Latency samples go to an mmap'ed buffer laid out exactly like struct
 * torovj_latency_buffer (capacity, count, samples[]), allocated on first use
 * and prefaulted (MAP_POPULATE) so recording does not take page faults
 * between measurements. exit() writes it to $TOROVJ_LATENCY_FILE if set.
 */
#include "runtime.h"

#define NATIVE_LAT_CAPACITY (1024UL * 1024UL)

long torovj_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    long ret;
    register long r10 __asm__("r10") = a3;
    register long r8 __asm__("r8") = a4;
    register long r9 __asm__("r9") = a5;

    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

const struct torovj_boot_info *torovj_boot_info(void)
{
    return NULL;
}

const char *torovj_transport_name(void)
{
    return "native";
}

void __torovj_runtime_init(const unsigned long *auxv)
{
    (void)auxv;
}

/* Used if the mmap fails: capacity 0, so only the count is kept. */
static uint64_t lat_fallback[2];
static struct torovj_latency_buffer *lat;

static struct torovj_latency_buffer *lat_buffer(void)
{
    /* No file to write the samples to: keep only the count, so a run that is
     * not measuring latency has no 8 MiB buffer in its RSS. */
    if (getenv("TOROVJ_LATENCY_FILE") == NULL) {
        lat = (struct torovj_latency_buffer *)lat_fallback;
        return lat;
    }
    size_t bytes = sizeof(struct torovj_latency_buffer) + NATIVE_LAT_CAPACITY * sizeof(uint64_t);
    long r = sys_mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

    if ((unsigned long)r > -4096UL) {
        dprintf(STDERR_FILENO, "torovj: latency buffer mmap failed: %s; samples dropped\n",
                strerror((int)-r));
        lat = (struct torovj_latency_buffer *)lat_fallback;
        return lat;
    }
    lat = (struct torovj_latency_buffer *)r;
    lat->capacity = NATIVE_LAT_CAPACITY;
    lat->count = 0;
    return lat;
}

void torovj_lat_record(uint64_t cycles)
{
    struct torovj_latency_buffer *b = lat;

    if (__builtin_expect(b == NULL, 0))
        b = lat_buffer();
    uint64_t c = b->count;
    if (c < b->capacity)
        b->samples[c] = cycles;
    b->count = c + 1;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n) {
        ssize_t r = write(fd, c, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            errno = EIO;
        if (r <= 0)
            return -1;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

static int write_latency_file(const char *path)
{
    struct torovj_latency_buffer empty = { NATIVE_LAT_CAPACITY, 0 };
    const struct torovj_latency_buffer *b = lat ? lat : &empty;
    uint64_t n = b->count < b->capacity ? b->count : b->capacity;
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);

    if (fd < 0) {
        dprintf(STDERR_FILENO, "torovj: cannot open latency file %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    if (write_all(fd, b, sizeof *b + n * sizeof(uint64_t)) < 0) {
        dprintf(STDERR_FILENO, "torovj: cannot write latency file %s: %s\n", path, strerror(errno));
        rc = -1;
    }
    if (close(fd) < 0) {
        dprintf(STDERR_FILENO, "torovj: cannot close latency file %s: %s\n", path, strerror(errno));
        rc = -1;
    }
    return rc;
}

int __torovj_runtime_fini(int status)
{
    const char *path = getenv("TOROVJ_LATENCY_FILE");

    if (path && *path && write_latency_file(path) < 0 && status == 0)
        return 1;
    return status;
}
