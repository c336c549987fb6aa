package io.torovj.boot;

import io.torovj.memory.GuestMemory;

/**
 * GDT, 64-bit TSS and IDT, plus the CPL0 exception handlers. The guest runs at CPL3; an
 * exception switches to the TSS's rsp0 stack and to a small handler that pushes CR2 and
 * reports through {@link GuestLayout#FAULT_PORT}. The monitor then reads the frame
 * [cr2, vector, error, rip, cs, rflags, rsp, ss] at the handler's rsp (see {@link GuestFault}).
 */
public final class DescriptorTables {
    private DescriptorTables() {}

    public static final int KERNEL_CS = 0x08, KERNEL_DS = 0x10, USER_DS = 0x1B, USER_CS = 0x23, TSS_SELECTOR = 0x28;
    public static final int GDT_LIMIT = 7 * 8 - 1;
    public static final int TSS_LIMIT = 103;
    public static final int IDT_LIMIT = 256 * 16 - 1;

    /** Vectors whose exceptions push an error code. */
    static boolean hasErrorCode(int vector) {
        return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 || vector == 29 || vector == 30;
    }

    private static final int STUB_SIZE = 16;
    static final long SPURIOUS_STUB = GuestLayout.HANDLER_CODE + 32 * STUB_SIZE;
    static final long COMMON_HANDLER = SPURIOUS_STUB + STUB_SIZE;
    /** Vector number pushed for interrupts 32-255, which this guest never enables. */
    public static final int SPURIOUS_VECTOR = 0xFF;

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
        mem.writeU16(GuestLayout.TSS + 102, (short) (TSS_LIMIT + 1));        // no I/O bitmap: IOPL=3 decides
    }

    private static void writeHandlers(GuestMemory mem) {
        mem.fill(GuestLayout.HANDLER_CODE, GuestLayout.PAGE, (byte) 0xCC);
        for (int v = 0; v < 32; v++) {
            writeStub(mem, GuestLayout.HANDLER_CODE + (long) v * STUB_SIZE, v, !hasErrorCode(v));
        }
        writeStub(mem, SPURIOUS_STUB, SPURIOUS_VECTOR, true);
        byte[] common = {
            0x0F, 0x20, (byte) 0xD0,                                   // mov %cr2, %rax
            0x50,                                                      // push %rax
            0x66, (byte) 0xBA, (byte) GuestLayout.FAULT_PORT, (byte) (GuestLayout.FAULT_PORT >> 8), // mov $port, %dx
            (byte) 0xEE,                                               // out %al, %dx
            (byte) 0xF4,                                               // hlt
            (byte) 0xEB, (byte) 0xFD,                                  // jmp hlt
        };
        mem.write(COMMON_HANDLER, common);
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
