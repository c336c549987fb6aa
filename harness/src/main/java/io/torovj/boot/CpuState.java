package io.torovj.boot;

import io.torovj.kvm.KvmRegs;
import io.torovj.kvm.KvmSregs;
import io.torovj.kvm.KvmSregs.Segment;

/**
 * The vCPU's initial state: 64-bit long mode with paging, entered directly at CPL3 (so PVM
 * runs the guest natively instead of emulating CPL0), interrupts off, RFLAGS.IOPL=0: which
 * ports user code may use is decided by the TSS's I/O permission bitmap alone
 * ({@link IoPermissionBitmap}), the one grant that PVM honours as VMX and SVM do.
 */
public final class CpuState {
    private CpuState() {}

    static final long CR0_PE = 1, CR0_MP = 2, CR0_ET = 0x10, CR0_NE = 0x20, CR0_WP = 0x10000, CR0_PG = 0x8000_0000L;
    static final long CR4_PAE = 0x20, CR4_OSFXSR = 0x200, CR4_OSXMMEXCPT = 0x400;
    static final long EFER_SCE = 0x1, EFER_LME = 0x100, EFER_LMA = 0x400;

    /** The MSRs of the {@code syscall} instruction. */
    public static final int MSR_STAR = 0xC000_0081, MSR_LSTAR = 0xC000_0082, MSR_SFMASK = 0xC000_0084;
    /**
     * STAR: {@code syscall} loads CS = STAR[47:32] (kernel code, 0x08) and SS = that + 8;
     * {@code sysretq} loads CS = STAR[63:48] + 16 | 3 (user code 0x23) and SS = STAR[63:48] + 8 | 3
     * (user data 0x1B).
     */
    static final long STAR = ((long) (DescriptorTables.USER_DS - 8 - 3) << 48) | ((long) DescriptorTables.KERNEL_CS << 32);
    /** SFMASK: rflags bits {@code syscall} clears on entry: TF (no single step into the stub), IF, DF, AC. */
    static final long SFMASK = 0x100 | 0x200 | 0x400 | 0x40000;
    static final long RFLAGS_RESERVED = 0x2;

    public static void setSregs(KvmSregs s) {
        s.setSegment(Segment.CS, 0, 0xFFFFFFFF, DescriptorTables.USER_CS, 0xB, true, 3, false, true, true, true, false);
        for (Segment data : new Segment[] {Segment.DS, Segment.ES, Segment.FS, Segment.GS, Segment.SS}) {
            s.setSegment(data, 0, 0xFFFFFFFF, DescriptorTables.USER_DS, 0x3, true, 3, true, true, false, true, false);
        }
        s.setSegment(Segment.TR, GuestLayout.TSS, DescriptorTables.TSS_LIMIT, DescriptorTables.TSS_SELECTOR, 0xB,
                true, 0, false, false, false, false, false);
        s.setSegment(Segment.LDT, 0, 0xFFFF, 0, 0x2, true, 0, false, false, false, false, true);
        s.setGdt(GuestLayout.GDT, DescriptorTables.GDT_LIMIT);
        s.setIdt(GuestLayout.IDT, DescriptorTables.IDT_LIMIT);
        s.setCr0(CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG);
        s.setCr3(GuestLayout.PML4);
        s.setCr4(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT);
        s.setEfer(EFER_SCE | EFER_LME | EFER_LMA);     // SCE: syscall enters DescriptorTables.SYSCALL_ENTRY
    }

    /** The syscall MSRs, as {index, value} pairs for {@code Vcpu.setMsrs}: STAR, LSTAR (the entry stub), SFMASK. */
    public static int[] syscallMsrIndices() { return new int[] {MSR_STAR, MSR_LSTAR, MSR_SFMASK}; }
    public static long[] syscallMsrValues() { return new long[] {STAR, DescriptorTables.SYSCALL_ENTRY, SFMASK}; }

    public static void setRegs(KvmRegs r, long entry, long stack) {
        r.clear();
        r.setRip(entry);
        r.setRsp(stack);
        r.setRflags(RFLAGS_RESERVED);                 // IOPL=0: the I/O bitmap decides
    }
}
