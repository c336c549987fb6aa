/*
 * think K THINK_NS [TSC_HZ [MAX_NS]]: K x getppid with THINK_NS nanoseconds of guest
 * computation between two calls (no syscall while thinking), to show what a
 * transport costs while the guest is not calling: a polling transport's host
 * thread keeps spinning through the think time, an exit-based one sleeps.
 *
 * Each call is timed alone (TSC cycles, the think time excluded) and recorded
 * with torovj_lat_record, as nullcall does. The think time is a spin on the
 * TSC: TSC_HZ gives its frequency (the bench passes the one it calibrated, so
 * that think time and samples use the same clock); without it (or 0) the
 * program calibrates the TSC against CLOCK_MONOTONIC over CALIBRATION_NS
 * before the first timed call. MAX_NS (0: none) ends the run early, after
 * the call that finds MAX_NS passed since the first: it bounds a run's time
 * where calls turn out far slower than expected (a loaded host); the calls
 * made are what the report line and the samples count.
 *
 * stdout, one line:
 *   think: N calls, think THINK_NS ns, thought T ns, wall W ns, tsc_hz H
 * T: the think time the TSC measured, summed over the N-1 pauses between calls
 * (at least (N-1) x THINK_NS by construction); W: CLOCK_MONOTONIC from the
 * first call to the last (calls and pauses), an independent clock for a check.
 */
#include "torovj.h"

#define CALIBRATION_NS 50000000L   /* 50 ms: ~0.1% error even if a clock read takes 50 us */
#define MAX_THINK_NS   1000000000L /* 1 s: with TSC_HZ <= 10 GHz, think_ns * tsc_hz fits in 64 bits */
#define NS_PER_S       1000000000UL

static long monotonic_ns(void)
{
    struct timespec ts;
    long r = sys_clock_gettime(CLOCK_MONOTONIC, &ts);

    if (r < 0) {
        fprintf(stderr, "think: clock_gettime failed: %s\n", strerror((int)-r));
        exit(1);
    }
    return ts.tv_sec * (long)NS_PER_S + ts.tv_nsec;
}

/*
 * One clock reading and the TSC at that moment: the reading bracketed by two
 * TSC reads, the tightest bracket of a few tries (a try the vCPU was
 * descheduled in has a wide bracket and loses).
 */
static void clock_and_tsc(long *ns, uint64_t *tsc)
{
    uint64_t best = ~0ULL;

    for (int i = 0; i < 5; i++) {
        uint64_t a = torovj_rdtsc();
        long t = monotonic_ns();
        uint64_t b = torovj_rdtsc();
        if (b - a < best) {
            best = b - a;
            *ns = t;
            *tsc = a + (b - a) / 2;
        }
    }
}

static uint64_t calibrate_tsc_hz(void)
{
    long ns0, ns1;
    uint64_t c0, c1;

    clock_and_tsc(&ns0, &c0);
    do {
        clock_and_tsc(&ns1, &c1);
    } while (ns1 - ns0 < CALIBRATION_NS);
    return (c1 - c0) * NS_PER_S / (uint64_t)(ns1 - ns0);
}

/* Spins until `cycles` TSC cycles have passed since `from`; returns the TSC then. */
static uint64_t think(uint64_t from, uint64_t cycles)
{
    uint64_t now;

    do {
        now = torovj_rdtsc();
    } while (now - from < cycles);
    return now;
}

int main(int argc, char **argv)
{
    long k = argc > 1 ? strtol(argv[1], NULL, 0) : 0;
    long think_ns = argc > 2 ? strtol(argv[2], NULL, 0) : -1;
    long hz_arg = argc > 3 ? strtol(argv[3], NULL, 0) : 0;
    long max_ns = argc > 4 ? strtol(argv[4], NULL, 0) : 0;

    if (argc < 3 || argc > 5 || k <= 0 || think_ns < 0 || think_ns > MAX_THINK_NS || hz_arg < 0
        || hz_arg > 10 * (long)NS_PER_S || max_ns < 0 || max_ns > 1000 * (long)NS_PER_S) {
        fprintf(stderr, "usage: think K>0 THINK_NS(0..%ld) [TSC_HZ [MAX_NS(0..1000 s)]]\n", MAX_THINK_NS);
        return 2;
    }
    uint64_t hz = hz_arg > 0 ? (uint64_t)hz_arg : calibrate_tsc_hz();
    uint64_t think_cycles = (uint64_t)think_ns * hz / NS_PER_S;
    /* max_ns <= 1000 s and hz <= 10 GHz: the product fits in 64 bits after dividing hz first */
    uint64_t max_cycles = (uint64_t)max_ns * (hz / 1000) / (NS_PER_S / 1000);
    uint64_t thought = 0;
    long calls = 0;

    long wall0 = monotonic_ns();
    uint64_t first = torovj_rdtsc();
    for (long i = 0; i < k; i++) {
        uint64_t t0 = torovj_rdtsc();
        long r = sys_getppid();
        uint64_t t1 = torovj_rdtsc();
        torovj_lat_record(t1 - t0);
        if (r < 0) {
            fprintf(stderr, "think: getppid failed at call %ld: %s\n", i, strerror((int)-r));
            return 1;
        }
        calls++;
        if (max_cycles > 0 && t1 - first >= max_cycles)
            break;
        if (think_cycles > 0 && i + 1 < k) /* think 0: back to back, as nullcall */
            thought += think(t1, think_cycles) - t1;
    }
    long wall = monotonic_ns() - wall0;

    printf("think: %ld calls, think %ld ns, thought %lu ns, wall %ld ns, tsc_hz %lu\n", calls, think_ns,
           (unsigned long)(thought / hz * NS_PER_S + thought % hz * NS_PER_S / hz), wall, (unsigned long)hz);
    return 0;
}
