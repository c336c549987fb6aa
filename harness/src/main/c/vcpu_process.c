/*
 * vcpu_process.c - the "process platform" vCPU of ToroV/J, for hosts without
 * /dev/kvm (in the spirit of gVisor's ptrace/systrap platforms next to its
 * KVM platform). A host program, not a guest.
 *
 * Build (static-pie, so that this program's image, heap and stack live far
 * above guest RAM at 0x1000..1 GiB):
 *
 *   gcc -O2 -Wall -Wextra -Werror -static-pie -fPIE -o torovj-vcpu-process vcpu_process.c
 *
 * Usage: torovj-vcpu-process RAM_PATH RAM_SIZE CONTROL_PATH
 *   RAM_PATH, CONTROL_PATH  /proc/<jvm-pid>/fd/<n> paths of the monitor's
 *                           memfds (guest RAM; an 8192-byte control file)
 *   RAM_SIZE                bytes, a multiple of 2 MiB, <= 0x3FE00000
 *
 * The guest's code runs natively in this process, at CPL3, identity-mapped:
 * guest RAM [0x1000, RAM_SIZE) is the memfd mapped MAP_SHARED at the same
 * virtual addresses (page 0 stays unmapped), the device window
 * [0x3FE00000, 0x40000000) is reserved PROT_NONE, so MMIO doorbells fault.
 * Every event KVM would report as a VM exit arrives here as a signal and is
 * reported to the monitor (io.torovj.kvm.ProcessVcpu) through the control
 * page, which is laid out like struct kvm_run:
 *
 *   0..4095     struct kvm_run image: exit_reason u32 @8; KVM_EXIT_IO
 *               {direction u8 @32, size u8 @33, port u16 @34, count u32 @36,
 *               data_offset u64 @40 = 2048}; KVM_EXIT_MMIO {phys_addr u64 @32,
 *               data[8] @40, len u32 @48, is_write u8 @52}; INTERNAL_ERROR
 *               {suberror u32 @32, ndata u32 @36, data u64[] @40}
 *   4096..4239  struct kvm_regs (rax rbx rcx rdx rsi rdi rsp rbp r8..r15 rip rflags)
 *   4352        u32 0x504A5654 ("TVJP") once setup is complete
 *   4368..4439  the special registers the monitor set (KVM_SET_SREGS): cr3 u64
 *               @4368, the task register's base u64 @4376 and limit u32 @4384,
 *               cr4 u64 @4392, efer u64 @4400; MSRs LSTAR u64 @4408 and SFMASK
 *               u64 @4416 (KVM_SET_MSRS); the FS and GS bases u64 @4424, @4432
 *               (loaded with arch_prctl before the guest resumes: the guest's
 *               thread pointer; the handlers never use TLS)
 *   4440        u32 FPU_RESET_MAGIC: the next resume gives the guest the
 *               FPU/SSE/AVX reset state (a pooled VM's reset between two
 *               invocations); cleared when done
 *
 * Handshake: the monitor writes 'R' to our stdin to (re)enter the guest; we
 * write 'X' to stdout when the control page holds the next exit. EOF or an
 * error on stdin (or stdout) means the monitor is gone: _exit(0).
 *
 * Exits:
 *   in/out (#GP, SIGSEGV trapno 13)  KVM_EXIT_IO, completed after the resume,
 *                                    if the guest's TSS I/O bitmap grants the
 *                                    port (read from guest RAM through the
 *                                    task register, as the CPU does; IOPL is
 *                                    0 and, as on PVM, never consulted);
 *                                    otherwise #GP, as on KVM
 *   mov to/from the device window    KVM_EXIT_MMIO, completed after the resume
 *   other faults, guest syscall/int 0x80 (seccomp SIGSYS -> #UD), int3
 *   (#BP, rip after it), single steps with TF (#DB, rip of the next
 *   instruction, also after an emulated in/out, mov or cli/sti)
 *                                    what the guest's CPL0 handler does under
 *                                    KVM (io.torovj.boot.DescriptorTables):
 *                                    the frame [cr2, rdx, rax, vector, error,
 *                                    rip, cs, rflags, rsp, ss] at 0xB000-80,
 *                                    KVM_EXIT_IO out port 0xF0 with the
 *                                    handler's registers at its OUT (rsp =
 *                                    0xB000-80, rip = after the OUT, rax =
 *                                    cr2, dx = 0xF0); the next resume returns
 *                                    into the guest as the handler's iretq
 *                                    would: rip, rsp, rax, rdx and the flags
 *                                    the monitor may set (TF included) from
 *                                    the frame, the other registers from the
 *                                    control page
 *   SIGUSR1 (kick)                   KVM_EXIT_INTR (at once, or at the next
 *                                    resume if it came while we were busy)
 *   anything else                    KVM_EXIT_INTERNAL_ERROR + a stderr line
 * An I/O or MMIO instruction is completed (in/load data stored, rip advanced)
 * only if the monitor left rip at the instruction, as KVM does.
 *
 * Paging: at the first entry the guest's own page tables (CR3 from the
 * control page) are walked, and every 4 KiB page of the identity mapping is
 * given the protection a CPL3 access has there: supervisor-only and absent
 * pages PROT_NONE, read-only pages PROT_READ|PROT_EXEC, the rest RWX. So the
 * system pages (GDT, TSS, IDT, page tables, exception stack and handlers)
 * fault at CPL3 as on KVM, and a #PF on a present supervisor or read-only
 * page reports "protection violation" as the CPU does. The launcher itself
 * reaches guest RAM through a second mapping of the same memfd (ram_alias).
 *
 * Entering the guest: we raise SIGUSR2 at ourselves; its handler (like all of
 * ours, on a sigaltstack) loads the guest registers into the ucontext and
 * returns, so rt_sigreturn lands in the guest. From then on this thread only
 * ever runs in signal handlers. Hardening against a hostile guest (it shares
 * our address space): before entry the FS base is set to 0 (as under KVM, and
 * so that the guest cannot find our TLS) and the FPU/SSE/AVX state is wiped,
 * the handlers never use TLS (raw system calls only, no errno, no stack
 * protector), every byte read from the guest is bounds-checked, and a seccomp
 * filter traps every system call made from outside our own text.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include <asm/prctl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

/* Handlers run with the guest's FS base (0): no stack-protector canary reads. */
#pragma GCC optimize("no-stack-protector")

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PROG "torovj-vcpu-process: "

#include "vcpu_process_layout.h"

#define CR4_SMEP              (1ULL << 20)
#define EFER_NXE              (1ULL << 11)
#define EFER_SCE              (1ULL << 0)
#define PF_FETCH              0x10ULL

#define KVM_EXIT_IO             2
#define KVM_EXIT_MMIO           6
#define KVM_EXIT_SHUTDOWN       8
#define KVM_EXIT_INTR          10
#define KVM_EXIT_INTERNAL_ERROR 17
#define KVM_INTERNAL_ERROR_EMULATION 1

