package io.torovj.kvm;

/**
 * Numbers and struct layouts from {@code <linux/kvm.h>} (x86-64), in one place.
 * {@code KvmAbiLayoutTest} compiles a C program against the machine's header and checks every
 * value here. Only the {@code io.torovj.kvm} package uses them.
 */
public final class KvmAbi {
    private KvmAbi() {}

    public static final int API_VERSION = 12;

    // ioctl numbers: _IO/_IOR/_IOW(0xAE, nr, size)
    public static final long KVM_GET_API_VERSION = 0xAE00L;
    public static final long KVM_CREATE_VM = 0xAE01L;
    public static final long KVM_CHECK_EXTENSION = 0xAE03L;
    public static final long KVM_GET_VCPU_MMAP_SIZE = 0xAE04L;
    public static final long KVM_CREATE_VCPU = 0xAE41L;
    public static final long KVM_SET_USER_MEMORY_REGION = 0x4020AE46L;
    public static final long KVM_SET_TSS_ADDR = 0xAE47L;
    public static final long KVM_IOEVENTFD = 0x4040AE79L;
    public static final long KVM_RUN = 0xAE80L;
    public static final long KVM_GET_REGS = 0x8090AE81L;
    public static final long KVM_SET_REGS = 0x4090AE82L;
    public static final long KVM_GET_SREGS = 0x8138AE83L;
    public static final long KVM_SET_SREGS = 0x4138AE84L;
    public static final long KVM_SET_SIGNAL_MASK = 0x4004AE8BL;
    public static final long KVM_SET_MSRS = 0x4008AE89L;
    /** struct kvm_xsave (4096 bytes): the whole XSAVE area (x87, SSE, AVX ...). */
    public static final long KVM_GET_XSAVE = 0x9000AEA4L;
    public static final long KVM_SET_XSAVE = 0x5000AEA5L;
    public static final int XSAVE_SIZE = 4096;
    /** struct kvm_fpu (416 bytes): x87 and SSE only; where XSAVE is not offered. */
    public static final long KVM_GET_FPU = 0x81A0AE8CL;
    public static final long KVM_SET_FPU = 0x41A0AE8DL;
    public static final int FPU_SIZE = 416;

    // struct kvm_msrs { u32 nmsrs; u32 pad; struct kvm_msr_entry entries[]; }, entry { u32 index; u32 reserved; u64 data; }
    public static final int MSRS_NMSRS = 0, MSRS_ENTRIES = 8, MSR_ENTRY_SIZE = 16, MSR_ENTRY_INDEX = 0, MSR_ENTRY_DATA = 8;

    // capabilities
    public static final int KVM_CAP_USER_MEMORY = 3;
    public static final int KVM_CAP_SET_TSS_ADDR = 4;
    public static final int KVM_CAP_IOEVENTFD = 36;
    public static final int KVM_CAP_IMMEDIATE_EXIT = 136;
    /** Registers set through kvm_run's sync area: answers the fields offered (KVM_SYNC_X86_REGS | SREGS | EVENTS). */
    public static final int KVM_CAP_SYNC_REGS = 74;
    public static final int KVM_SYNC_X86_REGS = 1, KVM_SYNC_X86_SREGS = 2;
    /** kvm_run's kvm_valid_regs and kvm_dirty_regs (u64 each), then struct kvm_sync_regs: regs, then sregs. */
    public static final int RUN_VALID_REGS = 288, RUN_DIRTY_REGS = 296, RUN_SYNC_REGS = 304, RUN_SYNC_SREGS = 304 + 144;

    // exit reasons
    public static final int KVM_EXIT_UNKNOWN = 0;
    public static final int KVM_EXIT_EXCEPTION = 1;
    public static final int KVM_EXIT_IO = 2;
    public static final int KVM_EXIT_HYPERCALL = 3;
    public static final int KVM_EXIT_DEBUG = 4;
    public static final int KVM_EXIT_HLT = 5;
    public static final int KVM_EXIT_MMIO = 6;
    public static final int KVM_EXIT_SHUTDOWN = 8;
    public static final int KVM_EXIT_FAIL_ENTRY = 9;
    public static final int KVM_EXIT_INTR = 10;
    public static final int KVM_EXIT_INTERNAL_ERROR = 17;
    public static final int KVM_EXIT_SYSTEM_EVENT = 24;

    public static final int KVM_EXIT_IO_IN = 0;
    public static final int KVM_EXIT_IO_OUT = 1;

    public static final int KVM_IOEVENTFD_FLAG_DATAMATCH = 1;
    public static final int KVM_IOEVENTFD_FLAG_PIO = 2;
    public static final int KVM_IOEVENTFD_FLAG_DEASSIGN = 4;

