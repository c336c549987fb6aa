package io.torovj.vmm;

import io.torovj.loader.ElfSegment;
import io.torovj.memory.GuestMemory;
import java.util.List;

/**
 * Rewrites a program's {@code syscall} call sites, one at a time, the first time each traps
 * (gVisor's systrap does the same). The 2-byte instruction and an instruction next to it make
 * room for a 5-byte {@code jmp} to a thunk of the site's own in the shim's thunk area, which does
 * what the replaced instructions did and enters the shim with rax = number and rcx = where to
 * return: for the first two shapes the address after the {@code syscall} (what the instruction
 * leaves in rcx), for the third the rest of the thunk. Three shapes are rewritten:
 *
 * <pre>
 *   b8 NN NN NN NN      mov  $nr, %eax         the usual wrapper (glibc, musl, busybox)
 *   0f 05               syscall
 *   thunk:  lea ret(%rip),%rcx; mov $nr,%eax; jmp shim_syscall_entry
 *
 *   4X 89|8b MODRM ...  mov  reg/mem, reg      a 64-bit move between registers, or from
 *   0f 05               syscall                memory addressed without rip (a generic
 *   thunk:  (the move); lea ret(%rip),%rcx; jmp shim_syscall_entry       syscall(2) wrapper)
 *
 *   0f 05               syscall                glibc's wrappers whose number is not an
 *   48 3d II II II II   cmp  $imm32, %rax      immediate (read: xor %eax,%eax); also
 *   thunk:  lea 1f(%rip),%rcx; jmp shim_syscall_entry; 1: (the cmp); jmp after     cmp ..,%eax
 * </pre>
 *
 * In the first shape the {@code syscall} stays in place, so a jump that targets it still works,
 * through the trap; in the others it is overwritten by the jump.
 * The patch never touches the program's stack (no call: its red zone is safe) and preserves what
 * the instruction preserves. Which bytes form the instruction next to it is a heuristic, as in gVisor:
 * the trap proves that a {@code syscall} ended at the return address; the bytes next to it must
 * decode as the expected instruction ending (or starting) exactly there (for the first shape
 * holding the very number the guest passed in rax), inside one executable segment of the program,
 * and an instruction before must not be preceded by a byte that would make it part of a longer
 * one (a prefix, REX, or 0f). A branch from elsewhere to an overwritten instruction would land
 * inside the jump: compilers emit none to these places, and a hand-written program that does
 * pays for it alone. Anything else is left alone and keeps trapping: always correct, only slower. Runs on the vCPU
 * thread while the vCPU is stopped, so a patch is never seen half written.
 *
 * <p>The shim sends arch_prctl back through the trap: it sets the vCPU's own FS/GS base, which
 * only the vCPU thread can do while the guest is stopped, and a polled transport serves calls on
 * another thread while the guest runs.
 */
final class SyscallSitePatcher {
    static final int THUNK_SIZE = 32;
    private static final int MOV_EAX_IMM32 = 0xB8, JMP_REL32 = 0xE9, INT3 = 0xCC;

    private final GuestMemory memory;
    private final long[] textStart;
    private final long[] textEnd;
    private final long shimEntry;
    private final long thunksEnd;
    private final byte[] patch = new byte[5];
    private final byte[] thunk = new byte[THUNK_SIZE];
    private long nextThunk;
    private final long firstThunk;
    private int sitesPatched;

    /**
     * @param programSegments the program's loaded segments; only executable ones are patched
     * @param shim where the loaded shim's entry and thunk area are
     */
    SyscallSitePatcher(GuestMemory memory, List<ElfSegment> programSegments, SyscallShim.Loaded shim) {
        this.memory = memory;
        long[] starts = new long[programSegments.size()];
        long[] ends = new long[programSegments.size()];
        int n = 0;
        for (ElfSegment s : programSegments) {
            if (!s.executable()) continue;
            starts[n] = s.vaddr();
            ends[n++] = s.end();
        }
        this.textStart = java.util.Arrays.copyOf(starts, n);
        this.textEnd = java.util.Arrays.copyOf(ends, n);
        this.shimEntry = shim.syscallEntry();
        this.nextThunk = shim.thunks();
        this.firstThunk = shim.thunks();
        this.thunksEnd = shim.thunksEnd();
    }

    /** Sites rewritten so far. */
    int sitesPatched() { return sitesPatched; }

    /**
     * A pooled VM's reset: guest memory is back to its image, unpatched, so every site traps and
     * is patched anew. Patches are not replayed: they are made from the guest's own code bytes,
     * which one invocation could have rewritten to steer the next one's system calls.
     */
    void rewind() {
        nextThunk = firstThunk;
        sitesPatched = 0;
    }

