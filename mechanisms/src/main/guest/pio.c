/*
 * pio.c - guest half of the "pio" transport.
 *
 * The syscall goes into vCPU 0's struct torovj_request (nr, args), then an
 * `outb` to boot_info->doorbell_port traps to the monitor (KVM_EXIT_IO),
 * which executes the call and writes request->ret before resuming the vCPU
 * after the out instruction. The TSS I/O permission bitmap grants CPL3 code
 * this one port (IOPL is 0): any other port is a #GP.
 */
#include <stdint.h>

#include "torovj_abi.h"
#include "torovj_transport.h"

static volatile struct torovj_request *pio_request;
static uint16_t pio_port;

static int pio_init(const struct torovj_boot_info *bi)
{
    if (bi->request_block == 0 || (bi->request_block & 7) != 0)
        return -1;
    if (bi->doorbell_port == 0 || bi->doorbell_port > 0xffff)
        return -1;
    pio_request = (volatile struct torovj_request *)bi->request_block;
    pio_port = (uint16_t)bi->doorbell_port;
    return 0;
}

static long pio_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    volatile struct torovj_request *r = pio_request;

    torovj_request_fill(r, nr, a0, a1, a2, a3, a4, a5);
    /* The "memory" clobber keeps every store above before the doorbell and
     * the load of ret below after it (also covers buffers the args point to). */
    __asm__ volatile("outb %%al, %%dx" : : "a"((uint8_t)0), "d"(pio_port) : "memory");
    return (long)r->ret;
}

static const struct torovj_transport pio_transport = {
    .name = "pio",
    .init = pio_init,
    .syscall6 = pio_syscall6,
};
TOROVJ_TRANSPORT(pio_transport);