/* struct kvm_regs indices */
enum { K_RAX, K_RBX, K_RCX, K_RDX, K_RSI, K_RDI, K_RSP, K_RBP,
       K_R8, K_R9, K_R10, K_R11, K_R12, K_R13, K_R14, K_R15, K_RIP, K_RFLAGS, K_NREGS };

/* rflags */
#define FL_ARITH   0x8D5ULL        /* CF PF AF ZF SF OF */
#define FL_TF      0x100ULL
#define FL_DF      0x400ULL
#define FL_AC      0x40000ULL
#define FL_FROM_MONITOR (FL_ARITH | FL_TF | FL_DF)

#define START_SIGNAL SIGUSR2
#define KICK_SIGNAL  SIGUSR1
#define ALTSTACK_SIZE (256u << 10)

static volatile uint8_t *ctl;
static uint64_t ram_end;                    /* RAM_SIZE: guest RAM is [0x1000, ram_end) */
static volatile uint8_t *ram_alias;         /* all of guest RAM, for the launcher's own accesses */
static uintptr_t text_lo, text_hi;
static volatile sig_atomic_t in_launcher = 1;  /* 0 only while the guest runs */
static volatile sig_atomic_t kick_pending;
static volatile sig_atomic_t start_armed;   /* set just before we raise START_SIGNAL */
static volatile sig_atomic_t started;
/* the context of the handler that is reporting an exit: what a resume
 * returns into (its FPU state is the guest's) */
static ucontext_t *exit_uc;
static void wipe_fpu(ucontext_t *uc);

/* kvm_regs order -> ucontext; ModRM register number -> ucontext */
static const int kvm_greg[16] = {
    REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_RSP, REG_RBP,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};
static const int x86_greg[16] = {
    REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

/* ---- raw system calls (no errno, no TLS: usable with the guest's FS) ---- */

static inline long sys3(long nr, long a0, long a1, long a2)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
                     : "rcx", "r11", "memory");
    return ret;
}

static __attribute__((noreturn)) void die_now(int status)
{
    for (;;)
        sys3(SYS_exit_group, status, 0, 0);
}

/* ---- diagnostics: one line on stderr, formatted without libc ---- */

struct line {
    char buf[320];
    unsigned n;
};

static void put_str(struct line *l, const char *s)
{
    while (*s && l->n < sizeof l->buf - 1)
        l->buf[l->n++] = *s++;
}