    /**
     * Rewrites the site whose {@code syscall} returns to {@code returnAddress} with number
     * {@code nr} in rax, if it has one of the shapes. Returns where the trapped call itself must
     * return: {@code returnAddress}, unless the rewrite covered that address (the third shape),
     * then the thunk's rest, which does what follows the call. Allocation-free.
     */
    long patch(long returnAddress, long nr) {
        long syscallAt = returnAddress - 2;
        if (nr < 0 || nextThunk + THUNK_SIZE > thunksEnd) return returnAddress;
        if (segmentHolding(syscallAt, returnAddress) < 0 || u8(syscallAt) != 0x0F || u8(syscallAt + 1) != 0x05) {
            return returnAddress;
        }
        long resume = returnAddress;
        long thunkAt = nextThunk;
        java.util.Arrays.fill(thunk, (byte) INT3);
        long site;
        int length;
        if (nr <= 0xFFFF_FFFFL && startsInstruction(syscallAt - 5, returnAddress)
                && u8(syscallAt - 5) == MOV_EAX_IMM32 && memory.readU32(syscallAt - 4) == (int) nr) {
            site = syscallAt - 5;
            int at = putReturnAddress(thunkAt, 0, returnAddress);
            thunk[at] = (byte) MOV_EAX_IMM32;
            putInt(thunk, at + 1, (int) nr);
            putJump(thunkAt, at + 5, shimEntry);
        } else if ((length = movBefore(syscallAt, returnAddress)) > 0) {
            site = syscallAt - length;
            memory.read(site, thunk, 0, length);
            putJump(thunkAt, putReturnAddress(thunkAt, length, returnAddress), shimEntry);
        } else if ((length = compareAfter(returnAddress)) > 0) {
            site = syscallAt;
            // the shim returns into the thunk, which makes the compare and jumps back after it
            resume = thunkAt + 12;
            int at = putJump(thunkAt, putReturnAddress(thunkAt, 0, resume), shimEntry);
            memory.read(returnAddress, thunk, at, length);
            putJump(thunkAt, at + length, returnAddress + length);
        } else {
            return returnAddress;
        }
        memory.write(thunkAt, thunk);
        // the thunk first, then the jump to it
        patch[0] = (byte) JMP_REL32;
        putRel32(patch, 1, thunkAt - (site + 5));
        memory.write(site, patch);
        nextThunk += THUNK_SIZE;
        sitesPatched++;
        return resume;
    }

    /** Writes {@code jmp target} at thunk offset {@code at}; returns the offset after it. */
    private int putJump(long thunkAt, int at, long target) {
        thunk[at] = (byte) JMP_REL32;
        putRel32(thunk, at + 1, target - (thunkAt + at + 5));
        return at + 5;
    }

    /**
     * Length of a {@code cmp $imm32, %rax} (48 3d) or {@code cmp $imm32, %eax} (3d) at {@code at},
     * wholly inside the syscall's segment, 0 if there is none: what glibc's wrappers do next.
     */
    private int compareAfter(long at) {
        int segment = segmentHolding(at - 2, at + 1);
        if (segment < 0) return 0;
        int length = u8(at) == 0x3D ? 5 : u8(at) == 0x48 && at + 1 < textEnd[segment] && u8(at + 1) == 0x3D ? 6 : 0;
        return length > 0 && at + length <= textEnd[segment] ? length : 0;
    }

    /** Writes {@code lea returnAddress(%rip), %rcx} at thunk offset {@code at}; returns the offset after it. */
    private int putReturnAddress(long thunkAt, int at, long returnAddress) {
        thunk[at] = 0x48;
        thunk[at + 1] = (byte) 0x8D;
        thunk[at + 2] = 0x0D;
        putRel32(thunk, at + 3, returnAddress - (thunkAt + at + 7));
        return at + 7;
    }

    /**
     * Length of a 64-bit {@code mov} (REX.W, opcode 89 or 8b) ending exactly at {@code end} whose
     * operands do not depend on where it executes (no rip-relative address), 0 if there is none.
     */
    private int movBefore(long end, long returnAddress) {
        for (int length = 3; length <= 8; length++) {
            long at = end - length;
            if (!startsInstruction(at, returnAddress)) continue;
            int rex = u8(at);
            int opcode = u8(at + 1);
            if ((rex & 0xF8) != 0x48 || (opcode != 0x89 && opcode != 0x8B)) continue;
            if (modrmLength(at + 2) == length - 2) return length;
        }
        return 0;
    }

    /** Bytes of a ModRM operand (ModRM, SIB, displacement) at {@code at}; -1 for rip-relative. */
    private int modrmLength(long at) {
        int modrm = u8(at);
        int mod = modrm >>> 6, rm = modrm & 7;
        if (mod == 3) return 1;
        int length = 1;
        if (rm == 4) {
            length++;                                          // SIB
            if (mod == 0 && (u8(at + 1) & 7) == 5) return length + 4;   // no base: disp32
        } else if (mod == 0 && rm == 5) {
            return -1;                                         // rip-relative: not movable
        }
        return length + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
    }

    /**
     * True if an instruction starting at {@code at} and running to {@code end} lies in one
     * executable segment and is not the tail of a longer one because of the byte before it.
     */
    private boolean startsInstruction(long at, long end) {
        int segment = segmentHolding(at, end);
        return segment >= 0 && (at == textStart[segment] || !extendsInstruction(u8(at - 1)));
    }

    /** Index of the executable segment holding all of [from, to), or -1. */
    private int segmentHolding(long from, long to) {
        for (int i = 0; i < textStart.length; i++) {
            if (from >= textStart[i] && to <= textEnd[i] && from < to) return i;
        }
        return -1;
    }

    /**
     * True if {@code b}, just before the {@code b8}, would make it part of a longer instruction:
     * a REX prefix ({@code 41 b8} is mov to r8d), an operand/address-size, segment, lock or rep
     * prefix, or the two-byte opcode escape ({@code f3 0f b8} is popcnt).
     */
    static boolean extendsInstruction(int b) {
        return (b >= 0x40 && b <= 0x4F) || b == 0x66 || b == 0x67 || b == 0xF0 || b == 0xF2 || b == 0xF3
                || b == 0x0F || b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65;
    }

    private int u8(long address) {
        return memory.readU8(address) & 0xFF;
    }

    private static void putRel32(byte[] b, int at, long displacement) {
        if (displacement != (int) displacement) throw new IllegalStateException("displacement out of rel32 range: " + displacement);
        putInt(b, at, (int) displacement);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }
}