    // struct kvm_userspace_memory_region
    public static final int MEMREGION_SIZE = 32;
    public static final int MEMREGION_SLOT = 0, MEMREGION_FLAGS = 4, MEMREGION_GUEST_PHYS_ADDR = 8,
            MEMREGION_MEMORY_SIZE = 16, MEMREGION_USERSPACE_ADDR = 24;

    // struct kvm_ioeventfd
    public static final int IOEVENTFD_SIZE = 64;
    public static final int IOEVENTFD_DATAMATCH = 0, IOEVENTFD_ADDR = 8, IOEVENTFD_LEN = 16,
            IOEVENTFD_FD = 20, IOEVENTFD_FLAGS = 24;

    // struct kvm_regs
    public static final int REGS_SIZE = 144;
    public static final int REGS_RAX = 0, REGS_RBX = 8, REGS_RCX = 16, REGS_RDX = 24, REGS_RSI = 32,
            REGS_RDI = 40, REGS_RSP = 48, REGS_RBP = 56, REGS_R8 = 64, REGS_R9 = 72, REGS_R10 = 80, REGS_R11 = 88, REGS_R15 = 120,
            REGS_RIP = 128, REGS_RFLAGS = 136;

    // struct kvm_segment
    public static final int SEGMENT_SIZE = 24;
    public static final int SEG_BASE = 0, SEG_LIMIT = 8, SEG_SELECTOR = 12, SEG_TYPE = 14, SEG_PRESENT = 15,
            SEG_DPL = 16, SEG_DB = 17, SEG_S = 18, SEG_L = 19, SEG_G = 20, SEG_AVL = 21, SEG_UNUSABLE = 22;

    // struct kvm_dtable
    public static final int DTABLE_BASE = 0, DTABLE_LIMIT = 8;

    // struct kvm_sregs
    public static final int SREGS_SIZE = 312;
    public static final int SREGS_CS = 0, SREGS_DS = 24, SREGS_ES = 48, SREGS_FS = 72, SREGS_GS = 96,
            SREGS_SS = 120, SREGS_TR = 144, SREGS_LDT = 168, SREGS_GDT = 192, SREGS_IDT = 208,
            SREGS_CR0 = 224, SREGS_CR2 = 232, SREGS_CR3 = 240, SREGS_CR4 = 248, SREGS_CR8 = 256,
            SREGS_EFER = 264, SREGS_APIC_BASE = 272, SREGS_INTERRUPT_BITMAP = 280;

    // struct kvm_run
    public static final int RUN_IMMEDIATE_EXIT = 1, RUN_EXIT_REASON = 8;
    public static final int RUN_IO_DIRECTION = 32, RUN_IO_SIZE = 33, RUN_IO_PORT = 34, RUN_IO_COUNT = 36,
            RUN_IO_DATA_OFFSET = 40;
    public static final int RUN_MMIO_PHYS_ADDR = 32, RUN_MMIO_DATA = 40, RUN_MMIO_LEN = 48, RUN_MMIO_IS_WRITE = 52;
    public static final int RUN_FAIL_ENTRY_REASON = 32, RUN_FAIL_ENTRY_CPU = 40;
    public static final int RUN_INTERNAL_SUBERROR = 32, RUN_INTERNAL_NDATA = 36, RUN_INTERNAL_DATA = 40;
    public static final int RUN_SYSTEM_EVENT_TYPE = 32;
    public static final int RUN_HW_EXIT_REASON = 32;

    /** Name of an exit reason for reports. */
    public static String exitReasonName(int reason) {
        return switch (reason) {
            case KVM_EXIT_UNKNOWN -> "KVM_EXIT_UNKNOWN";
            case KVM_EXIT_EXCEPTION -> "KVM_EXIT_EXCEPTION";
            case KVM_EXIT_IO -> "KVM_EXIT_IO";
            case KVM_EXIT_HYPERCALL -> "KVM_EXIT_HYPERCALL";
            case KVM_EXIT_DEBUG -> "KVM_EXIT_DEBUG";
            case KVM_EXIT_HLT -> "KVM_EXIT_HLT";
            case KVM_EXIT_MMIO -> "KVM_EXIT_MMIO";
            case KVM_EXIT_SHUTDOWN -> "KVM_EXIT_SHUTDOWN";
            case KVM_EXIT_FAIL_ENTRY -> "KVM_EXIT_FAIL_ENTRY";
            case KVM_EXIT_INTR -> "KVM_EXIT_INTR";
            case KVM_EXIT_INTERNAL_ERROR -> "KVM_EXIT_INTERNAL_ERROR";
            case KVM_EXIT_SYSTEM_EVENT -> "KVM_EXIT_SYSTEM_EVENT";
            default -> "exit reason " + reason;
        };
    }
}
