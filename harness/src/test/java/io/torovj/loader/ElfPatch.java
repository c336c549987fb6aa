package io.torovj.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A copy of an ELF file with setters for header and program header fields, to make
 * precisely malformed variants of a real executable.
 */
final class ElfPatch {
    static final int E_TYPE = 16, E_MACHINE = 18, E_VERSION = 20, E_ENTRY = 24, E_PHOFF = 32,
            E_PHENTSIZE = 54, E_PHNUM = 56;
    static final int P_TYPE = 0, P_FLAGS = 4, P_OFFSET = 8, P_VADDR = 16, P_PADDR = 24,
            P_FILESZ = 32, P_MEMSZ = 40, P_ALIGN = 48;
    static final int PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_TLS = 7;

    final byte[] bytes;
    private final ByteBuffer b;

    ElfPatch(byte[] original) {
        this.bytes = original.clone();
        this.b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    int phnum() { return Short.toUnsignedInt(b.getShort(E_PHNUM)); }
    int phoff() { return (int) b.getLong(E_PHOFF); }
    int ph(int i) { return phoff() + i * 56; }
    /** Index of the n-th (0-based) program header of the given type. */
    int indexOf(int type, int n) {
        for (int i = 0; i < phnum(); i++) {
            if (b.getInt(ph(i)) == type && n-- == 0) return i;
        }
        throw new IllegalStateException("no program header of type " + type);
    }

    int phType(int i) { return b.getInt(ph(i) + P_TYPE); }
    long u64At(int at) { return b.getLong(at); }
    long phLong(int i, int field) { return b.getLong(ph(i) + field); }

    ElfPatch u8(int at, int v) { bytes[at] = (byte) v; return this; }
    ElfPatch u16(int at, int v) { b.putShort(at, (short) v); return this; }
    ElfPatch u32(int at, int v) { b.putInt(at, v); return this; }
    ElfPatch u64(int at, long v) { b.putLong(at, v); return this; }
    ElfPatch phU32(int i, int field, int v) { return u32(ph(i) + field, v); }
    ElfPatch phU64(int i, int field, long v) { return u64(ph(i) + field, v); }
}
