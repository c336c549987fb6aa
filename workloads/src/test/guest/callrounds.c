/*
 * callrounds ROUNDS N: ROUNDS rounds of { an idle spell without system calls;
 * N x getppid; write one byte to stdout; read one byte from stdin }. Made for
 * the allocation test: the test reads each round's byte, looks at the monitor
 * threads' allocation counters while the guest waits for its stdin byte, and
 * only then lets it go on, so that between two looks the monitor has served
 * exactly one round and nothing else. The idle spell (IDLE_TICKS of the TSC:
 * 1-3 ms on current CPUs) outlasts the aring poller's spin budget (50 us), so
 * every round also has aring's poller fall asleep and the first call ring its
 * doorbell: that path is warmed up and measured like the others.
 * Checks that every getppid returns the same non-negative value.
 * stdout: ROUNDS bytes 'r' (exit 0), or an error on stderr (exit 1).
 */
#include "torovj.h"

#define IDLE_TICKS 5000000ULL

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? strtol(argv[1], NULL, 0) : 0;
    long n = argc > 2 ? strtol(argv[2], NULL, 0) : 0;

    if (rounds <= 0 || n <= 0) {
        fprintf(stderr, "usage: callrounds ROUNDS>0 N>0\n");
        return 2;
    }
    long first = sys_getppid();
    if (first < 0) {
        fprintf(stderr, "callrounds: getppid failed: %s\n", strerror((int)-first));
        return 1;
    }
    for (long r = 0; r < rounds; r++) {
        uint64_t start = torovj_rdtsc();
        while (torovj_rdtsc() - start < IDLE_TICKS)
            ;                               /* idle: no system call */
        for (long i = 0; i < n; i++) {
            long p = sys_getppid();
            if (p != first) {
                fprintf(stderr, "callrounds: getppid returned %ld in round %ld, %ld before\n", p, r, first);
                return 1;
            }
        }
        char c = 'r';
        long w = sys_write(1, &c, 1);
        if (w != 1) {
            fprintf(stderr, "callrounds: write of round %ld returned %ld\n", r, w);
            return 1;
        }
        long got = sys_read(0, &c, 1);
        if (got != 1) {
            fprintf(stderr, "callrounds: read after round %ld returned %ld\n", r, got);
            return 1;
        }
    }
    return 0;
}
