/*
 * badptr [ADDR=0x3ff00000]: write()s from buffers outside guest RAM and
 * checks each raw result is -EFAULT (-14):
 *   1. write(1, 0x7ffffffff000, 16)   far beyond any RAM
 *   2. write(1, ADDR, 16)             ADDR = end of guest RAM (the monitor's
 *                                     test passes the RAM size)
 *   3. write(1, ADDR - 8, 16)         straddles the end of RAM
 * stdout: "badptr: r1 r2 r3"; exit 0 iff all three are -14.
 */
#include "torovj.h"

int main(int argc, char **argv)
{
    unsigned long end = argc > 1 ? strtoul(argv[1], NULL, 0) : 0x3ff00000UL;

    if (end < 8) {
        fprintf(stderr, "usage: badptr [RAM_END>=8]\n");
        return 2;
    }
    long r1 = sys_write(STDOUT_FILENO, (const void *)0x7ffffffff000UL, 16);
    long r2 = sys_write(STDOUT_FILENO, (const void *)end, 16);
    long r3 = sys_write(STDOUT_FILENO, (const void *)(end - 8), 16);

    printf("badptr: %ld %ld %ld\n", r1, r2, r3);
    return r1 == -EFAULT && r2 == -EFAULT && r3 == -EFAULT ? 0 : 1;
}
