package io.torovj.loader;

import io.torovj.loader.ElfLoadException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Validates a static, non-PIE x86-64 ELF executable and describes its loadable segments.
 *
 * <p>The file is untrusted: every field is checked before it is used, with unsigned,
 * overflow-safe arithmetic, and anything malformed is refused with an
 * {@link ElfLoadException} naming the {@link Reason}. Nothing else escapes: no index or
 * arithmetic exception, no allocation sized by a file field.
 *
 * <p>Accepted: ELFCLASS64, ELFDATA2LSB, EV_CURRENT, EM_X86_64, ET_EXEC; a program header
 * table of 1..64 entries of 56 bytes inside the file; no PT_INTERP or PT_DYNAMIC (PT_TLS is the
 * program's own business);
 * at least one non-empty PT_LOAD; PT_LOAD segments well formed, below 2^47 and disjoint;
 * the entry point inside an executable PT_LOAD. Section headers are never read.
 */
public final class ElfLoader {
    /** Largest file {@link #parse(Path)} reads: 1 GiB, well above any guest memory size. */
    public static final int MAX_FILE_SIZE = 1 << 30;
    /**
     * One past the highest x86-64 user address with 4-level paging; segments must end at or
     * below it. Keeping every address and size below 2^47 also makes later sums overflow-free.
     */
    public static final long ADDRESS_LIMIT = 1L << 47;

    private static final int EHDR_SIZE = 64;
    private static final int PHDR_SIZE = 56;
    private static final int MAX_PHNUM = 64;

    private static final byte ELFCLASS32 = 1, ELFCLASS64 = 2;
    private static final byte ELFDATA2LSB = 1, ELFDATA2MSB = 2;
    private static final int EV_CURRENT = 1;
    private static final int EM_X86_64 = 62;
    private static final int ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
    private static final int PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3;

    private ElfLoader() {}

    /**
     * Reads and validates the executable at {@code path}.
     *
     * @throws ElfLoadException UNREADABLE if it cannot be read or is not a regular file,
     *     DOES_NOT_FIT if larger than {@link #MAX_FILE_SIZE}, else as {@link #parse(byte[])}
     */
    public static ElfImage parse(Path path) throws ElfLoadException {
        Objects.requireNonNull(path, "path");
        if (Files.isDirectory(path)) {
            throw new ElfLoadException(Reason.UNREADABLE, "cannot read: is a directory");
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            // a FIFO or device could block or never end
            throw new ElfLoadException(Reason.UNREADABLE, "cannot read: not a regular file");
        }
        // mapped, not read: only the pages the headers and segments name are ever touched, so a
        // huge (or sparse) file costs nothing until it is found wanting, whatever the heap
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > MAX_FILE_SIZE) {
                throw new ElfLoadException(Reason.DOES_NOT_FIT, "file is larger than the 1 GiB limit");
            }
            ByteBuffer mapped = size == 0 ? ByteBuffer.allocate(0) : channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            return parse(mapped);
        } catch (NoSuchFileException e) {
            throw new ElfLoadException(Reason.UNREADABLE, "cannot read: no such file", e);
        } catch (AccessDeniedException e) {
            throw new ElfLoadException(Reason.UNREADABLE, "cannot read: permission denied", e);
        } catch (IOException | SecurityException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ElfLoadException(Reason.UNREADABLE, "cannot read: " + oneLine(why), e);
        }
    }

    /**
     * Validates {@code file} as a static x86-64 executable. The returned image keeps a
     * reference to {@code file} (no copy); the caller must not change it afterwards.
     *
     * @throws ElfLoadException with the first problem found, header first
     */
    public static ElfImage parse(byte[] file) throws ElfLoadException {
        Objects.requireNonNull(file, "file");
        return parse(ByteBuffer.wrap(file));
    }

    /** {@link #parse(byte[])} over the bytes from 0 to the buffer's capacity (e.g. a mapped file). */
    private static ElfImage parse(ByteBuffer buffer) throws ElfLoadException {
        ByteBuffer file = buffer.duplicate().clear();
        int length = file.capacity();
        checkIdent(file, length);
        if (length < EHDR_SIZE) {
            throw new ElfLoadException(Reason.TRUNCATED, String.format(
                    "truncated: file is %d bytes, shorter than the %d-byte ELF header", length, EHDR_SIZE));
        }
        ByteBuffer b = file.order(ByteOrder.LITTLE_ENDIAN);
        checkHeader(b);
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));

        if (phentsize != PHDR_SIZE) {
            throw new ElfLoadException(Reason.BAD_PROGRAM_HEADERS, String.format(
                    "bad program headers: entry size is %d bytes, expected %d", phentsize, PHDR_SIZE));
        }
        if (phnum < 1 || phnum > MAX_PHNUM) {
            throw new ElfLoadException(Reason.BAD_PROGRAM_HEADERS, String.format(
                    "bad program headers: %d entries, expected 1 to %d", phnum, MAX_PHNUM));
        }
        long tableSize = (long) phnum * PHDR_SIZE;
        if (!fitsInFile(phoff, tableSize, length)) {
            throw new ElfLoadException(Reason.TRUNCATED, String.format(
                    "truncated: program header table at offset 0x%x (%d bytes) runs past the end of the file (%d bytes)",
                    phoff, tableSize, length));
        }

        int table = (int) phoff; // fitsInFile bounded it by the file's length
        checkNotDynamic(b, table, phnum);
        List<ElfSegment> segments = readLoadSegments(b, table, phnum, length);
        checkEntry(entry, segments);
        return new ElfImage(b.asReadOnlyBuffer(), entry, segments, programHeaderAddress(phoff, tableSize, segments), phnum);
    }

    private static void checkIdent(ByteBuffer file, int length) throws ElfLoadException {
        byte[] magic = {0x7f, 'E', 'L', 'F'};
        for (int i = 0; i < magic.length && i < length; i++) {
            if (file.get(i) != magic[i]) {
                throw new ElfLoadException(Reason.NOT_ELF, "not an ELF file (bad magic)");
            }
        }
        if (length > 4 && file.get(4) != ELFCLASS64) {
            throw new ElfLoadException(Reason.WRONG_CLASS, file.get(4) == ELFCLASS32
                    ? "32-bit ELF file; only 64-bit x86-64 executables are supported"
                    : "unknown ELF class " + Byte.toUnsignedInt(file.get(4)) + "; only 64-bit x86-64 executables are supported");
        }
        if (length > 5 && file.get(5) != ELFDATA2LSB) {
            throw new ElfLoadException(Reason.WRONG_ENDIANNESS, file.get(5) == ELFDATA2MSB
                    ? "big-endian ELF file; only little-endian x86-64 executables are supported"
                    : "unknown ELF data encoding " + Byte.toUnsignedInt(file.get(5)) + "; only little-endian executables are supported");
        }
        if (length > 6 && file.get(6) != EV_CURRENT) {
            throw new ElfLoadException(Reason.WRONG_VERSION,
                    "unknown ELF version " + Byte.toUnsignedInt(file.get(6)) + " in e_ident; expected 1");
        }
    }

    private static void checkHeader(ByteBuffer b) throws ElfLoadException {
        int machine = Short.toUnsignedInt(b.getShort(18));
        if (machine != EM_X86_64) {
            throw new ElfLoadException(Reason.WRONG_MACHINE,
                    "built for machine " + machine + " (" + machineName(machine) + "), not x86-64");
        }
        int type = Short.toUnsignedInt(b.getShort(16));
        if (type == ET_DYN) {
            throw new ElfLoadException(Reason.PIE,
                    "position-independent executables are not supported; link with -static -no-pie");
        }
        if (type != ET_EXEC) {
            throw new ElfLoadException(Reason.NOT_EXECUTABLE,
                    "not an executable (ELF type " + type + typeName(type) + "); link with -static -no-pie");
        }
        int version = b.getInt(20);
        if (version != EV_CURRENT) {
            throw new ElfLoadException(Reason.WRONG_VERSION,
                    "unknown ELF version " + Integer.toUnsignedString(version) + " in e_version; expected 1");
        }
    }

    /** Scans every program header before the PT_LOADs so the most useful reason wins. */
    /**
     * A static executable sets up its own thread-local storage (its libc reads PT_TLS through
     * AT_PHDR and sets FS with arch_prctl), so PT_TLS is accepted; an interpreter or a dynamic
     * section is not.
     */
    private static void checkNotDynamic(ByteBuffer b, int table, int phnum) throws ElfLoadException {
        for (int i = 0; i < phnum; i++) {
            int type = b.getInt(table + i * PHDR_SIZE);
            if (type == PT_INTERP || type == PT_DYNAMIC) {
                throw new ElfLoadException(Reason.DYNAMIC, "dynamically linked; link with -static");
            }
        }
    }

    /**
     * Where the program header table is in memory (AT_PHDR): inside the PT_LOAD segment whose file
     * bytes hold it, as the kernel computes it; 0 if no segment maps it (then the libc gets no
     * AT_PHDR it could use, and a static libc that needs its PT_TLS will not find it).
     */
    private static long programHeaderAddress(long phoff, long tableSize, List<ElfSegment> segments) {
        for (ElfSegment s : segments) {
            if (phoff >= s.fileOffset() && phoff + tableSize <= s.fileOffset() + s.fileSize()) {
                return s.vaddr() + (phoff - s.fileOffset());
            }
        }
        return 0;
    }

    private static List<ElfSegment> readLoadSegments(ByteBuffer b, int table, int phnum, int fileLength)
            throws ElfLoadException {
        List<ElfSegment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int ph = table + i * PHDR_SIZE;
            if (b.getInt(ph) != PT_LOAD) continue;
            int flags = b.getInt(ph + 4);
            long offset = b.getLong(ph + 8);
            long vaddr = b.getLong(ph + 16);
            long fileSize = b.getLong(ph + 32);
            long memSize = b.getLong(ph + 40);
            long align = b.getLong(ph + 48);
            String which = "segment " + i + ": ";

            if (Long.compareUnsigned(fileSize, memSize) > 0) {
                throw new ElfLoadException(Reason.BAD_SEGMENT, String.format(
                        "bad %sfile size 0x%x exceeds memory size 0x%x", which, fileSize, memSize));
            }
            if (!fitsInFile(offset, fileSize, fileLength)) {
                throw new ElfLoadException(Reason.TRUNCATED, String.format(
                        "truncated: %sfile bytes at offset 0x%x (0x%x bytes) run past the end of the file (%d bytes)",
                        which, offset, fileSize, fileLength));
            }
            // vaddr, memSize unsigned; the first two tests reject values >= 2^63
            if (vaddr < 0 || memSize < 0 || vaddr > ADDRESS_LIMIT || memSize > ADDRESS_LIMIT - vaddr) {
                throw new ElfLoadException(Reason.BAD_SEGMENT, String.format(
                        "bad %saddress range 0x%x + 0x%x is outside the x86-64 user address space (below 0x%x)",
                        which, vaddr, memSize, ADDRESS_LIMIT));
            }
            if (Long.compareUnsigned(align, 1) > 0) {
                if (Long.bitCount(align) != 1) {
                    throw new ElfLoadException(Reason.BAD_SEGMENT, String.format(
                            "bad %salignment 0x%x is not a power of two", which, align));
                }
                if (((vaddr - offset) & (align - 1)) != 0) {
                    throw new ElfLoadException(Reason.BAD_SEGMENT, String.format(
                            "bad %saddress 0x%x and file offset 0x%x differ modulo the alignment 0x%x",
                            which, vaddr, offset, align));
                }
            }
            if (memSize == 0) continue; // occupies nothing; cannot hold the entry or overlap
            segments.add(new ElfSegment(vaddr, memSize, offset, fileSize, flags));
        }
        if (segments.isEmpty()) {
            throw new ElfLoadException(Reason.BAD_PROGRAM_HEADERS, "bad program headers: no loadable segment");
        }
        segments.sort(Comparator.comparingLong(ElfSegment::vaddr));
        for (int i = 1; i < segments.size(); i++) {
            ElfSegment before = segments.get(i - 1), after = segments.get(i);
            // sorted by start, so disjoint neighbours mean all are disjoint
            if (before.end() > after.vaddr()) {
                throw new ElfLoadException(Reason.BAD_SEGMENT, "bad segments: " + before.describe()
                        + " and " + after.describe() + " overlap");
            }
        }
        return List.copyOf(segments);
    }

    private static void checkEntry(long entry, List<ElfSegment> segments) throws ElfLoadException {
        for (ElfSegment s : segments) {
            if (s.executable() && s.contains(entry)) return;
        }
        throw new ElfLoadException(Reason.BAD_ENTRY,
                String.format("entry point 0x%x is not inside an executable segment", entry));
    }

    /** True if [offset, offset+length), both unsigned 64-bit, lies inside a file of fileLength bytes. */
    private static boolean fitsInFile(long offset, long length, int fileLength) {
        return Long.compareUnsigned(offset, fileLength) <= 0
                && Long.compareUnsigned(length, fileLength - offset) <= 0;
    }

    private static String machineName(int machine) {
        return switch (machine) {
            case 3 -> "i386";
            case 8 -> "MIPS";
            case 20 -> "PowerPC";
            case 21 -> "PowerPC64";
            case 22 -> "S/390";
            case 40 -> "ARM";
            case 183 -> "AArch64";
            case 243 -> "RISC-V";
            case 258 -> "LoongArch";
            default -> "unknown";
        };
    }

    private static String typeName(int type) {
        return switch (type) {
            case ET_REL -> ", a relocatable object";
            case ET_CORE -> ", a core dump";
            default -> "";
        };
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }
}
