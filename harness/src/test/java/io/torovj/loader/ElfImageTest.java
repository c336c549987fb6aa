package io.torovj.loader;

import static org.junit.jupiter.api.Assertions.*;

import io.torovj.loader.ElfLoadException.Reason;
import io.torovj.memory.GuestMemory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ElfImageTest {
    private static final byte FILL = (byte) 0xAA;

    private static GuestMemory filledMemory(long size) {
        GuestMemory mem = GuestMemory.allocate(size);
        mem.fill(0, size, FILL);
        return mem;
    }

    @Test
    void copiesFileBytesAndZeroesBss() throws Exception {
        byte[] file = TestExecutables.tiny();
        ElfImage image = ElfLoader.parse(file);
        try (GuestMemory mem = filledMemory(8 << 20)) {
            long brk = image.loadInto(mem, 0, mem.size());
            assertEquals((image.highestAddress() + 4095) & ~4095L, brk);
            assertEquals(0, brk % 4096);
            assertTrue(brk >= image.highestAddress() && brk - image.highestAddress() < 4096);

            for (ElfSegment s : image.segments()) {
                byte[] copied = new byte[(int) s.fileSize()];
                mem.read(s.vaddr(), copied, 0, copied.length);
                byte[] expected = Arrays.copyOfRange(file, (int) s.fileOffset(), (int) (s.fileOffset() + s.fileSize()));
                assertArrayEquals(expected, copied, s.describe());

                byte[] bss = new byte[(int) (s.memSize() - s.fileSize())];
                mem.read(s.vaddr() + s.fileSize(), bss, 0, bss.length);
                for (int i = 0; i < bss.length; i++) assertEquals(0, bss[i], "bss byte " + i + " of " + s.describe());
            }
            ElfSegment data = image.segments().get(image.segments().size() - 1);
            assertTrue(data.memSize() - data.fileSize() >= 20000, "the test program has a 20000-byte bss");
            // nothing outside the segments was touched
            assertEquals(FILL, mem.readU8(image.lowestAddress() - 1));
            assertEquals(FILL, mem.readU8(image.highestAddress()));
            ElfSegment first = image.segments().get(0), second = image.segments().get(1);
            if (first.end() < second.vaddr()) assertEquals(FILL, mem.readU8(first.end()));
            // the data segment starts with the initialized string
            byte[] hello = new byte[15];
            mem.read(data.vaddr(), hello, 0, hello.length);
            assertEquals("hello from data", new String(hello));
        }
    }

    @Test
    void refusesMemoryTooSmallAndLeavesItUntouched() throws Exception {
        ElfImage image = ElfLoader.parse(TestExecutables.tiny());
        // 4 MiB ends at 0x400000, exactly where the executable starts
        try (GuestMemory mem = filledMemory(4 << 20)) {
            ElfLoadException e = assertThrows(ElfLoadException.class, () -> image.loadInto(mem, 0, Long.MAX_VALUE));
            assertEquals(Reason.DOES_NOT_FIT, e.reason());
            assertEquals("segment [0x400000, 0x4001b4) does not fit in guest memory [0x0, 0x400000)", e.getMessage());
            assertEquals(FILL, mem.readU8(mem.size() - 1));
        }
        // big enough for all but the bss at the top
        try (GuestMemory mem = filledMemory(0x404000)) {
            ElfLoadException e = assertThrows(ElfLoadException.class, () -> image.loadInto(mem, 0, mem.size()));
            assertEquals(Reason.DOES_NOT_FIT, e.reason());
            assertEquals(FILL, mem.readU8(image.entry()), "nothing is written when any segment does not fit");
        }
    }

    @Test
    void refusesSegmentsOutsideTheAllowedRange() throws Exception {
        ElfImage image = ElfLoader.parse(TestExecutables.tiny());
        try (GuestMemory mem = GuestMemory.allocate(8 << 20)) {
            ElfLoadException below = assertThrows(ElfLoadException.class,
                    () -> image.loadInto(mem, image.lowestAddress() + 1, mem.size()));
            assertEquals(Reason.DOES_NOT_FIT, below.reason());
            assertTrue(below.getMessage().contains("[0x400001, 0x800000)"), below.getMessage());
            ElfLoadException above = assertThrows(ElfLoadException.class,
                    () -> image.loadInto(mem, 0, image.highestAddress() - 1));
            assertEquals(Reason.DOES_NOT_FIT, above.reason());
            // exactly the image's own range is enough
            assertDoesNotThrow(() -> image.loadInto(mem, image.lowestAddress(), image.highestAddress()));
        }
    }

    @Test
    void rejectsAnImpossibleRangeAsAProgrammingError() throws Exception {
        ElfImage image = ElfLoader.parse(TestExecutables.tiny());
        try (GuestMemory mem = GuestMemory.allocate(8 << 20)) {
            assertThrows(IllegalArgumentException.class, () -> image.loadInto(mem, -1, mem.size()));
            assertThrows(IllegalArgumentException.class, () -> image.loadInto(mem, 10, 5));
        }
    }

    @Test
    void findsSectionsByNameAndAnswersFalseForDamagedSectionHeaders() throws Exception {
        byte[] file = TestExecutables.staticGlibc();
        ElfImage image = ElfLoader.parse(file);
        assertTrue(image.hasSection(".text"));
        assertFalse(image.hasSection("torovj_transports"));
        assertFalse(image.hasSection(".tex"), "a prefix is not a name");

        java.nio.ByteBuffer header = java.nio.ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long shoff = header.getLong(40);
        int shnum = Short.toUnsignedInt(header.getShort(60));
        long[][] damages = {   // offset in the ELF header, width, value
            {40, 8, -1}, {40, 8, file.length - 10}, {40, 8, Long.MAX_VALUE}, {58, 2, 40}, {60, 2, 0}, {60, 2, 0xFFFF},
            {62, 2, shnum}, {62, 2, 0xFFFF},
        };
        for (long[] d : damages) {
            byte[] damaged = file.clone();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(damaged).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            if (d[1] == 8) b.putLong((int) d[0], d[2]); else b.putShort((int) d[0], (short) d[2]);
            assertFalse(ElfLoader.parse(damaged).hasSection(".text"), "damaged at " + d[0]);
        }
        // the string table's own header pointing past the end of the file
        byte[] damaged = file.clone();
        int strtab = (int) (shoff + 64L * Short.toUnsignedInt(header.getShort(62)));
        java.nio.ByteBuffer.wrap(damaged).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(strtab + 24, file.length - 2L);
        assertFalse(ElfLoader.parse(damaged).hasSection(".text"));
    }
}
