/*
 * shim.c - the syscall shim: what lets an unmodified static binary (one that
 * makes system calls with the `syscall` instruction, not through the
 * project's runtime) reach the monitor through the VM's transport.
 *
 * The monitor loads this small ELF (linked at 0x100000, below any program
 * linked at the usual 0x400000) beside the program and starts the vCPU at
 * _shim_start. shim_init brings up the transport named in the boot info,
 * exactly as the runtime does for programs linked against it, and returns the
 * program's entry (AT_ENTRY). Every `syscall` first traps into the monitor's
 * slow path (the LSTAR stub and its port exit); there the monitor rewrites
 * the call site, if it is the common `mov $nr,%eax; syscall` pair, into a
 * jump to a per-site thunk that enters shim_syscall_entry (shim_entry.S) and
 * from there the transport: later calls from that site cost one transport
 * call and no exit. gVisor's systrap platform patches call sites the same
 * way. Sites it cannot patch keep using the slow path: always correct.
 *
 * A start-up failure stops the guest with ud2 in a function named for its
 * cause (the monitor reports #UD at that rip), as in the runtime.
 */
#include <stdint.h>

#include "torovj_abi.h"
#include "torovj_transport.h"

#define AT_NULL  0
#define AT_ENTRY 9

/* Called by shim_syscall_entry; set once the transport is up. */
long (*shim_transport_call)(long, long, long, long, long, long, long);

#define FAIL(name) \
    __attribute__((noinline, noreturn, no_icf, used)) void name(void); \
    void name(void) { torovj_ud2(); }
FAIL(shim_fail_no_boot_info)        /* no TOROVJ_AT_BOOT_INFO in auxv */
FAIL(shim_fail_no_entry)            /* no AT_ENTRY in auxv */
FAIL(shim_fail_bad_boot_info)       /* bad magic, ABI version or transport name */
FAIL(shim_fail_unknown_transport)   /* no guest half of that name in the shim */
FAIL(shim_fail_transport_init)      /* the transport's init() returned non-zero */

static int name_equals(const char *a, const char *b, unsigned long max)
{
    for (unsigned long i = 0; i < max; i++) {
        if (a[i] != b[i])
            return 0;
        if (a[i] == '\0')
            return 1;
    }
    return 0;
}

static int name_terminated(const char *s, unsigned long max)
{
    for (unsigned long i = 0; i < max; i++)
        if (s[i] == '\0')
            return 1;
    return 0;
}

__attribute__((used)) uint64_t shim_init(const uint64_t *sp)
{
    uint64_t argc = sp[0];
    const uint64_t *p = sp + 1 + argc + 1;      /* past argv[] and its NULL */
    while (*p != 0)                              /* past envp[] */
        p++;
    p++;

    const struct torovj_boot_info *bi = 0;
    uint64_t entry = 0;
    for (; p[0] != AT_NULL; p += 2) {
        if (p[0] == TOROVJ_AT_BOOT_INFO)
            bi = (const struct torovj_boot_info *)p[1];
        else if (p[0] == AT_ENTRY)
            entry = p[1];
    }
    if (bi == 0)
        shim_fail_no_boot_info();
    if (entry == 0)
        shim_fail_no_entry();
    if (bi->magic != TOROVJ_BOOT_MAGIC || bi->abi_version != TOROVJ_ABI_VERSION
        || !name_terminated(bi->transport, TOROVJ_TRANSPORT_NAME_MAX))
        shim_fail_bad_boot_info();

    const struct torovj_transport *t = 0;
    for (const struct torovj_transport *const *q = __start_torovj_transports; q < __stop_torovj_transports; q++) {
        if (*q && name_equals((*q)->name, bi->transport, TOROVJ_TRANSPORT_NAME_MAX)) {
            t = *q;
            break;
        }
    }
    if (t == 0)
        shim_fail_unknown_transport();
    if (t->init(bi) != 0)
        shim_fail_transport_init();
    shim_transport_call = t->syscall6;
    return entry;
}
