/*
 * shim_entry.S - the syscall shim's two entry points (see shim.c for what the
 * shim is and how the monitor uses it).
 *
 * _shim_start: the vCPU starts here, not at the program's entry. The first
 * instruction jumps over the header the monitor reads (it finds it at the ELF
 * entry + 8). The program's initial stack is left exactly as Linux lays it
 * out: shim_init runs on a copy of the stack pointer and the program starts
 * with the same rsp and every general register zero (rdx = 0: no atexit
 * function, as the ELF ABI says).
 *
 * shim_syscall_entry: where a patched call site lands, through its per-site
 * thunk, with rax = syscall number and rcx = the address after the site's
 * `syscall` instruction (what the instruction itself would leave in rcx).
 * Like the instruction it replaces it preserves every register but rax
 * (result), rcx and r11 (rflags, as `syscall` leaves it), and never touches
 * the program's stack: the program's red zone below rsp may hold live data.
 * It runs on the shim's own stack; there is one vCPU and no signal delivery,
 * so it is never re-entered. The transports' guest halves are compiled with
 * -mgeneral-regs-only, so no vector or x87 register needs saving.
 */
    .section .note.GNU-stack, "", @progbits

    .text
    .globl  _shim_start
    .type   _shim_start, @function
_shim_start:
    jmp     1f
    .balign 8
    /* struct shim_header, read by io.torovj.vmm.SyscallShim */
    .quad   0x4d4948534a564f54          /* magic "TOVJSHIM" */
    .quad   1                           /* version */
    .quad   shim_syscall_entry
    .quad   shim_thunks
    .quad   shim_thunks_end
1:
    movq    %rsp, %r12                  /* argc, argv, envp, auxv */
    movq    %rsp, %rdi
    andq    $-16, %rsp
    call    shim_init                   /* returns the program's entry point */
    movq    %r12, %rsp
    pushq   %rax                        /* below argc: popped again by ret */
    xorl    %eax, %eax
    xorl    %ebx, %ebx
    xorl    %ecx, %ecx
    xorl    %edx, %edx
    xorl    %esi, %esi
    xorl    %edi, %edi
    xorl    %ebp, %ebp
    xorl    %r8d, %r8d
    xorl    %r9d, %r9d
    xorl    %r10d, %r10d
    xorl    %r11d, %r11d
    xorl    %r12d, %r12d
    ret
    .size   _shim_start, . - _shim_start

    .globl  shim_syscall_entry
    .type   shim_syscall_entry, @function
shim_syscall_entry:
    cmpq    $158, %rax                  /* arch_prctl: see below */
    je      2f
    movq    %rsp, %r11
    leaq    shim_stack_top(%rip), %rsp
    pushq   %r11                        /* the program's rsp */
    pushq   %rcx                        /* return address */
    pushfq
    cld                                 /* the C ABI's DF=0; popfq restores the program's */
    pushq   %rdi
    pushq   %rsi
    pushq   %rdx
    pushq   %r8
    pushq   %r9
    pushq   %r10                        /* 9 pushes: rsp = 8 mod 16 */
    pushq   %r9                         /* a5, the 7th argument: rsp = 0 mod 16 at the call */
    movq    %r8, %r9                    /* a4 */
    movq    %r10, %r8                   /* a3 */
    movq    %rdx, %rcx                  /* a2 */
    movq    %rsi, %rdx                  /* a1 */
    movq    %rdi, %rsi                  /* a0 */
    movq    %rax, %rdi                  /* nr */
    call    *shim_transport_call(%rip)
    addq    $8, %rsp
    popq    %r10
    popq    %r9
    popq    %r8
    popq    %rdx
    popq    %rsi
    popq    %rdi
    movq    (%rsp), %r11                /* rflags, as the syscall instruction leaves r11 */
    popfq
    popq    %rcx
    popq    %rsp
    jmp     *%rcx
    /* arch_prctl sets the vCPU's own FS/GS base, which the monitor can do only on the vCPU's
       thread while the guest is stopped, not from a polled transport's thread while it spins:
       it takes the trap, as before the site was patched. */
2:  movq    %rcx, shim_saved_return(%rip)
    syscall
    jmp     *shim_saved_return(%rip)
    .size   shim_syscall_entry, . - shim_syscall_entry

    .bss
    .balign 8
shim_saved_return:
    .skip   8
    .balign 16
shim_stack:
    .skip   16384
shim_stack_top:

    /* The monitor writes one 32-byte thunk per patched call site here. */
    .balign 4096
    .globl  shim_thunks, shim_thunks_end
shim_thunks:
    .skip   65536
shim_thunks_end:
