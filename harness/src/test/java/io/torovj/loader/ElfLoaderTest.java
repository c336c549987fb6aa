package io.torovj.loader;

import static io.torovj.loader.ElfPatch.*;
import static org.junit.jupiter.api.Assertions.*;

import io.torovj.loader.ElfLoadException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfLoaderTest {

    private static ElfLoadException refused(byte[] file, Reason reason) {
        ElfLoadException e = assertThrows(ElfLoadException.class, () -> ElfLoader.parse(file));
        assertEquals(reason, e.reason(), () -> "message: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "message must be one line: " + e.getMessage());
        return e;
    }

    private static ElfLoadException refused(ElfPatch p, Reason reason) {
        return refused(p.bytes, reason);
    }

    private static ElfPatch tiny() {
        return new ElfPatch(TestExecutables.tiny());
    }

    // ---- real executables ----

    @Test
    void acceptsStaticNoPieExecutable() throws Exception {
        byte[] file = TestExecutables.tiny();
        ElfImage image = ElfLoader.parse(file);
        assertEquals(0x401000, image.entry());
        List<ElfSegment> s = image.segments();
        assertEquals(4, s.size(), image::toString);
        assertEquals(0x400000, image.lowestAddress());
        ElfSegment text = s.get(1), data = s.get(3);
        assertTrue(text.executable() && text.readable() && !text.writable(), text::describe);
        assertTrue(data.writable() && !data.executable(), data::describe);
        assertTrue(data.memSize() >= data.fileSize() + 20000, "bss of 20000 bytes: " + data.describe());
        assertEquals(data.end(), image.highestAddress());
        for (int i = 1; i < s.size(); i++) assertTrue(s.get(i - 1).end() <= s.get(i).vaddr());
    }

    @Test
    void refusesStaticPie() {
        ElfLoadException e = refused(TestExecutables.staticPie(), Reason.PIE);
        assertEquals("position-independent executables are not supported; link with -static -no-pie", e.getMessage());
    }

    @Test
    void refusesDynamicallyLinkedExecutable() {
        ElfLoadException e = refused(TestExecutables.dynamic(), Reason.DYNAMIC);
        assertEquals("dynamically linked; link with -static", e.getMessage());
    }

    @Test
    void acceptsStaticGlibcWithItsThreadLocalStorageAndLocatesItsProgramHeaders() throws Exception {
        byte[] file = TestExecutables.staticGlibc();
        ElfImage image = ElfLoader.parse(file);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        assertEquals(Short.toUnsignedInt(b.getShort(56)), image.programHeaderCount());
        ElfSegment first = image.segments().get(0);
        assertEquals(0, first.fileOffset(), "gcc maps the ELF header with the first segment");
        assertEquals(first.vaddr() + phoff, image.programHeaders(), "AT_PHDR, as the kernel computes it");
    }

    @Test
    void refusesRelocatableObject() {
        ElfLoadException e = refused(TestExecutables.object(), Reason.NOT_EXECUTABLE);
        assertTrue(e.getMessage().contains("relocatable object"), e.getMessage());
    }

    @Test
    void readsFromPath(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tiny.elf");
        Files.write(file, TestExecutables.tiny());
        assertEquals(0x401000, ElfLoader.parse(file).entry());
    }

    @Test
    void unreadablePaths(@TempDir Path dir) {
        ElfLoadException missing = assertThrows(ElfLoadException.class, () -> ElfLoader.parse(dir.resolve("nope")));
        assertEquals(Reason.UNREADABLE, missing.reason());
        assertEquals("cannot read: no such file", missing.getMessage());
        ElfLoadException directory = assertThrows(ElfLoadException.class, () -> ElfLoader.parse(dir));
        assertEquals(Reason.UNREADABLE, directory.reason());
        assertEquals("cannot read: is a directory", directory.getMessage());
    }

    // ---- ELF header ----

    @Test
    void badMagic() {
        assertEquals("not an ELF file (bad magic)", refused(tiny().u8(1, 'X'), Reason.NOT_ELF).getMessage());
        refused("#!/bin/sh\necho hi\n".getBytes(), Reason.NOT_ELF);
    }

    @Test
    void identFields() {
        assertTrue(refused(tiny().u8(4, 1), Reason.WRONG_CLASS).getMessage().contains("32-bit"));
        refused(tiny().u8(4, 9), Reason.WRONG_CLASS);
        assertTrue(refused(tiny().u8(5, 2), Reason.WRONG_ENDIANNESS).getMessage().contains("big-endian"));
        refused(tiny().u8(6, 0), Reason.WRONG_VERSION);
        refused(tiny().u32(E_VERSION, 2), Reason.WRONG_VERSION);
    }

    @Test
    void machineAndType() {
        assertTrue(refused(tiny().u16(E_MACHINE, 183), Reason.WRONG_MACHINE).getMessage().contains("AArch64"));
        refused(tiny().u16(E_TYPE, 3), Reason.PIE);
        refused(tiny().u16(E_TYPE, 1), Reason.NOT_EXECUTABLE);
        refused(tiny().u16(E_TYPE, 4), Reason.NOT_EXECUTABLE);
        refused(tiny().u16(E_TYPE, 0xfe00), Reason.NOT_EXECUTABLE);
    }

    @Test
    void shortFiles() {
        refused(new byte[0], Reason.TRUNCATED);
        refused(new byte[] {0x7f, 'E'}, Reason.TRUNCATED);
        refused(new byte[] {0x7f, 'X'}, Reason.NOT_ELF);
        assertTrue(refused(Arrays.copyOf(TestExecutables.tiny(), 63), Reason.TRUNCATED).getMessage()
                .contains("shorter than the 64-byte ELF header"));
    }

    /** Every prefix shorter than the end of the last segment's file bytes is refused; none crashes. */
    @Test
    void everyTruncationIsRefused() throws Exception {
        byte[] file = TestExecutables.tiny();
        long needed = 0;
        for (ElfSegment s : ElfLoader.parse(file).segments()) needed = Math.max(needed, s.fileOffset() + s.fileSize());
        assertTrue(needed > 4096, "the test expects file data beyond the first page");
        for (int n = 0; n <= 4096; n++) {
            byte[] prefix = Arrays.copyOf(file, n);
            ElfLoadException e = assertThrows(ElfLoadException.class, () -> ElfLoader.parse(prefix), "length " + n);
            assertNotNull(e.reason());
        }
        for (int n = 4097; n <= file.length; n++) {
            try {
                ElfLoader.parse(Arrays.copyOf(file, n));
                assertTrue(n >= needed, "length " + n + " accepted but segments need " + needed);
            } catch (ElfLoadException e) {
                assertTrue(n < needed, "length " + n + " refused: " + e.getMessage());
            }
        }
    }

    // ---- program header table ----

    @Test
    void programHeaderTable() {
        refused(tiny().u16(E_PHENTSIZE, 32), Reason.BAD_PROGRAM_HEADERS);
        refused(tiny().u16(E_PHNUM, 0), Reason.BAD_PROGRAM_HEADERS);
        refused(tiny().u16(E_PHNUM, 65), Reason.BAD_PROGRAM_HEADERS);
        refused(tiny().u16(E_PHNUM, 0xffff), Reason.BAD_PROGRAM_HEADERS);
        refused(tiny().u64(E_PHOFF, Long.MAX_VALUE), Reason.TRUNCATED);
        refused(tiny().u64(E_PHOFF, -56), Reason.TRUNCATED);
        refused(tiny().u64(E_PHOFF, TestExecutables.tiny().length - 100), Reason.TRUNCATED);
    }

    @Test
    void noLoadableSegment() {
        ElfPatch p = tiny();
        for (int i = 0; i < p.phnum(); i++) {
            if (p.phType(i) == PT_LOAD) p.phU32(i, P_TYPE, PT_NOTE);
        }
        assertEquals("bad program headers: no loadable segment", refused(p, Reason.BAD_PROGRAM_HEADERS).getMessage());
    }

    @Test
    void interpreterOrDynamicSectionMeansDynamic() {
        ElfPatch p = tiny();
        refused(tiny().phU32(p.indexOf(PT_NOTE, 0), P_TYPE, PT_INTERP), Reason.DYNAMIC);
        refused(tiny().phU32(p.indexOf(PT_NOTE, 0), P_TYPE, PT_DYNAMIC), Reason.DYNAMIC);
        assertDoesNotThrow(() -> ElfLoader.parse(tiny().phU32(p.indexOf(PT_NOTE, 0), P_TYPE, PT_TLS).bytes), "PT_TLS is the program's own");
    }

    // ---- PT_LOAD segments ----

    private static int textIndex() {
        return tiny().indexOf(PT_LOAD, 1);
    }

    private static int dataIndex() {
        return tiny().indexOf(PT_LOAD, 3);
    }

    @Test
    void fileSizeAboveMemorySize() {
        int d = dataIndex();
        ElfPatch p = tiny();
        refused(p.phU64(d, P_FILESZ, p.phLong(d, P_MEMSZ) + 1), Reason.BAD_SEGMENT);
        refused(tiny().phU64(d, P_FILESZ, -1).phU64(d, P_MEMSZ, 5), Reason.BAD_SEGMENT);
    }

    @Test
    void fileBytesOutsideTheFile() {
        int t = textIndex();
        int length = TestExecutables.tiny().length;
        refused(tiny().phU64(t, P_OFFSET, length), Reason.TRUNCATED);
        refused(tiny().phU64(t, P_OFFSET, -1L), Reason.TRUNCATED);
        refused(tiny().phU64(t, P_OFFSET, Long.MIN_VALUE), Reason.TRUNCATED);
        refused(tiny().phU64(t, P_FILESZ, -1L).phU64(t, P_MEMSZ, -1L), Reason.TRUNCATED);
        refused(tiny().phU64(t, P_FILESZ, length).phU64(t, P_MEMSZ, length), Reason.TRUNCATED);
    }

    @Test
    void addressRangeOverflowOrOutsideUserSpace() {
        int d = dataIndex();
        refused(tiny().phU64(d, P_MEMSZ, -1L), Reason.BAD_SEGMENT);
        refused(tiny().phU64(d, P_MEMSZ, Long.MAX_VALUE), Reason.BAD_SEGMENT);
        refused(tiny().phU64(d, P_VADDR, 0x7fff_ffff_f000L).phU64(d, P_MEMSZ, 0x2000), Reason.BAD_SEGMENT);
        refused(tiny().phU64(d, P_VADDR, 0xffff_ffff_ffff_f000L).phU64(d, P_OFFSET, 0), Reason.BAD_SEGMENT);
    }

    @Test
    void alignment() {
        int t = textIndex();
        refused(tiny().phU64(t, P_ALIGN, 3), Reason.BAD_SEGMENT);
        refused(tiny().phU64(t, P_ALIGN, -1L), Reason.BAD_SEGMENT);
        refused(tiny().phU64(t, P_VADDR, 0x401010), Reason.BAD_SEGMENT);
        refused(tiny().phU64(t, P_ALIGN, Long.MIN_VALUE), Reason.BAD_SEGMENT);
        // 0 and 1 mean "no alignment": the congruence is not required then
        assertDoesNotThrow(() -> ElfLoader.parse(tiny().phU64(t, P_ALIGN, 0).bytes));
        assertDoesNotThrow(() -> ElfLoader.parse(tiny().phU64(t, P_ALIGN, 1).bytes));
    }

    @Test
    void overlappingSegments() {
        int t = textIndex();
        // move the rodata segment onto the text segment, keeping vaddr ≡ offset (mod 4096)
        int r = tiny().indexOf(PT_LOAD, 2);
        ElfLoadException e = refused(tiny().phU64(r, P_VADDR, 0x401000), Reason.BAD_SEGMENT);
        assertTrue(e.getMessage().contains("overlap"), e.getMessage());
        // a large segment swallowing the two after it
        assertTrue(refused(tiny().phU64(t, P_MEMSZ, 0x10000), Reason.BAD_SEGMENT).getMessage().contains("overlap"));
    }

    @Test
    void entryPoint() {
        refused(tiny().u64(E_ENTRY, 0), Reason.BAD_ENTRY);
        refused(tiny().u64(E_ENTRY, -1L), Reason.BAD_ENTRY);
        // inside a segment, but not an executable one
        assertEquals("entry point 0x400000 is not inside an executable segment",
                refused(tiny().u64(E_ENTRY, 0x400000), Reason.BAD_ENTRY).getMessage());
        int t = textIndex();
        refused(tiny().phU32(t, P_FLAGS, ElfSegment.PF_R), Reason.BAD_ENTRY);
    }

    @Test
    void emptyLoadSegmentsAreIgnored() throws Exception {
        ElfPatch p = tiny();
        int note = p.indexOf(PT_NOTE, 0);
        p.phU32(note, P_TYPE, PT_LOAD).phU64(note, P_FILESZ, 0).phU64(note, P_MEMSZ, 0);
        assertEquals(4, ElfLoader.parse(p.bytes).segments().size());
    }
}