static void put_hex(struct line *l, uint64_t v)
{
    char tmp[18];
    int i = 0;

    do {
        tmp[i++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    put_str(l, "0x");
    while (i > 0 && l->n < sizeof l->buf - 1)
        l->buf[l->n++] = tmp[--i];
}

static void put_dec(struct line *l, long v)
{
    char tmp[24];
    int i = 0;
    unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;

    do {
        tmp[i++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[i++] = '-';
    while (i > 0 && l->n < sizeof l->buf - 1)
        l->buf[l->n++] = tmp[--i];
}

static void line_start(struct line *l)
{
    l->n = 0;
    put_str(l, PROG);
}

static void line_emit(struct line *l)
{
    l->buf[l->n++] = '\n';
    (void)sys3(SYS_write, 2, (long)l->buf, l->n);
}

static void say(const char *msg)
{
    struct line l;

    line_start(&l);
    put_str(&l, msg);
    line_emit(&l);
}

static void say_errno(const char *msg, int err)
{
    struct line l;

    line_start(&l);
    put_str(&l, msg);
    put_str(&l, ": ");
    put_str(&l, strerror(err));     /* setup only: libc is still usable */
    line_emit(&l);
}

/* ---- control page ---- */

static inline void ctl_u8(unsigned off, uint8_t v) { *(volatile uint8_t *)(ctl + off) = v; }
static inline void ctl_u16(unsigned off, uint16_t v) { *(volatile uint16_t *)(ctl + off) = v; }
static inline void ctl_u32(unsigned off, uint32_t v) { *(volatile uint32_t *)(ctl + off) = v; }
static inline void ctl_u64(unsigned off, uint64_t v) { *(volatile uint64_t *)(ctl + off) = v; }
static inline uint64_t ctl_get_u64(unsigned off) { return *(volatile uint64_t *)(ctl + off); }
static inline uint32_t ctl_get_u32(unsigned off) { return *(volatile uint32_t *)(ctl + off); }

static void set_exit(uint32_t reason)
{
    for (unsigned i = RUN_UNION; i < RUN_UNION + 64; i += 8)
        ctl_u64(i, 0);
    ctl_u32(RUN_EXIT_REASON, reason);
}

/* guest registers -> control kvm_regs */
static void regs_to_ctl(const greg_t *g)
{
    for (int i = 0; i < 16; i++)
        ctl_u64(REGS_OFFSET + 8 * i, (uint64_t)g[kvm_greg[i]]);
    ctl_u64(REGS_OFFSET + 8 * K_RIP, (uint64_t)g[REG_RIP]);
    ctl_u64(REGS_OFFSET + 8 * K_RFLAGS, (uint64_t)g[REG_EFL]);
}

/* control kvm_regs -> guest registers; of rflags only CF PF AF ZF SF OF DF TF */
static void regs_from_ctl(greg_t *g)
{
    for (int i = 0; i < 16; i++)
        g[kvm_greg[i]] = (greg_t)ctl_get_u64(REGS_OFFSET + 8 * i);
    g[REG_RIP] = (greg_t)ctl_get_u64(REGS_OFFSET + 8 * K_RIP);
    uint64_t fl = ctl_get_u64(REGS_OFFSET + 8 * K_RFLAGS);
    g[REG_EFL] = (greg_t)(((uint64_t)g[REG_EFL] & ~FL_FROM_MONITOR) | (fl & FL_FROM_MONITOR));
}

static void notify_exit(void)
{
    char x = 'X';
    long r;

    while ((r = sys3(SYS_write, 1, (long)&x, 1)) == -EINTR)
        ;
    if (r != 1)
        die_now(0);                 /* the monitor is gone */
}

/* Blocks until the monitor says 'R'. A kick that arrived while we were busy
 * is reported now, as KVM_EXIT_INTR, instead of running the guest. */
static void wait_resume(void)
{
    for (;;) {
        char c;
        long r;

        while ((r = sys3(SYS_read, 0, (long)&c, 1)) == -EINTR)
            ;
        if (r != 1)
            die_now(0);             /* EOF or error: the monitor is gone */
        if (c != 'R') {
            say("ignoring a byte other than 'R' on stdin");
            continue;
        }
        if (kick_pending) {
            kick_pending = 0;
            set_exit(KVM_EXIT_INTR);
            notify_exit();
            continue;
        }
        return;
    }
}

/* The FS and GS bases the monitor set (the guest's arch_prctl): loaded into
 * this thread, which runs the guest, whenever they changed. */
static uint64_t cur_fs, cur_gs;

static void load_segment_bases(void)
{
    uint64_t fs = ctl_get_u64(FS_BASE_OFFSET), gs = ctl_get_u64(GS_BASE_OFFSET);

    if (fs != cur_fs && sys3(SYS_arch_prctl, ARCH_SET_FS, (long)fs, 0) == 0)
        cur_fs = fs;
    if (gs != cur_gs && sys3(SYS_arch_prctl, ARCH_SET_GS, (long)gs, 0) == 0)
        cur_gs = gs;
}

/* Reports the exit already described in the control page with the registers
 * in g, waits for the resume and reloads the (possibly changed) registers. */
static void vm_exit(greg_t *g)
{
    regs_to_ctl(g);
    notify_exit();
    wait_resume();
    regs_from_ctl(g);
    load_segment_bases();
    if (ctl_get_u32(FPU_RESET_OFFSET) == FPU_RESET_MAGIC) {
        wipe_fpu(exit_uc);
        __atomic_store_n((volatile uint32_t *)(ctl + FPU_RESET_OFFSET), 0, __ATOMIC_SEQ_CST);
    }
}

/* ---- guest memory access ---- */

static inline int in_ram(uint64_t addr)
{
    return addr >= GUEST_RAM_START && addr < ram_end;
}

static inline int in_window(uint64_t addr)
{
    return addr >= DEVICE_WINDOW && addr < DEVICE_WINDOW_END;
}

static inline int in_text(uint64_t addr)
{
    return addr >= text_lo && addr < text_hi;
}

/* One instruction byte, or -1 if it is not in guest RAM. */
static inline int fetch(uint64_t addr)
{
    if (!in_ram(addr))
        return -1;
    return ram_alias[addr];
}

/* 8 bytes of guest RAM at addr (8-aligned), or 0 if they are not all in it. */
static inline uint64_t ram_u64(uint64_t addr)
{
    if (!in_ram(addr) || addr + 8 > ram_end || (addr & 7))
        return 0;
    return *(volatile const uint64_t *)(ram_alias + addr);
}

/* ---- paging: the guest's page tables, walked as the MMU does ---- */

#define PTE_P     0x1ULL
#define PTE_W     0x2ULL
#define PTE_U     0x4ULL
#define PTE_PS    0x80ULL
#define PTE_FRAME 0x000FFFFFFFFFF000ULL

/* The protection a CPL3 access gets at the 4 KiB page of va: PROT_NONE if a
 * level is absent or supervisor-only (*present tells which), PROT_READ|EXEC
 * if read-only, else RWX. A page that does not map to its own address (the
 * launcher can only identity-map) gets PROT_NONE. */
static int user_prot(uint64_t va, int *present)
{
    uint64_t table = ctl_get_u64(SREGS_CR3) & PTE_FRAME, rights = PTE_W | PTE_U, e = 0;
    int level;

    *present = 0;
    for (level = 0; level < 4; level++) {
        e = ram_u64(table + 8 * ((va >> (39 - 9 * level)) & 511));
        if (!(e & PTE_P))
            return PROT_NONE;
        rights &= e;
        if ((level == 1 || level == 2) && (e & PTE_PS))
            break;
        table = e & PTE_FRAME;
    }
    uint64_t page_mask = level == 4 ? 0xFFFULL : level == 2 ? 0x1FFFFFULL : 0x3FFFFFFFULL;
    if (((e & PTE_FRAME & ~page_mask) | (va & page_mask)) != va)
        return PROT_NONE;
    *present = 1;
    if (!(rights & PTE_U))
        return PROT_NONE;
    return (rights & PTE_W) ? PROT_READ | PROT_WRITE | PROT_EXEC : PROT_READ | PROT_EXEC;
}

/* Gives the identity mapping of guest RAM the protections of the guest's own
 * page tables; runs of equal protection take one mprotect each. */
static void apply_guest_paging(void)
{
    uint64_t run_start = GUEST_RAM_START;
    int present, run_prot = user_prot(GUEST_RAM_START, &present);

    for (uint64_t va = GUEST_RAM_START + 4096; va <= ram_end; va += 4096) {
        int prot = va < ram_end ? user_prot(va, &present) : -1;
        if (prot == run_prot)
            continue;
        if (sys3(SYS_mprotect, (long)run_start, (long)(va - run_start), run_prot) != 0) {
            say("mprotect of guest RAM failed");
            die_now(70);
        }
        run_start = va;
        run_prot = prot;
    }
}

/* ---- port I/O permission: the TSS I/O bitmap, as the CPU reads it ---- */

/* 1 if a CPL3 access of size bytes at port is allowed: the two bitmap bytes
 * at the TSS's I/O map base + port/8 lie within the TSS limit and every bit
 * of the access is clear. IOPL is not consulted (PVM ignores it at CPL3; on
 * VMX/SVM IOPL is 0 here, so the bitmap decides there too). */
static int io_allowed(uint16_t port, int size)
{
    uint64_t tss = ctl_get_u64(SREGS_TR_BASE);
    uint64_t limit = ctl_get_u32(SREGS_TR_LIMIT);

    if (limit < 103 || !in_ram(tss) || tss + 104 > ram_end)
        return 0;
    uint64_t base = (uint64_t)ram_alias[tss + 102] | (uint64_t)ram_alias[tss + 103] << 8;
    uint64_t at = base + port / 8u;
    if (at + 1 > limit || tss + at + 2 > ram_end)
        return 0;
    uint32_t word = (uint32_t)ram_alias[tss + at] | (uint32_t)ram_alias[tss + at + 1] << 8;
    uint32_t mask = ((1u << size) - 1u) << (port & 7u);
    return (word & mask) == 0;
}

/* ---- faults: what the guest's CPL0 handler does under KVM ---- */

static int has_error_code(int vector)
{
    return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 ||
           vector == 29 || vector == 30;
}

/* Writes the exception frame and reports the fault-port exit with the
 * registers the handler has at its OUT. Returns when the monitor resumes the
 * vCPU, with g set as the handler's iretq would leave it: rip, rsp, rax, rdx
 * and the flags the monitor may set (FL_FROM_MONITOR, AC) from the frame,
 * which a debugger may have changed; the other registers from the control
 * page. Without a debugger the monitor never resumes a faulted vCPU. */
static void guest_fault(greg_t *g, int vector, uint64_t error, uint64_t cr2, uint64_t rip)
{
    volatile uint64_t *frame = (volatile uint64_t *)(ram_alias + FAULT_FRAME);
    uint64_t rflags = (uint64_t)g[REG_EFL];

    if (!has_error_code(vector))
        error = 0;
    frame[F_CR2] = cr2;
    frame[F_RDX] = (uint64_t)g[REG_RDX];
    frame[F_RAX] = (uint64_t)g[REG_RAX];
    frame[F_VECTOR] = (uint64_t)vector;
    frame[F_ERROR] = error;
    frame[F_RIP] = rip;
    frame[F_CS] = USER_CS;
    frame[F_RFLAGS] = rflags;
    frame[F_RSP] = (uint64_t)g[REG_RSP];
    frame[F_SS] = USER_DS;

    /* the handler at its OUT: the interrupt gate cleared TF */
    g[REG_RAX] = (greg_t)cr2;
    g[REG_RDX] = (greg_t)(((uint64_t)g[REG_RDX] & ~0xFFFFULL) | FAULT_PORT);
    g[REG_RSP] = (greg_t)FAULT_FRAME;
    g[REG_RIP] = (greg_t)FAULT_REPORTED_RIP;
    g[REG_EFL] = (greg_t)((uint64_t)g[REG_EFL] & ~FL_TF);
    set_exit(KVM_EXIT_IO);
    ctl_u8(RUN_IO_DIRECTION, 1);
    ctl_u8(RUN_IO_SIZE, 1);
    ctl_u16(RUN_IO_PORT, FAULT_PORT);
    ctl_u32(RUN_IO_COUNT, 1);
    ctl_u64(RUN_IO_DATA_OFFSET, IO_DATA_OFFSET);
    ctl_u8(IO_DATA_OFFSET, (uint8_t)cr2);      /* al = cr2 in the KVM handler */
    vm_exit(g);

    /* iretq */
    g[REG_RAX] = (greg_t)frame[F_RAX];
    g[REG_RDX] = (greg_t)frame[F_RDX];
    g[REG_RIP] = (greg_t)frame[F_RIP];
    g[REG_RSP] = (greg_t)frame[F_RSP];
    g[REG_EFL] = (greg_t)(((uint64_t)g[REG_EFL] & ~(FL_FROM_MONITOR | FL_AC)) |
                          (frame[F_RFLAGS] & (FL_FROM_MONITOR | FL_AC)));
}

/* A #PF error code as the guest's CPU reports it: the I/D bit only where
 * CR4.SMEP or EFER.NXE is on (the host always has NX, so it always sets it). */
static uint64_t pf_error(uint64_t err)
{
    if (!(ctl_get_u64(SREGS_CR4) & CR4_SMEP) && !(ctl_get_u64(SREGS_EFER) & EFER_NXE))
        err &= ~PF_FETCH;
    return err;
}

/* #PF for an instruction fetch outside guest RAM (user, instruction fetch, not present) */
static void fetch_fault(greg_t *g, uint64_t addr)
{
    guest_fault(g, 14, pf_error(0x14), addr, (uint64_t)g[REG_RIP]);
}

/* After an instruction emulated here (in/out, mov to the window, cli/sti):
 * the #DB a CPU raises when TF was set before it. */
static void step_trap(greg_t *g)
{
    if ((uint64_t)g[REG_EFL] & FL_TF)
        guest_fault(g, 1, 0, 0, (uint64_t)g[REG_RIP]);
}

static void internal_error(greg_t *g, const char *what, int sig, const siginfo_t *si)
{
    struct line l;

    line_start(&l);
    put_str(&l, what);
    put_str(&l, " (signal ");
    put_dec(&l, sig);
    put_str(&l, ", si_code ");
    put_dec(&l, si->si_code);
    if (si->si_code <= 0) {
        put_str(&l, ", from pid ");
        put_dec(&l, si->si_pid);
    }
    put_str(&l, ") at rip=");
    put_hex(&l, (uint64_t)g[REG_RIP]);
    line_emit(&l);

    set_exit(KVM_EXIT_INTERNAL_ERROR);
    ctl_u32(RUN_INTERNAL_SUBERROR, KVM_INTERNAL_ERROR_EMULATION);
    ctl_u32(RUN_INTERNAL_NDATA, 2);
    ctl_u64(RUN_INTERNAL_DATA, (uint64_t)sig);
    ctl_u64(RUN_INTERNAL_DATA + 8, (uint64_t)(int64_t)si->si_code);
    vm_exit(g);                     /* resumed: retry where the guest was */
}

/* A signal hit our own code: a launcher bug. Never loop on it. */
static __attribute__((noreturn)) void launcher_crash(int sig, const siginfo_t *si, const greg_t *g)
{
    struct line l;

    line_start(&l);
    put_str(&l, "internal fault: signal ");
    put_dec(&l, sig);
    put_str(&l, " in the launcher at rip=");
    put_hex(&l, (uint64_t)g[REG_RIP]);
    put_str(&l, " addr=");
    put_hex(&l, (uint64_t)(uintptr_t)si->si_addr);
    if (text_lo) {
        put_str(&l, " (text+");
        put_hex(&l, (uint64_t)g[REG_RIP] - text_lo);
        put_str(&l, ")");
    }
    line_emit(&l);
    die_now(70);
}

/* ---- the syscall instruction ---- */

/* The guest executed `syscall` (seccomp trapped it: rax holds the number
 * again, rcx the address after the instruction and r11 the rflags, as the
 * instruction left them). With EFER.SCE and an LSTAR the monitor set, do
 * what the CPU and the CPL0 entry stub do under KVM
 * (io.torovj.boot.DescriptorTables.SYSCALL_ENTRY: out %al, $SYSCALL_PORT;
 * sysretq): report the out with rip just after it and rflags masked by
 * SFMASK, and when resumed there, return to rcx with r11's flags. */
static void guest_syscall(greg_t *g, uint64_t after, uint64_t lstar)
{
    uint64_t fmask = ctl_get_u64(MSR_FMASK_OFFSET);
    uint64_t reported = lstar + 2;

    g[REG_RCX] = (greg_t)after;
    g[REG_R11] = g[REG_EFL];
    g[REG_EFL] = (greg_t)((uint64_t)g[REG_EFL] & ~(fmask & (FL_FROM_MONITOR | FL_AC)));
    g[REG_RIP] = (greg_t)reported;
    set_exit(KVM_EXIT_IO);
    ctl_u8(RUN_IO_DIRECTION, 1);
    ctl_u8(RUN_IO_SIZE, 1);
    ctl_u16(RUN_IO_PORT, SYSCALL_PORT);
    ctl_u32(RUN_IO_COUNT, 1);
    ctl_u64(RUN_IO_DATA_OFFSET, IO_DATA_OFFSET);
    ctl_u8(IO_DATA_OFFSET, (uint8_t)g[REG_RAX]);
    vm_exit(g);
    if ((uint64_t)g[REG_RIP] != reported)
        return;                     /* the monitor moved rip: it continues there */
    /* sysretq */
    g[REG_RIP] = g[REG_RCX];
    g[REG_EFL] = (greg_t)(((uint64_t)g[REG_EFL] & ~(FL_FROM_MONITOR | FL_AC)) |
                          ((uint64_t)g[REG_R11] & (FL_FROM_MONITOR | FL_AC)));
}

/* ---- in/out ---- */

/* 1: decoded; 0: not an in/out; -1: an instruction byte is outside guest RAM */
static int decode_io(uint64_t rip, const greg_t *g, int *len, int *out, int *size, uint16_t *port)
{
    int n = 0, op16 = 0, b;

    for (;;) {
        if (n >= 14)
            return 0;
        if ((b = fetch(rip + n)) < 0)
            return -1;
        if (b == 0x66)
            op16 = 1;
        else if ((b & 0xF0) != 0x40)   /* REX: no effect on in/out */
            break;
        n++;
    }
    n++;
    switch (b) {
    case 0xE4: case 0xE5: case 0xE6: case 0xE7: {
        int imm = fetch(rip + n);
        if (imm < 0)
            return -1;
        n++;
        *port = (uint16_t)imm;
        break;
    }
    case 0xEC: case 0xED: case 0xEE: case 0xEF:
        *port = (uint16_t)g[REG_RDX];
        break;
    default:
        return 0;
    }
    *out = (b & 2) != 0;
    *size = (b & 1) ? (op16 ? 2 : 4) : 1;
    *len = n;
    return 1;
}

static void do_io(greg_t *g, int len, int out, int size, uint16_t port)
{
    uint64_t rip = (uint64_t)g[REG_RIP];
    uint64_t rax = (uint64_t)g[REG_RAX];

    set_exit(KVM_EXIT_IO);
    ctl_u8(RUN_IO_DIRECTION, (uint8_t)out);
    ctl_u8(RUN_IO_SIZE, (uint8_t)size);
    ctl_u16(RUN_IO_PORT, port);
    ctl_u32(RUN_IO_COUNT, 1);
    ctl_u64(RUN_IO_DATA_OFFSET, IO_DATA_OFFSET);
    ctl_u32(IO_DATA_OFFSET, 0);
    if (out) {
        if (size == 1)
            ctl_u8(IO_DATA_OFFSET, (uint8_t)rax);
        else if (size == 2)
            ctl_u16(IO_DATA_OFFSET, (uint16_t)rax);
        else
            ctl_u32(IO_DATA_OFFSET, (uint32_t)rax);
    }
    vm_exit(g);
    if ((uint64_t)g[REG_RIP] != rip)
        return;                     /* the monitor moved rip: drop the pending I/O, like KVM */
    if (!out) {
        uint64_t v = *(volatile uint32_t *)(ctl + IO_DATA_OFFSET);
        uint64_t r = (uint64_t)g[REG_RAX];
        if (size == 1)
            r = (r & ~0xFFULL) | (v & 0xFF);
        else if (size == 2)
            r = (r & ~0xFFFFULL) | (v & 0xFFFF);
        else
            r = v & 0xFFFFFFFFULL;
        g[REG_RAX] = (greg_t)r;
    }
    g[REG_RIP] = (greg_t)(rip + (uint64_t)len);
    step_trap(g);
}

/* ---- MMIO: mov to/from the device window ---- */

enum mov_kind { MOV_STORE_REG, MOV_STORE_IMM, MOV_LOAD, MOV_LOAD_ZX };

struct mov {
    enum mov_kind kind;
    int len;        /* instruction bytes */
    int size;       /* access bytes */
    int dst_size;   /* MOV_LOAD_ZX: destination operand bytes */
    int reg;        /* ModRM.reg with REX.R */
    int rex;
    uint64_t imm;
    uint64_t ea;
};

static int fetch_le(uint64_t addr, int bytes, uint64_t *v)
{
    uint64_t r = 0;

    for (int i = 0; i < bytes; i++) {
        int b = fetch(addr + (uint64_t)i);
        if (b < 0)
            return -1;
        r |= (uint64_t)b << (8 * i);
    }
    *v = r;
    return 0;
}

static inline uint64_t sext(uint64_t v, int bytes)
{
    int shift = 64 - 8 * bytes;
    return (uint64_t)((int64_t)(v << shift) >> shift);
}

/* 1: a supported mov; 0: anything else; -1: an instruction byte is outside guest RAM.
 * mov r/m8,r8 (88), mov r/m,r (89), mov r8,r/m8 (8A), mov r,r/m (8B),
 * mov r/m8,imm8 (C6 /0), mov r/m,imm (C7 /0), movzx (0F B6, 0F B7);
 * prefixes 0x66 and REX only; ModRM with SIB, disp8/disp32, RIP-relative. */
static int decode_mov(uint64_t rip, const greg_t *g, struct mov *m)
{
    int n = 0, op16 = 0, rex = 0, b, op;
    uint64_t v;

    for (;;) {
        if (n >= 14)
            return 0;
        if ((b = fetch(rip + n)) < 0)
            return -1;
        if (b == 0x66) {
            op16 = 1;
            rex = 0;                    /* a REX not right before the opcode is ignored */
        } else if ((b & 0xF0) == 0x40) {
            rex = b;
        } else {
            break;
        }
        n++;
    }
    n++;
    op = b;
    if (op == 0x0F) {
        if ((b = fetch(rip + n)) < 0)
            return -1;
        n++;
        if (b != 0xB6 && b != 0xB7)
            return 0;
        op = 0x0F00 | b;
    }
    switch (op) {
    case 0x88: case 0x89: case 0x8A: case 0x8B: case 0xC6: case 0xC7: case 0x0FB6: case 0x0FB7:
        break;
    default:
        return 0;
    }

    int modrm = fetch(rip + n);
    if (modrm < 0)
        return -1;
    n++;
    int mod = modrm >> 6, rm = modrm & 7;
    if (mod == 3)
        return 0;
    if ((op == 0xC6 || op == 0xC7) && ((modrm >> 3) & 7) != 0)
        return 0;
    m->reg = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
    m->rex = rex;

    uint64_t ea = 0;
    int riprel = 0, disp_bytes = mod == 1 ? 1 : mod == 2 ? 4 : 0;
    if (rm == 4) {
        int sib = fetch(rip + n);
        if (sib < 0)
            return -1;
        n++;
        int scale = sib >> 6, index = ((sib >> 3) & 7) | ((rex & 2) ? 8 : 0), base = sib & 7;
        if (index != 4)
            ea += (uint64_t)g[x86_greg[index]] << scale;
        if (base == 5 && mod == 0)
            disp_bytes = 4;
        else
            ea += (uint64_t)g[x86_greg[base | ((rex & 1) ? 8 : 0)]];
    } else if (rm == 5 && mod == 0) {
        riprel = 1;
        disp_bytes = 4;
    } else {
        ea += (uint64_t)g[x86_greg[rm | ((rex & 1) ? 8 : 0)]];
    }
    if (disp_bytes) {
        if (fetch_le(rip + n, disp_bytes, &v) < 0)
            return -1;
        n += disp_bytes;
        ea += sext(v, disp_bytes);
    }

    int wide = (rex & 8) != 0;
    int opsize = wide ? 8 : op16 ? 2 : 4;
    switch (op) {
    case 0x88: m->kind = MOV_STORE_REG; m->size = 1; break;
    case 0x89: m->kind = MOV_STORE_REG; m->size = opsize; break;
    case 0x8A: m->kind = MOV_LOAD; m->size = 1; break;
    case 0x8B: m->kind = MOV_LOAD; m->size = opsize; break;
    case 0x0FB6: m->kind = MOV_LOAD_ZX; m->size = 1; m->dst_size = opsize; break;
    case 0x0FB7: m->kind = MOV_LOAD_ZX; m->size = 2; m->dst_size = opsize; break;
    case 0xC6:
        m->kind = MOV_STORE_IMM;
        m->size = 1;
        if (fetch_le(rip + n, 1, &m->imm) < 0)
            return -1;
        n += 1;
        break;
    default: /* 0xC7 */
        m->kind = MOV_STORE_IMM;
        m->size = opsize;
        if (fetch_le(rip + n, opsize == 2 ? 2 : 4, &m->imm) < 0)
            return -1;
        n += opsize == 2 ? 2 : 4;
        if (opsize == 8)
            m->imm = sext(m->imm, 4);
        break;
    }
    if (n > 15)
        return 0;
    if (riprel)
        ea += rip + (uint64_t)n;
    m->ea = ea;
    m->len = n;
    return 1;
}

/* An 8-bit register operand: without REX, 4..7 are AH CH DH BH. */
static uint64_t get_reg8(const greg_t *g, int reg, int rex)
{
    if (!rex && reg >= 4 && reg < 8)
        return ((uint64_t)g[x86_greg[reg - 4]] >> 8) & 0xFF;
    return (uint64_t)g[x86_greg[reg]] & 0xFF;
}

static void set_reg8(greg_t *g, int reg, int rex, uint64_t v)
{
    if (!rex && reg >= 4 && reg < 8) {
        uint64_t r = (uint64_t)g[x86_greg[reg - 4]];
        g[x86_greg[reg - 4]] = (greg_t)((r & ~0xFF00ULL) | ((v & 0xFF) << 8));
    } else {
        uint64_t r = (uint64_t)g[x86_greg[reg]];
        g[x86_greg[reg]] = (greg_t)((r & ~0xFFULL) | (v & 0xFF));
    }
}

/* Writes a register operand like the CPU: 8/16-bit merge, 32-bit zero-extends. */
static void set_reg(greg_t *g, int reg, int rex, int size, uint64_t v)
{
    uint64_t r = (uint64_t)g[x86_greg[reg]];

    switch (size) {
    case 1: set_reg8(g, reg, rex, v); return;
    case 2: r = (r & ~0xFFFFULL) | (v & 0xFFFF); break;
    case 4: r = v & 0xFFFFFFFFULL; break;
    default: r = v; break;
    }
    g[x86_greg[reg]] = (greg_t)r;
}

static inline uint64_t mask_bytes(uint64_t v, int size)
{
    return size >= 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

static void do_mmio(greg_t *g, const struct mov *m, uint64_t addr)
{
    uint64_t rip = (uint64_t)g[REG_RIP];
    int is_write = m->kind == MOV_STORE_REG || m->kind == MOV_STORE_IMM;
    uint64_t data = 0;

    if (m->kind == MOV_STORE_REG)
        data = m->size == 1 ? get_reg8(g, m->reg, m->rex) : mask_bytes((uint64_t)g[x86_greg[m->reg]], m->size);
    else if (m->kind == MOV_STORE_IMM)
        data = mask_bytes(m->imm, m->size);

    set_exit(KVM_EXIT_MMIO);
    ctl_u64(RUN_MMIO_PHYS_ADDR, addr);
    ctl_u64(RUN_MMIO_DATA, data);
    ctl_u32(RUN_MMIO_LEN, (uint32_t)m->size);
    ctl_u8(RUN_MMIO_IS_WRITE, (uint8_t)is_write);
    vm_exit(g);
    if ((uint64_t)g[REG_RIP] != rip)
        return;                     /* the monitor moved rip: drop the pending access, like KVM */
    if (!is_write) {
        uint64_t v = mask_bytes(ctl_get_u64(RUN_MMIO_DATA), m->size);
        set_reg(g, m->reg, m->rex, m->kind == MOV_LOAD_ZX ? m->dst_size : m->size, v);
    }
    g[REG_RIP] = (greg_t)(rip + (uint64_t)m->len);
    step_trap(g);
}

/* ---- signal handlers ---- */

/* The guest may have set EFLAGS.AC (the kernel keeps it for handlers); our
 * own code must not take #AC on an unaligned access. A leaf: no red zone. */
static __attribute__((noinline)) void clear_ac(void)
{
    __asm__ volatile("pushfq\n\tandq $~0x40000, (%%rsp)\n\tpopfq" : : : "memory", "cc");
}

static inline int guest_64bit(const greg_t *g)
{
    return ((uint64_t)g[REG_CSGSFS] & 0xFFFF) == LINUX_USER64_CS;
}

static void on_segv(int sig, const siginfo_t *si, greg_t *g)
{
    uint64_t rip = (uint64_t)g[REG_RIP];
    uint64_t addr = (uint64_t)(uintptr_t)si->si_addr;
    int trapno = (int)g[REG_TRAPNO];
    uint64_t err = (uint64_t)g[REG_ERR];

    (void)sig;
    if (trapno == 13 && si->si_code == SI_KERNEL) {
        int len, out, size, r;
        uint16_t port;

        if (!guest_64bit(g)) {
            guest_fault(g, 13, err, 0, rip);
            return;
        }
        r = decode_io(rip, g, &len, &out, &size, &port);
        if (r < 0) {
            fetch_fault(g, rip);
            return;
        }
        if (r > 0 && io_allowed(port, size)) {
            do_io(g, len, out, size, port);
            return;
        }
        guest_fault(g, 13, err, 0, rip);   /* a port the bitmap refuses, cli/sti at IOPL 0, ... */
        return;
    }
    if (trapno == 14 && in_window(addr)) {
        struct mov m;
        int r;

        if (!in_ram(rip)) {
            if (rip == addr)            /* instruction fetch from the window */
                guest_fault(g, 14, pf_error(err), addr, rip);
            else
                fetch_fault(g, rip);
            return;
        }
        if (!guest_64bit(g)) {
            guest_fault(g, 14, pf_error(err), addr, rip);
            return;
        }
        r = decode_mov(rip, g, &m);
        if (r < 0) {
            fetch_fault(g, rip);
            return;
        }
        if (r > 0 && m.ea == addr) {
            do_mmio(g, &m, addr);
            return;
        }
        guest_fault(g, 14, pf_error(err), addr, rip);
        return;
    }
    if (trapno == 14 && in_ram(addr)) {
        int present;
        (void)user_prot(addr, &present);   /* the host saw PROT_NONE; the guest's MMU may see a present page */
        err = present ? err | PTE_P : err & ~PTE_P;
    }
    if (trapno == 14)
        err = pf_error(err);
    if (trapno >= 0 && trapno < 32)
        guest_fault(g, trapno, err, trapno == 14 ? addr : 0, rip);
    else
        guest_fault(g, 13, 0, 0, rip);
}

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    exit_uc = uc;
    greg_t *g = uc->uc_mcontext.gregs;
    int trapno = (int)g[REG_TRAPNO];
    uint64_t rip = (uint64_t)g[REG_RIP];

    clear_ac();
    if (in_launcher || in_text(rip)) {
        if (si->si_code <= 0)
            return;                 /* sent by someone with kill(): not a fault of ours */
        launcher_crash(sig, si, g);
    }
    in_launcher = 1;

    if (si->si_code <= 0) {
        internal_error(g, "unexpected signal", sig, si);
    } else {
        switch (sig) {
        case SIGSEGV:
            on_segv(sig, si, g);
            break;
        case SIGSYS: {  /* seccomp: a guest syscall (served, if enabled) or int 0x80 (#UD, as on PVM) */
            uint64_t after = (uint64_t)(uintptr_t)si->si_call_addr;
            uint64_t lstar = ctl_get_u64(MSR_LSTAR_OFFSET);
            if ((ctl_get_u64(SREGS_EFER) & EFER_SCE) && lstar != 0 && fetch(after - 2) == 0x0F && fetch(after - 1) == 0x05)
                guest_syscall(g, after, lstar);
            else
                guest_fault(g, 6, 0, 0, after - 2);
            break;
        }
        case SIGILL:
            guest_fault(g, 6, 0, 0, rip);
            break;
        case SIGFPE:    /* #DE, or #MF/#XM for x87/SIMD exceptions */
            guest_fault(g, (trapno == 16 || trapno == 19) ? trapno : 0, 0, 0, rip);
            break;
        case SIGTRAP:   /* int3: #BP, rip after it, as the CPU reports; single step: #DB, rip of the next instruction */
            guest_fault(g, (trapno == 1 || trapno == 3) ? trapno : 1, 0, 0, rip);
            break;
        case SIGBUS:
            if (trapno == 17 && ((uint64_t)g[REG_EFL] & FL_AC)) {
                /* alignment check: CR0.AM is clear under KVM, so EFLAGS.AC has
                 * no effect there. Drop AC and retry the access. */
                g[REG_EFL] = (greg_t)((uint64_t)g[REG_EFL] & ~FL_AC);
                break;
            }
            trapno = trapno >= 0 && trapno < 32 ? trapno : 14;
            guest_fault(g, trapno, (uint64_t)g[REG_ERR], trapno == 14 ? (uint64_t)(uintptr_t)si->si_addr : 0, rip);
            break;
        default:
            internal_error(g, "unexpected signal", sig, si);
            break;
        }
    }
    in_launcher = 0;
}

static void on_kick(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;

    (void)sig;
    (void)si;
    exit_uc = uc;
    clear_ac();
    if (in_launcher || in_text((uint64_t)g[REG_RIP])) {
        kick_pending = 1;
        return;
    }
    in_launcher = 1;
    set_exit(KVM_EXIT_INTR);
    vm_exit(g);
    in_launcher = 0;
}

/* Replaces the FPU/SSE/AVX state that sigreturn restores by the reset state,
 * so that nothing of ours (pointers in xmm registers, x87 fip/fdp) reaches
 * the guest. PKRU is left alone. */
static void wipe_fpu(ucontext_t *uc)
{
    volatile uint8_t *fp = (volatile uint8_t *)uc->uc_mcontext.fpregs;

    if (fp == NULL)
        return;
    uint32_t mxcsr_mask = *(volatile uint32_t *)(fp + 28);
    for (int i = 0; i < 416; i++)   /* legacy area up to the software-reserved bytes */
        fp[i] = 0;
    *(volatile uint16_t *)(fp + 0) = 0x37F;        /* fcw */
    *(volatile uint32_t *)(fp + 24) = 0x1F80;      /* mxcsr */
    *(volatile uint32_t *)(fp + 28) = mxcsr_mask;
    if (*(volatile uint32_t *)(fp + 464) == 0x46505853u) {     /* FP_XSTATE_MAGIC1: XSAVE frame */
        volatile uint64_t *xstate_bv = (volatile uint64_t *)(fp + 512);
        *xstate_bv &= 3ULL | (1ULL << 9);       /* x87, SSE (zeroed above), PKRU; the rest: init */
    }
}

/* First entry: load the guest's registers and let sigreturn land in the guest. */
static void on_start(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;

    clear_ac();
    if (!start_armed)
        return;                     /* someone else's signal during setup */
    if (started) {
        if (in_launcher || in_text((uint64_t)g[REG_RIP]))
            return;                 /* cannot happen: blocked in every handler */
        in_launcher = 1;
        internal_error(g, "unexpected signal", sig, si);
        in_launcher = 0;
        return;
    }
    started = 1;
    /* the guest's FS base is 0, as under KVM; from here on no TLS for us */
    if (sys3(SYS_arch_prctl, ARCH_SET_FS, 0, 0) != 0) {
        say("arch_prctl(ARCH_SET_FS, 0) failed");
        die_now(70);
    }
    wait_resume();
    apply_guest_paging();           /* the monitor has set CR3 and built the tables by now */
    load_segment_bases();
    for (int i = 0; i < 16; i++)
        g[kvm_greg[i]] = 0;
    g[REG_EFL] = (greg_t)((uint64_t)g[REG_EFL] & ~(FL_FROM_MONITOR | FL_AC));
    regs_from_ctl(g);
    wipe_fpu(uc);
    memset(&uc->uc_sigmask, 0, sizeof uc->uc_sigmask);
    in_launcher = 0;
}

/* ---- setup ---- */

static int find_text(struct dl_phdr_info *info, size_t size, void *data)
{
    uintptr_t self = (uintptr_t)data, lo = UINTPTR_MAX, hi = 0;

    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        uintptr_t a = info->dlpi_addr + ph->p_vaddr, b = a + ph->p_memsz;
        if (a < lo)
            lo = a;
        if (b > hi)
            hi = b;
    }
    if (self >= lo && self < hi) {
        text_lo = lo;
        text_hi = hi;
        return 1;
    }
    return 0;
}

static int install_seccomp(void)
{
    uint64_t lo = text_lo, hi = text_hi;
    struct sock_filter f[] = {
        /*  0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        /*  1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 11),     /* -> 13 trap */
        /* instruction_pointer >= lo */
        /*  2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
        /*  3 */ BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)(lo >> 32), 3, 0),   /* -> 7 */
        /*  4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(lo >> 32), 0, 8),   /* -> 13 trap */
        /*  5 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
        /*  6 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)lo, 0, 6),           /* -> 13 trap */
        /* instruction_pointer <= hi (it points after the syscall instruction) */
        /*  7 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
        /*  8 */ BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)(hi >> 32), 4, 0),   /* -> 13 trap */
        /*  9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(hi >> 32), 0, 2),   /* -> 12 allow */
        /* 10 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
        /* 11 */ BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)hi, 1, 0),           /* -> 13 trap / 12 allow */
        /* 12 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        /* 13 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
    };
    struct sock_fprog prog = { .len = sizeof f / sizeof f[0], .filter = f };

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        say_errno("prctl(PR_SET_NO_NEW_PRIVS)", errno);
        return -1;
    }
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
        say_errno("seccomp(SECCOMP_SET_MODE_FILTER)", errno);
        return -1;
    }
    return 0;
}

static int handle(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART | flags;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, KICK_SIGNAL);     /* kicks only between guest instructions */
    sigaddset(&sa.sa_mask, START_SIGNAL);
    if (sigaction(sig, &sa, NULL) != 0) {
        say_errno("sigaction", errno);
        return -1;
    }
    return 0;
}

