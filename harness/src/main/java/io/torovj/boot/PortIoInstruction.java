package io.torovj.boot;

import io.torovj.memory.GuestMemory;
import io.torovj.memory.GuestMemoryException;

/**
 * An x86 port I/O instruction decoded from guest memory: {@code in}, {@code out}, {@code ins},
 * {@code outs}, with an immediate port or the port in DX. Used to name the port in the report
 * of a #GP that the I/O bitmap raised; not on any hot path.
 *
 * @param mnemonic "in", "out", "ins" or "outs" (with a {@code rep} prefix: "rep ins", "rep outs")
 * @param size     bytes per item: 1, 2 or 4
 * @param port     the port, 0-0xFFFF
 */
public record PortIoInstruction(String mnemonic, int size, int port) {
    /** Longest x86 instruction. */
    private static final int MAX_LENGTH = 15;

    /**
     * Decodes the instruction at {@code rip} ({@code rdx}: the guest's rdx at the fault); null
     * if it is not a port I/O instruction or its bytes are not all in guest memory.
     */
    public static PortIoInstruction decode(GuestMemory mem, long rip, long rdx) {
        boolean opSize16 = false, rep = false;
        try {
            for (int n = 0; n < MAX_LENGTH; n++) {
                int b = mem.readU8(rip + n) & 0xFF;
                switch (b) {
                    case 0x66 -> opSize16 = true;
                    case 0xF2, 0xF3 -> rep = true;
                    case 0x67, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65 -> { }  // address size, segment: no effect on the port
                    default -> {
                        if ((b & 0xF0) == 0x40) continue;                   // REX
                        int wide = opSize16 ? 2 : 4;
                        int dx = (int) (rdx & 0xFFFF);
                        return switch (b) {
                            case 0xE4 -> new PortIoInstruction("in", 1, imm8(mem, rip + n + 1));
                            case 0xE5 -> new PortIoInstruction("in", wide, imm8(mem, rip + n + 1));
                            case 0xE6 -> new PortIoInstruction("out", 1, imm8(mem, rip + n + 1));
                            case 0xE7 -> new PortIoInstruction("out", wide, imm8(mem, rip + n + 1));
                            case 0xEC -> new PortIoInstruction("in", 1, dx);
                            case 0xED -> new PortIoInstruction("in", wide, dx);
                            case 0xEE -> new PortIoInstruction("out", 1, dx);
                            case 0xEF -> new PortIoInstruction("out", wide, dx);
                            case 0x6C -> new PortIoInstruction(rep ? "rep ins" : "ins", 1, dx);
                            case 0x6D -> new PortIoInstruction(rep ? "rep ins" : "ins", wide, dx);
                            case 0x6E -> new PortIoInstruction(rep ? "rep outs" : "outs", 1, dx);
                            case 0x6F -> new PortIoInstruction(rep ? "rep outs" : "outs", wide, dx);
                            default -> null;
                        };
                    }
                }
            }
        } catch (GuestMemoryException e) {
            return null;
        }
        return null;
    }

    private static int imm8(GuestMemory mem, long at) {
        return mem.readU8(at) & 0xFF;
    }

    /** e.g. {@code 1-byte out to I/O port 0x80}. */
    public String describe() {
        return String.format("%d-byte %s %s I/O port 0x%x", size, mnemonic, mnemonic.contains("in") ? "from" : "to", port);
    }
}
