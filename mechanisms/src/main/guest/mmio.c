/*
 * mmio.c - guest half of the "mmio" transport.
 *
 * Same request block as "pio", but the doorbell is a 4-byte store of 1 to
 * boot_info->doorbell_mmio, a guest-physical address with no memory slot
 * behind it, so KVM exits with KVM_EXIT_MMIO (len 4). The monitor executes
 * the call, writes request->ret and resumes after the store.
 */
#include <stdint.h>

#include "torovj_abi.h"
#include "torovj_transport.h"

static volatile struct torovj_request *mmio_request;
static volatile uint32_t *mmio_doorbell;

static int mmio_init(const struct torovj_boot_info *bi)
{
    if (bi->request_block == 0 || (bi->request_block & 7) != 0)
        return -1;
    if (bi->doorbell_mmio == 0 || (bi->doorbell_mmio & 3) != 0)
        return -1;
    mmio_request = (volatile struct torovj_request *)bi->request_block;
    mmio_doorbell = (volatile uint32_t *)bi->doorbell_mmio;
    return 0;
}

static long mmio_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    volatile struct torovj_request *r = mmio_request;

    torovj_request_fill(r, nr, a0, a1, a2, a3, a4, a5);
    /* Exactly one 4-byte store (movl $1, mem); the "memory" clobber orders
     * it after the request stores and before the load of ret. */
    __asm__ volatile("movl $1, %0" : "=m"(*mmio_doorbell) : : "memory");
    return (long)r->ret;
}

static const struct torovj_transport mmio_transport = {
    .name = "mmio",
    .init = mmio_init,
    .syscall6 = mmio_syscall6,
};
TOROVJ_TRANSPORT(mmio_transport);
