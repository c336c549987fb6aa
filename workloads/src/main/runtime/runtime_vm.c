/*
 * runtime_vm.c - the VM variant: the program runs in KVM at CPL3 with no
 * guest kernel; every syscall goes to the Java monitor through the transport
 * named in the boot info (see torovj_abi.h and torovj_transport.h).
 *
 * Nothing can be reported before a transport is up, so every start-up
 * failure stops the guest with ud2 in a function of its own: the monitor
 * reports #UD with RIP, and `addr2line -f` / gdb on the ELF names the cause.
 */
#include "runtime.h"
#include "torovj_transport.h"

static const struct torovj_boot_info *boot_info;
static const struct torovj_transport *transport;
static long (*transport_syscall6)(long, long, long, long, long, long, long);
static struct torovj_latency_buffer *latency;

/* One function per cause; no_icf keeps gcc from merging the identical bodies. */
#define FAIL(name) \
    __attribute__((noinline, noreturn, no_icf, used)) void name(void); \
    void name(void) { torovj_ud2(); }
FAIL(torovj_fail_no_boot_info)        /* no TOROVJ_AT_BOOT_INFO in auxv */
FAIL(torovj_fail_bad_magic)           /* boot_info->magic != TOROVJ_BOOT_MAGIC */
FAIL(torovj_fail_bad_abi_version)     /* boot_info->abi_version != TOROVJ_ABI_VERSION */
FAIL(torovj_fail_bad_transport_name)  /* transport[] not NUL-terminated */
FAIL(torovj_fail_unknown_transport)   /* no registered transport has that name */
FAIL(torovj_fail_transport_init)      /* the transport's init() returned non-zero */
FAIL(torovj_fail_no_transport)        /* syscall before the runtime was initialised */

long torovj_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    if (__builtin_expect(transport_syscall6 == NULL, 0))
        torovj_fail_no_transport();
    return transport_syscall6(nr, a0, a1, a2, a3, a4, a5);
}

const struct torovj_boot_info *torovj_boot_info(void)
{
    return boot_info;
}

const char *torovj_transport_name(void)
{
    return transport ? transport->name : "none";
}

void __torovj_runtime_init(const unsigned long *auxv)
{
    const struct torovj_boot_info *bi = NULL;

    for (; auxv[0] != AT_NULL; auxv += 2) {
        if (auxv[0] == TOROVJ_AT_BOOT_INFO) {
            bi = (const struct torovj_boot_info *)auxv[1];
            break;
        }
    }
    if (bi == NULL)
        torovj_fail_no_boot_info();
    if (bi->magic != TOROVJ_BOOT_MAGIC)
        torovj_fail_bad_magic();
    if (bi->abi_version != TOROVJ_ABI_VERSION)
        torovj_fail_bad_abi_version();
    if (strnlen(bi->transport, TOROVJ_TRANSPORT_NAME_MAX) == TOROVJ_TRANSPORT_NAME_MAX)
        torovj_fail_bad_transport_name();

    const struct torovj_transport *t = NULL;
    for (const struct torovj_transport *const *p = __start_torovj_transports;
         p < __stop_torovj_transports; p++) {
        if (*p && strcmp((*p)->name, bi->transport) == 0) {
            t = *p;
            break;
        }
    }
    if (t == NULL)
        torovj_fail_unknown_transport();
    if (t->init(bi) != 0)
        torovj_fail_transport_init();

    boot_info = bi;
    transport = t;
    transport_syscall6 = t->syscall6;
    latency = (struct torovj_latency_buffer *)bi->latency_buffer;
}

void torovj_lat_record(uint64_t cycles)
{
    struct torovj_latency_buffer *b = latency;

    if (b == NULL)
        return;
    uint64_t c = b->count;
    if (c < b->capacity)
        b->samples[c] = cycles;
    b->count = c + 1;
}

int __torovj_runtime_fini(int status)
{
    return status;      /* the monitor collects the latency buffer itself */
}
