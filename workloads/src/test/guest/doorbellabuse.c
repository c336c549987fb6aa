/*
 * doorbellabuse VARIANT: misuses a transport's doorbell, or the device
 * window or port space around it. Every variant must end the VM with a
 * report; if the access returns instead, the program says what it read on
 * stdout ("doorbellabuse: VARIANT survived, read 0x...") and exits 3.
 *
 * mmio transport (doorbell = boot_info->doorbell_mmio, a 4-byte store):
 *   mmio-byte       1-byte store to the doorbell
 *   mmio-word       2-byte store to the doorbell
 *   mmio-quad       8-byte store to the doorbell
 *   mmio-offset     4-byte store 4 bytes past the doorbell (same page)
 *   mmio-other-page 4-byte store two pages into the device window (no device)
 *   mmio-window-end 4-byte store to the last word of the device window
 *   mmio-load       4-byte load from the doorbell
 * pio transport (doorbell = boot_info->doorbell_port, an OUT):
 *   pio-in          IN (byte) from the doorbell port
 *   pio-in32        IN (dword) from the doorbell port
 *   pio-unclaimed   OUT to port 0x80, which no device claims
 *   pio-in-unclaimed IN from port 0x80
 *   pio-beyond-bitmap OUT to port 0x8000, past the TSS I/O bitmap
 *   pio-out32       4-byte OUT to the doorbell port (only its first port is granted)
 *   pio-rep-outs    rep outsb (4 bytes) to port 0x80
 * any transport (the exception handlers' report port, 0xF0, called
 * without an exception):
 *   fault-port-wild-rsp   OUT 0xF0 with rsp far outside RAM
 *   fault-port-garbage    OUT 0xF0 with rsp at a "frame" of garbage
 */
#include "torovj.h"

#define DEVICE_WINDOW     0x3FE00000UL
#define DEVICE_WINDOW_END 0x40000000UL
#define FAULT_PORT        0xF0
#define UNCLAIMED_PORT    0x80
#define HIGH_PORT         0x8000

static uint64_t frame[16];

__attribute__((noreturn)) static void survived(const char *v, uint64_t value)
{
    printf("doorbellabuse: %s survived, read 0x%lx\n", v, value);
    exit(3);
}

int main(int argc, char **argv)
{
    const struct torovj_boot_info *bi = torovj_boot_info();

    if (argc < 2 || bi == NULL) {
        fprintf(stderr, "usage: doorbellabuse VARIANT (under the monitor)\n");
        return 2;
    }
    const char *v = argv[1];
    uintptr_t bell = (uintptr_t)bi->doorbell_mmio;
    uint16_t port = (uint16_t)bi->doorbell_port;
    uint64_t value = 0;

    printf("doorbellabuse: %s\n", v);
    if (strncmp(v, "mmio-", 5) == 0 && bell == 0) {
        fprintf(stderr, "doorbellabuse: %s needs the mmio transport\n", v);
        return 2;
    }
    if ((strcmp(v, "pio-in") == 0 || strcmp(v, "pio-in32") == 0 || strcmp(v, "pio-out32") == 0) && port == 0) {
        fprintf(stderr, "doorbellabuse: %s needs a transport with a doorbell port\n", v);
        return 2;
    }
    /* each access is one plain mov/in/out; the "memory" clobbers keep the
     * printf above before it */
    if (strcmp(v, "mmio-byte") == 0) {
        __asm__ volatile("movb $1, (%0)" : : "r"(bell) : "memory");
    } else if (strcmp(v, "mmio-word") == 0) {
        __asm__ volatile("movw $1, (%0)" : : "r"(bell) : "memory");
    } else if (strcmp(v, "mmio-quad") == 0) {
        __asm__ volatile("movq $1, (%0)" : : "r"(bell) : "memory");
    } else if (strcmp(v, "mmio-offset") == 0) {
        __asm__ volatile("movl $1, (%0)" : : "r"(bell + 4) : "memory");
    } else if (strcmp(v, "mmio-other-page") == 0) {
        __asm__ volatile("movl $1, (%0)" : : "r"(DEVICE_WINDOW + 2 * 4096) : "memory");
    } else if (strcmp(v, "mmio-window-end") == 0) {
        __asm__ volatile("movl $1, (%0)" : : "r"(DEVICE_WINDOW_END - 4) : "memory");
    } else if (strcmp(v, "mmio-load") == 0) {
        uint32_t x;
        __asm__ volatile("movl (%1), %0" : "=r"(x) : "r"(bell) : "memory");
        value = x;
    } else if (strcmp(v, "pio-in") == 0) {
        uint8_t x;
        __asm__ volatile("inb %1, %0" : "=a"(x) : "d"(port) : "memory");
        value = x;
    } else if (strcmp(v, "pio-in32") == 0) {
        uint32_t x;
        __asm__ volatile("inl %1, %0" : "=a"(x) : "d"(port) : "memory");
        value = x;
    } else if (strcmp(v, "pio-unclaimed") == 0) {
        __asm__ volatile("outb %%al, %0" : : "i"(UNCLAIMED_PORT), "a"((uint8_t)0) : "memory");
    } else if (strcmp(v, "pio-in-unclaimed") == 0) {
        uint8_t x;
        __asm__ volatile("inb %1, %0" : "=a"(x) : "i"(UNCLAIMED_PORT) : "memory");
        value = x;
    } else if (strcmp(v, "pio-beyond-bitmap") == 0) {
        __asm__ volatile("outb %%al, %%dx" : : "d"((uint16_t)HIGH_PORT), "a"((uint8_t)0) : "memory");
    } else if (strcmp(v, "pio-out32") == 0) {
        __asm__ volatile("outl %%eax, %%dx" : : "d"(port), "a"(0u) : "memory");
    } else if (strcmp(v, "pio-rep-outs") == 0) {
        static const char bytes[4] = "abc";
        const char *src = bytes;
        unsigned long n = sizeof bytes;
        __asm__ volatile("rep outsb" : "+S"(src), "+c"(n) : "d"((uint16_t)UNCLAIMED_PORT) : "memory");
    } else if (strcmp(v, "fault-port-wild-rsp") == 0) {
        /* rsp is saved and restored around the OUT, in case it returns */
        __asm__ volatile("movq %%rsp, %%rbx\n\t"
                         "movabsq $0x7ff0deadbee0, %%rsp\n\t"
                         "outb %%al, %0\n\t"
                         "movq %%rbx, %%rsp"
                         : : "i"(FAULT_PORT), "a"((uint8_t)0) : "rbx", "memory");
    } else if (strcmp(v, "fault-port-garbage") == 0) {
        for (unsigned i = 0; i < sizeof frame / sizeof frame[0]; i++)
            frame[i] = 0xfedcba9876543210ULL * (i + 1);
        frame[3] = 0x80000000ULL;        /* vector (io.torovj.boot.GuestFault.VECTOR): an int that is negative */
        __asm__ volatile("movq %%rsp, %%rbx\n\t"
                         "movq %1, %%rsp\n\t"
                         "outb %%al, %0\n\t"
                         "movq %%rbx, %%rsp"
                         : : "i"(FAULT_PORT), "r"((uintptr_t)frame), "a"((uint8_t)0) : "rbx", "memory");
    } else {
        fprintf(stderr, "doorbellabuse: unknown variant %s\n", v);
        return 2;
    }
    survived(v, value);
}
