/*
 * nullread: prints a line, then loads from address 0. Under the monitor this
 * must be reported as a #PF at address 0; natively it is a SIGSEGV. If the
 * load ever completes, exit 3.
 */
#include "torovj.h"

int main(void)
{
    volatile int *p;

    printf("about to read NULL\n");
    /* launder the null pointer so gcc cannot see it and replace the load
     * with a trap of its own */
    __asm__ volatile("" : "=r"(p) : "0"(0L));
    int v = *p;
    fprintf(stderr, "nullread: read %d from NULL, no fault\n", v);
    return 3;
}
