/*
 * tschz [MILLIS=200]: prints the TSC frequency in Hz, calibrated against
 * CLOCK_MONOTONIC_RAW over MILLIS milliseconds (median of 5 rounds). The
 * benchmark converts the workloads' rdtsc latency samples with it. Host tool.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <x86intrin.h>

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    long ms = argc > 1 ? strtol(argv[1], NULL, 0) : 200;
    if (ms <= 0 || ms > 10000) {
        fprintf(stderr, "usage: tschz [MILLIS (1..10000)]\n");
        return 2;
    }
    double hz[5];
    for (int r = 0; r < 5; r++) {
        uint64_t t0 = now_ns(), c0 = __rdtsc();
        uint64_t t1;
        do t1 = now_ns(); while (t1 - t0 < (uint64_t)ms * 1000000ull / 5);
        uint64_t c1 = __rdtsc();
        hz[r] = (double)(c1 - c0) * 1e9 / (double)(t1 - t0);
    }
    qsort(hz, 5, sizeof hz[0], cmp);
    printf("%.0f\n", hz[2]);
    return 0;
}
