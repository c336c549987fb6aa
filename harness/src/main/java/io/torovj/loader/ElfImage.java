package io.torovj.loader;

import io.torovj.loader.ElfLoadException.Reason;
import io.torovj.memory.GuestMemory;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * A validated static executable: its entry point, its PT_LOAD segments (sorted by address,
 * non-empty, disjoint, all below {@link ElfLoader#ADDRESS_LIMIT}) and the file bytes they
 * come from (the parsed array, or the file mapped read-only). Made only by {@link ElfLoader#parse}.
 */
public final class ElfImage {
    /** Size of one ELF64 section header. */
    private static final int SHDR_SIZE = 64;

    private final ByteBuffer file;
    private final long entry;
    private final List<ElfSegment> segments;
    private final long programHeaders;
    private final int programHeaderCount;

    ElfImage(ByteBuffer file, long entry, List<ElfSegment> segments, long programHeaders, int programHeaderCount) {
        this.file = file;
        this.entry = entry;
        this.segments = List.copyOf(segments);
        this.programHeaders = programHeaders;
        this.programHeaderCount = programHeaderCount;
    }

    /** Guest address of the program header table once loaded (AT_PHDR), or 0 if no segment maps it. */
    public long programHeaders() {
        return programHeaders;
    }

    /** Number of program headers (AT_PHNUM); each is 56 bytes (AT_PHENT). */
    public int programHeaderCount() {
        return programHeaderCount;
    }

    /** Guest virtual address of the first instruction; inside an executable segment. */
    public long entry() {
        return entry;
    }

    /** The non-empty PT_LOAD segments in ascending address order; unmodifiable. */
    public List<ElfSegment> segments() {
        return segments;
    }

    /** Lowest address any segment occupies (the first segment's vaddr). */
    public long lowestAddress() {
        return segments.get(0).vaddr();
    }

    /** One past the highest address any segment occupies (exclusive end of the last one). */
    public long highestAddress() {
        return segments.get(segments.size() - 1).end();
    }

    /**
     * Copies every segment's file bytes to its address in {@code mem} and zeroes the rest of
     * its memory size (bss). Guest physical address = virtual address: the monitor maps guest
     * RAM identically. Checks every segment before writing anything, so a refusal leaves
     * {@code mem} untouched.
     *
     * @param minAddress lowest guest address a segment may use, {@code >= 0}
     * @param maxAddress one past the highest address a segment may use, {@code >= minAddress};
     *     guest memory's size also bounds it
     * @return the initial program break: {@link #highestAddress()} rounded up to a page
     *     (4096 bytes); at most {@code mem.size()}
     * @throws ElfLoadException DOES_NOT_FIT if a segment is outside [minAddress, maxAddress)
     *     or outside guest memory
     * @throws IllegalArgumentException if minAddress is negative or above maxAddress (a
     *     monitor bug, not a property of the file)
     */
    public long loadInto(GuestMemory mem, long minAddress, long maxAddress) throws ElfLoadException {
        Objects.requireNonNull(mem, "mem");
        if (minAddress < 0 || maxAddress < minAddress) {
            throw new IllegalArgumentException(String.format(
                    "bad load range [0x%x, 0x%x)", minAddress, maxAddress));
        }
        long limit = Math.min(maxAddress, mem.size());
        for (ElfSegment s : segments) {
            if (s.vaddr() < minAddress || s.end() > limit || !mem.contains(s.vaddr(), s.memSize())) {
                throw new ElfLoadException(Reason.DOES_NOT_FIT, String.format(
                        "segment [0x%x, 0x%x) does not fit in guest memory [0x%x, 0x%x)",
                        s.vaddr(), s.end(), minAddress, Math.max(minAddress, limit)));
            }
        }
        for (ElfSegment s : segments) {
            // both bounded: fileOffset + fileSize <= the file's length, memSize <= mem.size() < 2 GiB;
            // one copy, file to guest RAM (absolute indexes: the shared buffer's position is not touched)
            mem.write(s.vaddr(), file, (int) s.fileOffset(), (int) s.fileSize());
            mem.fill(s.vaddr() + s.fileSize(), s.memSize() - s.fileSize(), (byte) 0);
        }
        long page = GuestMemory.PAGE_SIZE;
        return (highestAddress() + page - 1) & -page;
    }

    /**
     * True if the file's section header table names a section {@code name}. Section headers are
     * not needed to run a program and may be absent or damaged: any header that is out of the
     * file's bounds or malformed makes the answer false, never an exception.
     */
    public boolean hasSection(String name) {
        byte[] wanted = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer file = this.file.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int length = file.capacity();
        if (length < 64) return false;
        long shoff = file.getLong(40);
        int shentsize = Short.toUnsignedInt(file.getShort(58));
        int shnum = Short.toUnsignedInt(file.getShort(60));
        int shstrndx = Short.toUnsignedInt(file.getShort(62));
        if (shentsize != SHDR_SIZE || shnum == 0 || shstrndx >= shnum) return false;
        if (shoff < 0 || shoff > length || (long) shnum * SHDR_SIZE > length - shoff) return false;
        long strtab = shoff + (long) shstrndx * SHDR_SIZE;
        long namesAt = file.getLong((int) strtab + 24);
        long namesSize = file.getLong((int) strtab + 32);
        if (namesAt < 0 || namesSize < 0 || namesAt > length || namesSize > length - namesAt) return false;
        for (int i = 0; i < shnum; i++) {
            long nameOffset = Integer.toUnsignedLong(file.getInt((int) (shoff + (long) i * SHDR_SIZE)));
            // the name and its NUL must lie inside the string table
            if (nameOffset > namesSize - wanted.length - 1) continue;
            int at = (int) (namesAt + nameOffset);
            boolean same = file.get(at + wanted.length) == 0;
            for (int k = 0; same && k < wanted.length; k++) same = file.get(at + k) == wanted[k];
            if (same) return true;
        }
        return false;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("ElfImage[entry=0x%x, segments=", entry));
        for (int i = 0; i < segments.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(segments.get(i).describe());
        }
        return sb.append(']').toString();
    }
}
