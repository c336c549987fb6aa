/*
 * sysretabuse VARIANT: misuses the syscall entry stub (boot info page + 0x800,
 * user-executable: on PVM the syscall instruction reaches it at CPL3). Each
 * variant must end the VM with a report; if it returns, the program says so
 * on stdout and exits 3.
 *   noncanonical  jump into the stub with rcx = a non-canonical address (what
 *                 sysretq would #GP on at CPL0)
 */
#include "torovj.h"

#define SYSCALL_ENTRY 0x8800UL

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: sysretabuse VARIANT\n");
        return 2;
    }
    printf("sysretabuse: %s\n", argv[1]);
    if (strcmp(argv[1], "noncanonical") == 0) {
        __asm__ volatile("movabsq $0x8000000000001000, %%rcx\n\t"
                         "movq $39, %%rax\n\t"              /* getpid */
                         "jmp *%0"
                         : : "r"(SYSCALL_ENTRY) : "rax", "rcx", "r11", "memory");
    } else {
        fprintf(stderr, "sysretabuse: unknown variant %s\n", argv[1]);
        return 2;
    }
    printf("sysretabuse: %s survived\n", argv[1]);
    return 3;
}
