/*
 * idlecalls [ROUNDS=100] [IDLE_US=500]: ROUNDS rounds of { getppid; busy-wait
 * IDLE_US microseconds without any system call (rdtsc loop) }, then a final
 * getppid. Made for the "aring" transport: each idle spell is longer than its
 * poller's spin budget, so the poller sleeps and the next call rings the
 * doorbell. The TSC rate is calibrated first against CLOCK_MONOTONIC (about
 * 20 ms of clock_gettime calls).
 * Checks that every getppid returns the same non-negative value.
 * stdout: "idlecalls: ROUNDS rounds of IDLE_US us idle" (exit 0), or an error
 * on stderr (exit 1).
 */
#include "torovj.h"

static int64_t now_ns(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return -1;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? strtol(argv[1], NULL, 0) : 100;
    long idle_us = argc > 2 ? strtol(argv[2], NULL, 0) : 500;

    if (rounds <= 0 || idle_us < 0 || idle_us > 10 * 1000 * 1000) {
        fprintf(stderr, "usage: idlecalls [ROUNDS>0] [0<=IDLE_US<=10000000]\n");
        return 2;
    }

    /* TSC ticks per microsecond */
    int64_t ns0 = now_ns(), ns1;
    uint64_t tsc0 = torovj_rdtsc(), tsc1;
    do {
        ns1 = now_ns();
        tsc1 = torovj_rdtsc();
    } while (ns0 >= 0 && ns1 >= 0 && ns1 - ns0 < 20 * 1000 * 1000);
    if (ns0 < 0 || ns1 < 0 || tsc1 <= tsc0) {
        fprintf(stderr, "idlecalls: cannot calibrate the TSC\n");
        return 1;
    }
    uint64_t ticks_per_us = (tsc1 - tsc0) * 1000 / (uint64_t)(ns1 - ns0);
    if (ticks_per_us == 0)
        ticks_per_us = 1;
    uint64_t idle_ticks = (uint64_t)idle_us * ticks_per_us;

    long first = sys_getppid();
    if (first < 0) {
        fprintf(stderr, "idlecalls: getppid failed: %s\n", strerror((int)-first));
        return 1;
    }
    for (long i = 0; i < rounds; i++) {
        uint64_t start = torovj_rdtsc();
        while (torovj_rdtsc() - start < idle_ticks)
            ;                               /* idle: no system call */
        long r = sys_getppid();
        if (r != first) {
            fprintf(stderr, "idlecalls: getppid returned %ld in round %ld, %ld before\n", r, i, first);
            return 1;
        }
    }
    printf("idlecalls: %ld rounds of %ld us idle\n", rounds, idle_us);
    return 0;
}
