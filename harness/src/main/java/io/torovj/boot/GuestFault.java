package io.torovj.boot;

import io.torovj.memory.GuestMemory;
import io.torovj.memory.GuestMemoryException;

/**
 * An exception the guest raised, as its CPL0 handler reported it: read from the handler's
 * stack frame [cr2, vector, error code, rip, cs, rflags, rsp, ss].
 */
public record GuestFault(int vector, long errorCode, long rip, long cr2, long cs, long rflags, long rsp) {

    /** Reads the frame at the handler's stack pointer; null if the frame is not in guest RAM. */
    public static GuestFault readFrame(GuestMemory mem, long handlerRsp) {
        try {
            long cr2 = mem.readU64(handlerRsp);
            int vector = (int) mem.readU64(handlerRsp + 8);
            long error = mem.readU64(handlerRsp + 16);
            long rip = mem.readU64(handlerRsp + 24);
            long cs = mem.readU64(handlerRsp + 32);
            long rflags = mem.readU64(handlerRsp + 40);
            long rsp = mem.readU64(handlerRsp + 48);
            return new GuestFault(vector, error, rip, cr2, cs, rflags, rsp);
        } catch (GuestMemoryException e) {
            return null;
        }
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
