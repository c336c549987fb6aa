package io.torovj.boot;

/**
 * Where everything lives in guest-physical memory (identity-mapped, so these are also the
 * guest's virtual addresses). Fixed system pages at the bottom, the program from
 * {@link #PROGRAM_MIN}, the stack at the top of RAM, and a 2 MiB device window that no memory
 * slot backs, for MMIO doorbells.
 *
 * <pre>
 * 0x0000_0000  page 0, not present (null pointers fault)
 * 0x0000_1000  GDT + TSS, and at +0x800 the exception handler code   supervisor only
 * 0x0000_2000  IDT                  supervisor only
 * 0x0000_3000  PML4, PDPT, PD, PT(low 2 MiB)                         supervisor only
 * 0x0000_8000  boot information     user read-only (+0x800: the syscall entry stub)
 * 0x0000_9000  exception stack (2 pages), top = TSS.rsp0           supervisor only
 * 0x0000_C000  request blocks (one 64-byte block per vCPU)         user
 * 0x0001_0000  transport area (64 KiB)                             user
 * 0x0002_0000  program image, heap (brk), mmap area                user
 * 0x0010_0000  the syscall shim, beside an unmodified program       user
 *              linked at or above 0x20_0000 (the usual 0x40_0000)
 *   RAM - 256K stack                                                user
 * 0x3FE0_0000  device window (2 MiB, unbacked: MMIO exits)         user, uncached, one 2 MiB entry
 *              page 0: transport doorbells, page 1: the null doorbell (exit floor)
 * </pre>
 */
public final class GuestLayout {
    private GuestLayout() {}

    public static final long PAGE = 4096;
    public static final long MIB2 = 2L << 20;

    public static final long GDT = 0x1000;
    public static final long TSS = 0x1100;
    public static final long IDT = 0x2000;
    public static final long PML4 = 0x3000;
    public static final long PDPT = 0x4000;
    public static final long PD = 0x5000;
    public static final long PT_LOW = 0x6000;
    public static final long BOOT_INFO = 0x8000;
    public static final long EXCEPTION_STACK = 0x9000;
    public static final long EXCEPTION_STACK_TOP = 0xB000;
    /**
     * The exception handlers' code, in the GDT/TSS page after the TSS and its I/O bitmap: a page
     * of its own would be one more resident page per VM for 33 16-byte stubs and a common tail.
     */
    public static final long HANDLER_CODE = 0x1800;
    public static final long HANDLER_CODE_SIZE = 0x800;
    public static final long REQUEST_BLOCKS = 0xC000;
    public static final int REQUEST_BLOCK_SIZE = 64;
    public static final long TRANSPORT_AREA = 0x10000;
    public static final long TRANSPORT_AREA_SIZE = 0x10000;
    public static final long PROGRAM_MIN = 0x20000;

    /**
     * Where the syscall shim is loaded beside an unmodified static program (which is then loaded
     * at or above {@link #SHIM_END}): the rest of the first 2 MiB, 4 KiB user pages.
     */
    public static final long SHIM_BASE = 0x10_0000;
    public static final long SHIM_END = MIB2;

    public static final long DEVICE_WINDOW = 0x3FE0_0000L;
    public static final long DEVICE_WINDOW_SIZE = MIB2;

    public static final long STACK_SIZE = 256 * 1024;

    public static final long MIN_RAM = 4L << 20;
    /** RAM ends where the device window starts. */
    public static final long MAX_RAM = DEVICE_WINDOW;

    /** I/O port the exception handlers use to report a fault; transports must not claim it. */
    public static final int FAULT_PORT = 0x00F0;

    /**
     * I/O port the {@code syscall} entry stub ({@link DescriptorTables#SYSCALL_ENTRY}) reports a
     * system call through; transports must not claim it.
     */
    public static final int SYSCALL_PORT = 0x00F4;

    /**
     * Where the exception handler's frame ({@link GuestFault}, 10 qwords) lies when the guest
     * faults at CPL3: the CPU switches to the TSS's rsp0 ({@link #EXCEPTION_STACK_TOP}).
     */
    public static final long FAULT_FRAME = EXCEPTION_STACK_TOP - 80;

    /** Checks a RAM size: a multiple of 2 MiB between {@link #MIN_RAM} and {@link #MAX_RAM}. */
    public static void checkRamSize(long ram) {
        if (ram < MIN_RAM || ram > MAX_RAM || ram % MIB2 != 0) {
            throw new IllegalArgumentException(String.format(
                    "guest memory must be a multiple of 2 MiB between %d MiB and %d MiB, not %d bytes",
                    MIN_RAM >> 20, MAX_RAM >> 20, ram));
        }
    }

    public static long stackTop(long ram) { return ram; }
    public static long stackBottom(long ram) { return ram - STACK_SIZE; }
    public static long requestBlock(int vcpu) { return REQUEST_BLOCKS + (long) vcpu * REQUEST_BLOCK_SIZE; }
}
