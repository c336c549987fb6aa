/*
 * crt0.S - process entry for both runtimes.
 *
 * Linux (and the ToroV/J monitor, which builds the same layout) enters here
 * with rsp -> argc, argv[argc] NULL, envp[] NULL, auxv pairs ending with
 * AT_NULL. We clear rbp (end of frame chain), pass the original rsp to the C
 * start routine and give it a 16-byte aligned stack as the SysV ABI requires
 * at a call site.
 */
    .cfi_sections .debug_frame
    .text
    .globl  _start
    .type   _start, @function
_start:
    .cfi_startproc
    .cfi_undefined rip
    xorl    %ebp, %ebp
    movq    %rsp, %rdi
    andq    $-16, %rsp
    call    __torovj_start
    /* __torovj_start never returns */
1:  ud2
    jmp     1b
    .cfi_endproc
    .size   _start, . - _start

    .section .note.GNU-stack, "", @progbits
