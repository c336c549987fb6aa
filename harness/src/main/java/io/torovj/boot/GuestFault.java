package io.torovj.boot;

import io.torovj.memory.GuestMemory;
import io.torovj.memory.GuestMemoryException;

/**
 * An exception the guest raised, as its CPL0 handler reported it: read from the handler's
 * stack frame, 10 qwords at the handler's rsp when it does its {@code out}:
 * <pre>
 *  +0 cr2      +8 rdx (saved)   +16 rax (saved)   +24 vector   +32 error code (0 if none)
 * +40 rip     +48 cs            +56 rflags        +64 rsp      +72 ss          (pushed by the CPU)
 * </pre>
 * The handler resumes the guest from this frame (restores rdx and rax, iretq), so writing
 * rip, rflags, rsp, rax or rdx there changes where and how the guest continues (a debugger's
 * register writes, single-stepping with TF).
 */
public record GuestFault(int vector, long errorCode, long rip, long cr2, long cs, long rflags, long rsp,
                         long ss, long rax, long rdx) {

    /** Frame size in bytes and the offset of each slot. */
    public static final int FRAME_BYTES = 80;
    public static final int CR2 = 0, RDX = 8, RAX = 16, VECTOR = 24, ERROR = 32, RIP = 40, CS = 48, RFLAGS = 56,
            RSP = 64, SS = 72;

    /** Reads the frame at the handler's stack pointer; null if the frame is not in guest RAM. */
    public static GuestFault readFrame(GuestMemory mem, long handlerRsp) {
        try {
            if (!mem.contains(handlerRsp, FRAME_BYTES)) return null;
            return new GuestFault((int) mem.readU64(handlerRsp + VECTOR), mem.readU64(handlerRsp + ERROR),
                    mem.readU64(handlerRsp + RIP), mem.readU64(handlerRsp + CR2), mem.readU64(handlerRsp + CS),
                    mem.readU64(handlerRsp + RFLAGS), mem.readU64(handlerRsp + RSP), mem.readU64(handlerRsp + SS),
                    mem.readU64(handlerRsp + RAX), mem.readU64(handlerRsp + RDX));
        } catch (GuestMemoryException e) {
            return null;
        }
    }

    /** Where the guest resumes. */
    public static void writeRip(GuestMemory mem, long handlerRsp, long rip) { mem.writeU64(handlerRsp + RIP, rip); }

    /** The rflags the guest resumes with (the handler's iretq loads them all: callers sanitize). */
    public static void writeRflags(GuestMemory mem, long handlerRsp, long rflags) { mem.writeU64(handlerRsp + RFLAGS, rflags); }

    /** The stack pointer the guest resumes with. */
    public static void writeRsp(GuestMemory mem, long handlerRsp, long rsp) { mem.writeU64(handlerRsp + RSP, rsp); }

    /** The rax the handler restores. */
    public static void writeRax(GuestMemory mem, long handlerRsp, long rax) { mem.writeU64(handlerRsp + RAX, rax); }

    /** The rdx the handler restores. */
    public static void writeRdx(GuestMemory mem, long handlerRsp, long rdx) { mem.writeU64(handlerRsp + RDX, rdx); }

    /** The Linux signal a native process would get for {@code vector} (SIGFPE, SIGTRAP, SIGILL, SIGBUS, SIGSEGV). */
    public static int signalFor(int vector) {
        return switch (vector) {
            case 0, 16, 19 -> 8;   // SIGFPE
            case 1, 3 -> 5;        // SIGTRAP
            case 6 -> 4;           // SIGILL
            case 17 -> 7;          // SIGBUS
            default -> 11;         // SIGSEGV
        };
    }

    private static final String[] MNEMONICS = {
        "DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "CSO", "TS", "NP", "SS", "GP", "PF", "15",
        "MF", "AC", "MC", "XM", "VE", "CP", "22", "23", "24", "25", "26", "27", "HV", "VC", "SX", "31",
    };
    private static final String[] NAMES = {
        "divide error", "debug", "non-maskable interrupt", "breakpoint", "overflow", "bound range exceeded",
        "invalid opcode", "device not available", "double fault", "coprocessor segment overrun", "invalid TSS",
        "segment not present", "stack-segment fault", "general protection", "page fault", "reserved",
        "x87 floating-point error", "alignment check", "machine check", "SIMD floating-point error",
        "virtualization exception", "control protection", "reserved", "reserved", "reserved", "reserved",
        "reserved", "reserved", "hypervisor injection", "VMM communication", "security exception", "reserved",
    };

    public String mnemonic() {
        return vector >= 0 && vector < 32 ? "#" + MNEMONICS[vector] : "vector " + vector;
    }

    /**
     * {@link #describe()}, and for a #GP raised by a port I/O instruction the port it named
     * (decoded from guest memory at rip, with the rdx the handler saved): user code may use only
     * the ports the TSS I/O bitmap grants it.
     */
    public String describe(GuestMemory mem) {
        String line = describe();
        if (vector != 13) return line;
        PortIoInstruction io = PortIoInstruction.decode(mem, rip, rdx);
        return io == null ? line : line + " (" + io.describe() + ", not granted to the guest)";
    }

    /** One line, e.g. {@code guest fault: #PF (page fault) at rip=0x401234 addr=0x0 error=0x4 (user read, page not present)}. */
    public String describe() {
        StringBuilder sb = new StringBuilder("guest fault: ").append(mnemonic());
        if (vector >= 0 && vector < 32) sb.append(" (").append(NAMES[vector]).append(')');
        sb.append(String.format(" at rip=0x%x", rip));
        if (vector == 14) {
            sb.append(String.format(" addr=0x%x error=0x%x (%s %s, %s)", cr2, errorCode,
                    (errorCode & 4) != 0 ? "user" : "supervisor",
                    (errorCode & 16) != 0 ? "instruction fetch" : (errorCode & 2) != 0 ? "write" : "read",
                    (errorCode & 1) != 0 ? "protection violation" : "page not present"));
        } else if (DescriptorTables.hasErrorCode(vector)) {
            sb.append(String.format(" error=0x%x", errorCode));
        }
        sb.append(String.format(" rsp=0x%x", rsp));
        return sb.toString();
    }
}
