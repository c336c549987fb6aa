/*
 * syspages VARIANT: user code reaching for the monitor's system pages, which
 * the page tables make supervisor-only (GDT+TSS with its I/O bitmap, IDT,
 * page tables, exception stack and handlers) or read-only (boot info). Each
 * variant must end the VM with a #PF report (protection violation: the page
 * is present, user code may not use it); if the access returns instead, the
 * program says so on stdout and exits 3.
 *
 *   read-tss         load from the TSS (0x1100)
 *   write-iobitmap   store into the TSS's I/O bitmap, to grant itself a port
 *   write-bootinfo   store into the boot information page (0x8000)
 *   jump-handler     call the exception handlers' report code at CPL3, to
 *                    forge a fault report
 */
#include "torovj.h"

#define TSS          0x1100UL
#define IO_BITMAP    (TSS + 104)
#define BOOT_INFO    0x8000UL
#define HANDLER_CODE 0x1800UL

__attribute__((noreturn)) static void survived(const char *v, uint64_t value)
{
    printf("syspages: %s survived, read 0x%lx\n", v, value);
    exit(3);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: syspages VARIANT\n");
        return 2;
    }
    const char *v = argv[1];
    uint64_t value = 0;

    printf("syspages: %s\n", v);
    if (strcmp(v, "read-tss") == 0) {
        value = *(volatile uint64_t *)TSS;
    } else if (strcmp(v, "write-iobitmap") == 0) {
        *(volatile uint8_t *)(IO_BITMAP + 0x80 / 8) = 0;
    } else if (strcmp(v, "write-bootinfo") == 0) {
        *(volatile uint64_t *)BOOT_INFO = 0;
    } else if (strcmp(v, "jump-handler") == 0) {
        __asm__ volatile("call *%0" : : "r"(HANDLER_CODE + 33 * 16) : "memory");
    } else {
        fprintf(stderr, "syspages: unknown variant %s\n", v);
        return 2;
    }
    survived(v, value);
}
