/*
 * floor pio|mmio [N=10000]: rings the monitor's null doorbell N times and
 * records the latency of each ring: the bare cost of one VM exit and
 * re-entry, with no syscall work (the floor of the exit-based transports).
 * Only meaningful under the monitor: natively there is no doorbell, so the
 * native build prints the line without ringing anything.
 */
#include "torovj.h"

static int under_monitor(void)
{
    return torovj_boot_info() != NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "pio") != 0 && strcmp(argv[1], "mmio") != 0)) {
        fprintf(stderr, "usage: floor pio|mmio [N]\n");
        return 2;
    }
    int mmio = strcmp(argv[1], "mmio") == 0;
    long n = argc > 2 ? strtol(argv[2], NULL, 0) : 10000;
    if (n <= 0) {
        fprintf(stderr, "floor: N must be positive\n");
        return 2;
    }
    if (under_monitor()) {
        volatile uint32_t *bell = (volatile uint32_t *)TOROVJ_NULL_MMIO;
        for (long i = 0; i < n; i++) {
            uint64_t t0 = torovj_rdtsc();
            if (mmio)
                *bell = 1;
            else
                __asm__ volatile("outb %%al, %%dx" : : "a"((uint8_t)0), "d"((uint16_t)TOROVJ_NULL_PORT) : "memory");
            torovj_lat_record(torovj_rdtsc() - t0);
        }
    }
    printf("floor: %ld %s doorbells\n", n, argv[1]);
    return 0;
}
