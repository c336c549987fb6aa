package io.torovj.loader;

/**
 * One validated PT_LOAD segment. Every value is non-negative and every end at most 2^47, so
 * plain {@code long} arithmetic on them cannot overflow.
 *
 * @param vaddr      guest virtual (and, here, physical) address of the first byte
 * @param memSize    bytes the segment occupies in memory, {@code >= fileSize}
 * @param fileOffset offset in the file of the first byte to copy
 * @param fileSize   bytes copied from the file; the rest of memSize is zero-filled (bss)
 * @param flags      ELF p_flags: {@link #PF_X}, {@link #PF_W}, {@link #PF_R} bits
 */
public record ElfSegment(long vaddr, long memSize, long fileOffset, long fileSize, int flags) {
    /** Executable. */
    public static final int PF_X = 1;
    /** Writable. */
    public static final int PF_W = 2;
    /** Readable. */
    public static final int PF_R = 4;

    /** First address past the segment in memory: {@code vaddr + memSize}. */
    public long end() {
        return vaddr + memSize;
    }

    /** True if {@code address} lies in [vaddr, end()). */
    public boolean contains(long address) {
        return address >= vaddr && address - vaddr < memSize;
    }

    public boolean readable() {
        return (flags & PF_R) != 0;
    }

    public boolean writable() {
        return (flags & PF_W) != 0;
    }

    public boolean executable() {
        return (flags & PF_X) != 0;
    }

    /** "[0x401000, 0x402000) R-X", for messages. */
    public String describe() {
        return String.format("[0x%x, 0x%x) %s%s%s", vaddr, end(),
                readable() ? "R" : "-", writable() ? "W" : "-", executable() ? "X" : "-");
    }
}
