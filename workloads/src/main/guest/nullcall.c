/*
 * nullcall [N=100000]: N x getppid, the cheapest syscall there is; each call
 * is timed (TSC cycles) and recorded with torovj_lat_record.
 * stdout: "nullcall: N calls".
 */
#include "torovj.h"

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 0) : 100000;

    if (n <= 0) {
        fprintf(stderr, "usage: nullcall [N>0]\n");
        return 2;
    }
    for (long i = 0; i < n; i++) {
        uint64_t t0 = torovj_rdtsc();
        long r = sys_getppid();
        uint64_t t1 = torovj_rdtsc();
        torovj_lat_record(t1 - t0);
        if (r < 0) {
            fprintf(stderr, "nullcall: getppid failed at call %ld: %s\n", i, strerror((int)-r));
            return 1;
        }
    }
    printf("nullcall: %ld calls\n", n);
    return 0;
}
