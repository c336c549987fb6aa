package io.torovj.boot;

import io.torovj.memory.GuestMemory;

/**
 * GDT, 64-bit TSS and IDT, plus the CPL0 exception handlers. The guest runs at CPL3; an
 * exception switches to the TSS's rsp0 stack and to a small handler that saves rax and rdx,
 * pushes CR2 and reports through {@link GuestLayout#FAULT_PORT}. The monitor then reads the
 * frame [cr2, rdx, rax, vector, error, rip, cs, rflags, rsp, ss] at the handler's rsp (see
 * {@link GuestFault}). The exception is resumable: if the monitor enters the vCPU again, the
 * handler restores rdx and rax and returns with iretq to the frame's rip, rflags and rsp, which
 * a debugger may have changed. Without a debugger the monitor ends the VM at the report.
 */
public final class DescriptorTables {
    private DescriptorTables() {}

    public static final int KERNEL_CS = 0x08, KERNEL_DS = 0x10, USER_DS = 0x1B, USER_CS = 0x23, TSS_SELECTOR = 0x28;
    public static final int GDT_LIMIT = 7 * 8 - 1;
    /** The 104-byte 64-bit TSS, the I/O permission bitmap after it, and the bitmap's 0xFF terminator byte. */
    public static final int TSS_LIMIT = IoPermissionBitmap.TSS_OFFSET + IoPermissionBitmap.BYTES;
    public static final int IDT_LIMIT = 256 * 16 - 1;

    /** Vectors whose exceptions push an error code. */
    static boolean hasErrorCode(int vector) {
        return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 || vector == 29 || vector == 30;
    }

    private static final int STUB_SIZE = 16;
    static final long SPURIOUS_STUB = GuestLayout.HANDLER_CODE + 32 * STUB_SIZE;
    public static final long COMMON_HANDLER = SPURIOUS_STUB + STUB_SIZE;

    /** The common handler: report through the fault port, then resume the guest. */
    private static final byte[] COMMON = {
        0x50,                                                      // push %rax
        0x52,                                                      // push %rdx
        0x0F, 0x20, (byte) 0xD0,                                   // mov %cr2, %rax
        0x50,                                                      // push %rax
        0x66, (byte) 0xBA, (byte) GuestLayout.FAULT_PORT, (byte) (GuestLayout.FAULT_PORT >> 8), // mov $port, %dx
        (byte) 0xEE,                                               // out %al, %dx  (the report)
        0x48, (byte) 0x83, (byte) 0xC4, 0x08,                      // add $8, %rsp  (drop cr2)
        0x5A,                                                      // pop %rdx
        0x58,                                                      // pop %rax
        0x48, (byte) 0x83, (byte) 0xC4, 0x10,                      // add $16, %rsp (drop vector, error code)
        0x48, (byte) 0xCF,                                         // iretq
    };
    private static final int OUT_OFFSET = 10;
    /**
     * Where the vCPU is when the fault report exits to the monitor: just after the handler's
     * {@code out} (the process platform reports the same, harness/src/main/c/vcpu_process.c).
     */
    public static final long FAULT_REPORTED_RIP = COMMON_HANDLER + OUT_OFFSET + 1;

    /**
     * True if a fault-port exit at {@code rip} came from the exception handler (and not from
     * guest code doing an {@code out} to the port itself): the handler page is supervisor-only.
     */
    public static boolean isHandlerReport(long rip) {
        return rip >= COMMON_HANDLER + OUT_OFFSET && rip <= FAULT_REPORTED_RIP;
    }
    /**
     * The {@code syscall} instruction's entry (MSR LSTAR): {@code out %al, $SYSCALL_PORT}, then
     * {@code sysretq}. The monitor serves the call at the out, from the registers (rax = number,
     * rdi, rsi, rdx, r10, r8, r9; rcx = return address, r11 = rflags, as the instruction left
     * them) and writes rax. Architecturally (VMX, SVM) {@code syscall} enters it at CPL0 and
     * sysretq returns to rcx at CPL3. On PVM {@code syscall} jumps here without leaving CPL3
     * (measured: cs stays 0x23), where sysretq would #GP: there the monitor returns to rcx
     * itself. So the stub lives in a user-executable page (the read-only boot information
     * page) and its port is granted to user code; the stub never touches the stack.
     */
    public static final long SYSCALL_ENTRY = GuestLayout.BOOT_INFO + 0x800;
    private static final byte[] SYSCALL_STUB = {
        (byte) 0xE6, (byte) GuestLayout.SYSCALL_PORT,              // out %al, $SYSCALL_PORT
        0x48, 0x0F, 0x07,                                           // sysretq
    };
    /** Where the vCPU is when the syscall report exits to the monitor: just after the stub's out. */
    public static final long SYSCALL_REPORTED_RIP = SYSCALL_ENTRY + 2;

