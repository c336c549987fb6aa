/*
 * mmap [N=1000] [PAGES=16]: N x (mmap an anonymous private RW region of
 * PAGES pages, check every page reads as zero and write one byte in it,
 * munmap). mmap and munmap are each timed and recorded (2N samples).
 * stdout: "mmap: N x PAGES pages".
 */
#include "torovj.h"

static int page_is_zero(const volatile uint64_t *p)
{
    for (size_t i = 0; i < TOROVJ_PAGE_SIZE / sizeof *p; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 0) : 1000;
    long pages = argc > 2 ? strtol(argv[2], NULL, 0) : 16;

    if (n <= 0 || pages <= 0 || pages > (1L << 20)) {
        fprintf(stderr, "usage: mmap [N>0] [PAGES>0]\n");
        return 2;
    }
    size_t len = (size_t)pages * TOROVJ_PAGE_SIZE;

    for (long i = 0; i < n; i++) {
        uint64_t t0 = torovj_rdtsc();
        long r = sys_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        uint64_t t1 = torovj_rdtsc();
        torovj_lat_record(t1 - t0);
        if ((unsigned long)r > -4096UL) {
            fprintf(stderr, "mmap: mmap %ld of %zu bytes failed: %s\n", i, len, strerror((int)-r));
            return 1;
        }
        if (r == 0 || (r & (TOROVJ_PAGE_SIZE - 1)) != 0) {
            fprintf(stderr, "mmap: mmap %ld returned an unaligned address %#lx\n", i, r);
            return 1;
        }
        volatile unsigned char *p = (volatile unsigned char *)r;
        for (long pg = 0; pg < pages; pg++) {
            volatile unsigned char *page = p + pg * TOROVJ_PAGE_SIZE;
            if (!page_is_zero((const volatile uint64_t *)page)) {
                fprintf(stderr, "mmap: mmap %ld: page %ld at %p is not zero-filled\n", i, pg, (void *)page);
                return 1;
            }
            page[pg % TOROVJ_PAGE_SIZE] = (unsigned char)(i + 1) | 1;
        }
        t0 = torovj_rdtsc();
        r = sys_munmap((void *)p, len);
        t1 = torovj_rdtsc();
        torovj_lat_record(t1 - t0);
        if (r != 0) {
            fprintf(stderr, "mmap: munmap %ld failed: %s\n", i, strerror((int)-r));
            return 1;
        }
    }
    printf("mmap: %ld x %ld pages\n", n, pages);
    return 0;
}
