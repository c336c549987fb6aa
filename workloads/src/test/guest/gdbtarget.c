/*
 * gdbtarget [ROUNDS]: a guest for the GDB stub tests (GdbTest,
 * GdbProtocolTest). main calls tick(i) for i = 0 .. ROUNDS-1 (default 5);
 * each tick makes a system call (writes "tick I"), so that a breakpoint in
 * tick sits inside a syscall loop under every transport; then main prints the
 * total and exits with status 3. ROUNDS < 0: loop for ever, quietly (getpid
 * instead of the write), for interrupting with ctrl-C.
 *
 * Built without optimization (the pragma overrides the Makefile's -O2) so
 * that gdb can `next` over lines and print locals.
 */
#pragma GCC optimize("O0")
#include "torovj.h"

int tick_calls;
int quiet;

__attribute__((noinline)) int tick(int i)
{
    tick_calls++;
    if (quiet)
        getpid();
    else
        printf("tick %d\n", i);
    return i * 10;
}

int main(int argc, char **argv)
{
    int rounds = 5;
    int total = 0;

    if (argc > 1)
        rounds = atoi(argv[1]);
    quiet = rounds < 0;
    for (int i = 0; rounds < 0 || i < rounds; i++) {
        total += tick(i);
    }
    printf("gdbtarget: total=%d calls=%d\n", total, tick_calls);
    return 3;
}
