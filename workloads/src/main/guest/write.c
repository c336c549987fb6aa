/*
 * write [N=100000] [B=64]: opens /dev/null and writes B bytes N times; each
 * write is timed and recorded. stdout: "write: N x B bytes".
 */
#include "torovj.h"

#define MAX_B 65536

static unsigned char buf[MAX_B];

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 0) : 100000;
    long b = argc > 2 ? strtol(argv[2], NULL, 0) : 64;

    if (n <= 0 || b <= 0 || b > MAX_B) {
        fprintf(stderr, "usage: write [N>0] [0<B<=%d]\n", MAX_B);
        return 2;
    }
    for (long i = 0; i < b; i++)
        buf[i] = (unsigned char)('a' + i % 26);

    int fd = open("/dev/null", O_WRONLY);
    if (fd < 0) {
        fprintf(stderr, "write: open /dev/null: %s\n", strerror(errno));
        return 1;
    }
    for (long i = 0; i < n; i++) {
        uint64_t t0 = torovj_rdtsc();
        long r = sys_write(fd, buf, (size_t)b);
        uint64_t t1 = torovj_rdtsc();
        torovj_lat_record(t1 - t0);
        if (r != b) {
            fprintf(stderr, "write: write %ld returned %ld (%s), expected %ld\n", i, r,
                    r < 0 ? strerror((int)-r) : "short write", b);
            close(fd);
            return 1;
        }
    }
    if (close(fd) < 0) {
        fprintf(stderr, "write: close: %s\n", strerror(errno));
        return 1;
    }
    printf("write: %ld x %ld bytes\n", n, b);
    return 0;
}