static void *map_fixed(uint64_t addr, uint64_t len, int prot, int flags, int fd, off_t off, const char *what)
{
    void *p = mmap((void *)(uintptr_t)addr, len, prot, flags | MAP_FIXED_NOREPLACE, fd, off);

    if (p == MAP_FAILED) {
        int e = errno;
        struct line l;
        line_start(&l);
        put_str(&l, "cannot map ");
        put_str(&l, what);
        put_str(&l, " at ");
        put_hex(&l, addr);
        put_str(&l, "..");
        put_hex(&l, addr + len);
        put_str(&l, ": ");
        put_str(&l, strerror(e));
        line_emit(&l);
        return NULL;
    }
    if (p != (void *)(uintptr_t)addr) {        /* a kernel without MAP_FIXED_NOREPLACE */
        munmap(p, len);
        say("cannot map guest memory at its address (MAP_FIXED_NOREPLACE unsupported?)");
        return NULL;
    }
    return p;
}

static int parse_size(const char *s, uint64_t *out)
{
    char *end;

    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

static void close_other_fds(void)
{
    if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
        return;
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 1 << 20)
        max = 1 << 20;
    for (long fd = 3; fd < max; fd++)
        close((int)fd);
}

int main(int argc, char **argv)
{
    uint64_t ram_size;
    struct stat st;

    /* A guest spinning in shared memory never reads stdin, so EOF alone
     * cannot end us: die with the monitor (the thread that started us). */
    pid_t monitor = getppid();
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != monitor)
        return 70;

    /* kicks may come as soon as we exist: handle them first */
    void *alt = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (alt == MAP_FAILED) {
        say_errno("mmap of the signal stack", errno);
        return 70;
    }
    stack_t ss = { .ss_sp = alt, .ss_size = ALTSTACK_SIZE, .ss_flags = 0 };
    if (sigaltstack(&ss, NULL) != 0) {
        say_errno("sigaltstack", errno);
        return 70;
    }
    if (handle(KICK_SIGNAL, on_kick, 0) != 0)
        return 70;
    signal(SIGPIPE, SIG_IGN);

    if (argc != 4) {
        say("usage: torovj-vcpu-process RAM_PATH RAM_SIZE CONTROL_PATH");
        return 2;
    }
    if (parse_size(argv[2], &ram_size) != 0 || ram_size == 0 || ram_size % (2ULL << 20) != 0 ||
        ram_size > DEVICE_WINDOW) {
        say("RAM_SIZE must be a non-zero multiple of 2 MiB, at most 0x3FE00000");
        return 2;
    }
    ram_end = ram_size;

    int ram_fd = open(argv[1], O_RDWR | O_CLOEXEC);
    if (ram_fd < 0) {
        say_errno("cannot open RAM_PATH", errno);
        return 70;
    }
    if (fstat(ram_fd, &st) != 0 || (uint64_t)st.st_size < ram_size) {
        say("the RAM file is smaller than RAM_SIZE");
        return 70;
    }
    if (!map_fixed(GUEST_RAM_START, ram_size - GUEST_RAM_START, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_SHARED, ram_fd, (off_t)GUEST_RAM_START, "guest RAM"))
        return 70;
    /* nothing of ours may ever land between RAM and the window, or in it */
    if (ram_size < DEVICE_WINDOW &&
        !map_fixed(ram_size, DEVICE_WINDOW - ram_size, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0, "the hole below the device window"))
        return 70;
    if (!map_fixed(DEVICE_WINDOW, DEVICE_WINDOW_END - DEVICE_WINDOW, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0, "the device window"))
        return 70;
    /* the launcher's own view of guest RAM (after the fixed maps: it lands far above them) */
    void *alias = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_SHARED, ram_fd, 0);
    if (alias == MAP_FAILED) {
        say_errno("mmap of the launcher's view of guest RAM", errno);
        return 70;
    }
    if ((uintptr_t)alias < DEVICE_WINDOW_END) {
        say("the launcher's view of guest RAM landed below the device window");
        return 70;
    }
    ram_alias = alias;

    int ctl_fd = open(argv[3], O_RDWR | O_CLOEXEC);
    if (ctl_fd < 0) {
        say_errno("cannot open CONTROL_PATH", errno);
        return 70;
    }
    if (fstat(ctl_fd, &st) != 0 || st.st_size < CONTROL_SIZE) {
        say("the control file is smaller than 8192 bytes");
        return 70;
    }
    void *c = mmap(NULL, CONTROL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, ctl_fd, 0);
    if (c == MAP_FAILED) {
        say_errno("mmap of the control file", errno);
        return 70;
    }
    ctl = c;
    close_other_fds();

    dl_iterate_phdr(find_text, (void *)(uintptr_t)&main);
    if (text_lo == 0 || text_hi <= text_lo || text_lo < DEVICE_WINDOW_END) {
        say("cannot find our own text segment above guest memory (not built -static-pie?)");
        return 70;
    }

    if (handle(SIGSEGV, on_fault, SA_NODEFER) || handle(SIGBUS, on_fault, SA_NODEFER) ||
        handle(SIGILL, on_fault, SA_NODEFER) || handle(SIGFPE, on_fault, SA_NODEFER) ||
        handle(SIGTRAP, on_fault, SA_NODEFER) || handle(SIGSYS, on_fault, SA_NODEFER) ||
        handle(START_SIGNAL, on_start, 0))
        return 70;

    if (install_seccomp() != 0)
        return 70;

    __atomic_store_n((volatile uint32_t *)(ctl + READY_OFFSET), READY_MAGIC, __ATOMIC_SEQ_CST);

    /* enter the guest from the start handler (after the first 'R') */
    start_armed = 1;
    sys3(SYS_kill, sys3(SYS_getpid, 0, 0, 0), START_SIGNAL, 0);
    say("the start signal returned to the launcher");
    die_now(70);
}