    /** Writes the syscall entry stub (after {@link BootInfo#create}, which clears its page). */
    public static void writeSyscallEntry(GuestMemory mem) {
        mem.write(SYSCALL_ENTRY, SYSCALL_STUB);
    }

    /** Vector number pushed for interrupts 32-255, which this guest never enables. */
    public static final int SPURIOUS_VECTOR = 0xFF;

    /**
     * Writes the GDT, the TSS with an I/O bitmap that refuses every port, the exception
     * handlers and the IDT. The ports the VM's devices claim are granted later, once they are
     * known, with {@link IoPermissionBitmap#writeTo}.
     */
    public static void build(GuestMemory mem) {
        writeGdt(mem);
        writeTss(mem);
        writeHandlers(mem);
        writeIdt(mem);
    }

    private static void writeGdt(GuestMemory mem) {
        mem.writeU64(GuestLayout.GDT, 0);
        mem.writeU64(GuestLayout.GDT + 0x08, 0x00AF9A000000FFFFL); // kernel code, 64-bit, DPL0
        mem.writeU64(GuestLayout.GDT + 0x10, 0x00CF92000000FFFFL); // kernel data, DPL0
        mem.writeU64(GuestLayout.GDT + 0x18, 0x00CFF2000000FFFFL); // user data, DPL3
        mem.writeU64(GuestLayout.GDT + 0x20, 0x00AFFA000000FFFFL); // user code, 64-bit, DPL3
        long base = GuestLayout.TSS;
        long low = (TSS_LIMIT & 0xFFFFL)
                | ((base & 0xFFFFFFL) << 16)
                | (0x89L << 40)                       // present, DPL0, type 9: available 64-bit TSS
                | (((TSS_LIMIT >> 16) & 0xFL) << 48)
                | (((base >> 24) & 0xFFL) << 56);
        mem.writeU64(GuestLayout.GDT + 0x28, low);
        mem.writeU64(GuestLayout.GDT + 0x30, base >>> 32);
    }

    private static void writeTss(GuestMemory mem) {
        mem.fill(GuestLayout.TSS, TSS_LIMIT + 1, (byte) 0);
        mem.writeU64(GuestLayout.TSS + 4, GuestLayout.EXCEPTION_STACK_TOP);   // rsp0
        new IoPermissionBitmap().writeTo(mem);                               // no port granted yet
    }

    private static void writeHandlers(GuestMemory mem) {
        mem.fill(GuestLayout.HANDLER_CODE, GuestLayout.HANDLER_CODE_SIZE, (byte) 0xCC);
        for (int v = 0; v < 32; v++) {
            writeStub(mem, GuestLayout.HANDLER_CODE + (long) v * STUB_SIZE, v, !hasErrorCode(v));
        }
        writeStub(mem, SPURIOUS_STUB, SPURIOUS_VECTOR, true);
        mem.write(COMMON_HANDLER, COMMON);
    }

    /** push $0 (if the CPU pushed no error code); push $vector; jmp common. */
    private static void writeStub(GuestMemory mem, long at, int vector, boolean pushZero) {
        byte[] code = new byte[STUB_SIZE];
        int i = 0;
        if (pushZero) { code[i++] = 0x6A; code[i++] = 0x00; }
        code[i++] = 0x68;                                              // push imm32 (sign-extended)
        code[i++] = (byte) vector; code[i++] = 0; code[i++] = 0; code[i++] = 0;
        code[i++] = (byte) 0xE9;                                       // jmp rel32
        long rel = COMMON_HANDLER - (at + i + 4);
        code[i++] = (byte) rel; code[i++] = (byte) (rel >> 8); code[i++] = (byte) (rel >> 16); code[i++] = (byte) (rel >> 24);
        while (i < STUB_SIZE) code[i++] = (byte) 0xCC;
        mem.write(at, code);
    }

    private static void writeIdt(GuestMemory mem) {
        for (int v = 0; v < 256; v++) {
            long handler = v < 32 ? GuestLayout.HANDLER_CODE + (long) v * STUB_SIZE : SPURIOUS_STUB;
            // #BP and #OF may be raised by int3/into from user code: their gates need DPL3
            int dpl = (v == 3 || v == 4) ? 3 : 0;
            long typeAttr = 0x8E | ((long) dpl << 5);                 // present, 64-bit interrupt gate
            long low = (handler & 0xFFFFL) | ((long) KERNEL_CS << 16) | (typeAttr << 40) | (((handler >> 16) & 0xFFFFL) << 48);
            mem.writeU64(GuestLayout.IDT + v * 16L, low);
            mem.writeU64(GuestLayout.IDT + v * 16L + 8, handler >>> 32);
        }
    }
}
