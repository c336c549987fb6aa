/*
 * syscall_regs.c - what a patched `syscall` site must preserve, checked from
 * inside an unmodified static program (built by UnmodifiedBinaryTest with
 * gcc -static, run natively and as a VM; the output must be the same).
 *
 * Each probe loads every general register but rax/rcx/r11/rsp, xmm0 and
 * xmm15, the carry and direction flags and the 128-byte red zone below rsp
 * with known values, makes getpid with one of the three site shapes the
 * monitor rewrites, and stores them all back: Linux's `syscall` preserves
 * everything but rax, rcx and r11, and never touches the user stack. The
 * first call from each site traps; the later ones go through the patched
 * site, so several rounds are made.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { RBX, RDX, RSI, RDI, R8, R9, R10, R12, R13, R14, R15, RBP, XMM0_LO, XMM0_HI, XMM15_LO, XMM15_HI,
       RED /* 16 qwords */, CARRY = RED + 16, DIRECTION, RAX, NVALUES };
static const char *const names[] = {"rbx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r12", "r13", "r14", "r15",
                                    "rbp", "xmm0.lo", "xmm0.hi", "xmm15.lo", "xmm15.hi"};

uint64_t probe_in[NVALUES], probe_out[NVALUES];
uint64_t probe_scratch;

/* The three shapes: `mov $39,%eax; syscall`, `mov %r12,%rax; syscall` (r12 = 39), and a syscall
 * followed by glibc's compare (which sets CF for any non-error result, as the other probes do
 * with stc before the call). */
void probe_mov_imm(void);
void probe_mov_reg(void);
void probe_cmp_after(void);     /* `mov %r12d,%eax; syscall; cmp $-4096,%rax`: CF=1 after it */

#define LOAD \
    "push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n" \
    "lea probe_in(%rip), %rdi\n" \
    ".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n" \
    "  mov 128+8*\\i(%rdi), %rax\n mov %rax, -128+8*\\i(%rsp)\n" \
    ".endr\n" \
    "mov 0(%rdi), %rbx\n mov 8(%rdi), %rdx\n mov 16(%rdi), %rsi\n mov 32(%rdi), %r8\n" \
    "mov 40(%rdi), %r9\n mov 48(%rdi), %r10\n mov 56(%rdi), %r12\n mov 64(%rdi), %r13\n" \
    "mov 72(%rdi), %r14\n mov 80(%rdi), %r15\n mov 88(%rdi), %rbp\n" \
    "movdqu 96(%rdi), %xmm0\n movdqu 112(%rdi), %xmm15\n" \
    "std\n stc\n" \
    "mov 24(%rdi), %rdi\n"

/* rax and the carry flag first, then the red zone (before pushfq writes below rsp). */
#define STORE \
    "mov %rdi, probe_scratch(%rip)\n" \
    "lea probe_out(%rip), %rdi\n" \
    "mov %rax, 272(%rdi)\n" \
    "setc 256(%rdi)\n" \
    ".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n" \
    "  mov -128+8*\\i(%rsp), %rax\n mov %rax, 128+8*\\i(%rdi)\n" \
    ".endr\n" \
    "pushfq\n pop %rcx\n shr $10, %rcx\n and $1, %rcx\n mov %rcx, 264(%rdi)\n cld\n" \
    "mov %rbx, 0(%rdi)\n mov %rdx, 8(%rdi)\n mov %rsi, 16(%rdi)\n mov %r8, 32(%rdi)\n" \
    "mov %r9, 40(%rdi)\n mov %r10, 48(%rdi)\n mov %r12, 56(%rdi)\n mov %r13, 64(%rdi)\n" \
    "mov %r14, 72(%rdi)\n mov %r15, 80(%rdi)\n mov %rbp, 88(%rdi)\n" \
    "movdqu %xmm0, 96(%rdi)\n movdqu %xmm15, 112(%rdi)\n" \
    "mov probe_scratch(%rip), %rax\n mov %rax, 24(%rdi)\n" \
    "pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n ret\n"

__asm__(".text\n .globl probe_mov_imm\n probe_mov_imm:\n" LOAD
        "mov $39, %eax\n syscall\n" STORE
        ".globl probe_mov_reg\n probe_mov_reg:\n" LOAD
        "mov %r12, %rax\n syscall\n" STORE
        ".globl probe_cmp_after\n probe_cmp_after:\n" LOAD
        "mov %r12d, %eax\n syscall\n cmp $-4096, %rax\n" STORE);

/* arch_prctl(ARCH_GET_FS) from one `mov $158,%eax; syscall` site: once patched, the shim sends it
 * back through the trap (the FS base is the vCPU's own state). glibc keeps the thread pointer at
 * %fs:0, so the answer can be checked against it. */
static long get_fs(uint64_t *base)
{
    long ret;
    __asm__ volatile("mov $158, %%eax\n\tsyscall" : "=a"(ret) : "D"(0x1003L), "S"(base) : "rcx", "r11", "memory");
    return ret;
}

static int fs_base_checks(void)
{
    uint64_t self;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(self));
    for (int i = 0; i < 3; i++) {
        uint64_t base = 0;
        if (get_fs(&base) != 0 || base != self) {
            printf("arch_prctl call %d: FS base %#llx, %%fs:0 says %#llx\n", i, (unsigned long long)base,
                   (unsigned long long)self);
            return 1;
        }
    }
    return 0;
}

static int run(const char *shape, void (*probe)(void), int round)
{
    for (int i = 0; i < NVALUES; i++)
        probe_in[i] = 0x1111111111111111ull * (uint64_t)((i + round) % 15 + 1) ^ (uint64_t)i << 56;
    probe_in[R12] = 39;                 /* the register shape's number: getpid */
    memset(probe_out, 0, sizeof probe_out);
    probe();
    int bad = 0;
    for (int i = 0; i < RED; i++)
        if (probe_out[i] != probe_in[i]) {
            printf("%s round %d: %s changed\n", shape, round, names[i]);
            bad = 1;
        }
    for (int i = 0; i < 16; i++)
        if (probe_out[RED + i] != probe_in[RED + i]) {
            printf("%s round %d: red zone slot %d changed\n", shape, round, i);
            bad = 1;
        }
    if (probe_out[CARRY] != 1 || probe_out[DIRECTION] != 1) {
        printf("%s round %d: flags changed (CF %d DF %d)\n", shape, round, (int)probe_out[CARRY], (int)probe_out[DIRECTION]);
        bad = 1;
    }
    if ((long)probe_out[RAX] != (long)getpid()) {
        printf("%s round %d: getpid returned %ld\n", shape, round, (long)probe_out[RAX]);
        bad = 1;
    }
    return bad;
}

int main(void)
{
    int bad = 0;
    for (int round = 0; round < 4; round++) {
        bad |= run("mov-imm", probe_mov_imm, round);
        bad |= run("mov-reg", probe_mov_reg, round);
        bad |= run("cmp-after", probe_cmp_after, round);
    }
    printf(bad ? "registers: changed\n" : "registers: preserved over 12 calls\n");
    int fs = fs_base_checks();
    printf(fs ? "arch_prctl: wrong\n" : "arch_prctl: FS base read 3 times\n");
    bad |= fs;
    return bad;
}
