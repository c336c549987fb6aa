/*
 * torovj_transport.h - guest transport registry (VM builds only), shared by
 * the transports' guest halves (mechanisms/, compiled by mechanisms/Makefile)
 * and the VM runtime that picks one (workloads/src/main/runtime/runtime_vm.c);
 * it lives next to torovj_abi.h because mechanisms is built before workloads.
 *
 * Each transport's guest half (mechanisms/src/main/guest/<name>.c) defines
 * one struct torovj_transport and registers it with TOROVJ_TRANSPORT(var),
 * which puts a pointer to it into the "torovj_transports" section. The VM
 * runtime walks __start_torovj_transports..__stop_torovj_transports (symbols
 * provided by the linker) and picks the entry whose name equals
 * boot_info->transport. Nothing else lists transports: adding one means
 * dropping a .c file into mechanisms/src/main/guest/.
 */
#ifndef TOROVJ_TRANSPORT_H
#define TOROVJ_TRANSPORT_H

#include "torovj_abi.h"

struct torovj_transport {
    const char *name;
    /* 0 on success; anything else makes the runtime stop with ud2. */
    int (*init)(const struct torovj_boot_info *bi);
    /* Forward one syscall; return the raw Linux result (-errno on failure). */
    long (*syscall6)(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
};

#define TOROVJ_TRANSPORT(var)                                               \
    static const struct torovj_transport *const torovj_transport_entry_##var \
        __attribute__((used, section("torovj_transports"),                  \
                       aligned(sizeof(void *)))) = &(var)

/* Weak: a VM build with no transport at all still links (and ud2s at boot). */
extern const struct torovj_transport *const __start_torovj_transports[] __attribute__((weak));
extern const struct torovj_transport *const __stop_torovj_transports[] __attribute__((weak));

/* Fill a request block (nr and six args) before ringing a doorbell; shared by
 * the exit-based transports. The caller's asm "memory" clobber orders these
 * stores before the doorbell. */
static inline void torovj_request_fill(volatile struct torovj_request *r, long nr, long a0, long a1,
                                       long a2, long a3, long a4, long a5)
{
    r->nr = (uint64_t)nr;
    r->args[0] = (uint64_t)a0;
    r->args[1] = (uint64_t)a1;
    r->args[2] = (uint64_t)a2;
    r->args[3] = (uint64_t)a3;
    r->args[4] = (uint64_t)a4;
    r->args[5] = (uint64_t)a5;
}

/* Stop the guest with an invalid-opcode fault (the monitor reports RIP). */
__attribute__((noreturn, always_inline)) static inline void torovj_ud2(void)
{
    for (;;)
        __asm__ volatile("ud2" ::: "memory");
}

#endif
