package io.torovj.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GuestMemoryTest {
    private static final long SIZE = 1 << 20;
    private GuestMemory mem;

    @BeforeEach
    void map() { mem = GuestMemory.allocate(SIZE); }

    @AfterEach
    void unmap() { mem.close(); }

    @Test
    void freshMemoryIsZeroAndRoundTrips() {
        assertEquals(0, mem.readU64(SIZE - 8));
        mem.writeU64(8, 0x1122334455667788L);
        assertEquals(0x1122334455667788L, mem.readU64(8));
        assertEquals(0x55667788, mem.readU32(8));
        assertEquals((byte) 0x88, mem.readU8(8));
        byte[] src = "hello".getBytes(StandardCharsets.US_ASCII);
        mem.write(SIZE - 5, src);
        byte[] dst = new byte[5];
        mem.read(SIZE - 5, dst, 0, 5);
        assertArrayEquals(src, dst);
    }

    @Test
    void refusesAccessesOutsideOrStraddlingTheEnd() {
        GuestMemoryException e = assertThrows(GuestMemoryException.class, () -> mem.readU64(SIZE - 4));
        assertEquals(GuestMemoryException.Kind.OUT_OF_RANGE, e.kind());
        assertEquals(SIZE - 4, e.address());
        assertEquals(8, e.length());
        assertThrows(GuestMemoryException.class, () -> mem.readU8(SIZE));
        assertThrows(GuestMemoryException.class, () -> mem.readU8(-1));
        assertThrows(GuestMemoryException.class, () -> mem.hostAddress(SIZE - 8, 16));
        assertThrows(GuestMemoryException.class, () -> mem.write(SIZE - 1, new byte[2], 0, 2));
        assertThrows(GuestMemoryException.class, () -> mem.fill(0, SIZE + 1, (byte) 0));
    }

    @Test
    void rangeArithmeticCannotOverflow() {
        assertFalse(mem.contains(Long.MAX_VALUE, 1));
        assertFalse(mem.contains(8, Long.MAX_VALUE));
        assertFalse(mem.contains(SIZE - 8, Long.MAX_VALUE - 4));
        assertFalse(mem.contains(-8, 16));
        assertFalse(mem.contains(0, -1));
        assertTrue(mem.contains(SIZE, 0));
        assertTrue(mem.contains(0, SIZE));
        assertThrows(GuestMemoryException.class, () -> mem.hostAddress(0x7fff_ffff_ffff_f000L, 0x2000));
    }

    @Test
    void cStringsAreBoundedAndTerminated() {
        mem.write(100, "abc\0".getBytes(StandardCharsets.US_ASCII));
        byte[] buf = new byte[16];
        assertEquals(3, mem.readCString(100, buf, 15));
        mem.fill(200, 64, (byte) 'x');
        GuestMemoryException tooLong = assertThrows(GuestMemoryException.class, () -> mem.readCString(200, buf, 15));
        assertEquals(GuestMemoryException.Kind.STRING_TOO_LONG, tooLong.kind());
        mem.fill(SIZE - 4, 4, (byte) 'y');
        GuestMemoryException offEnd = assertThrows(GuestMemoryException.class, () -> mem.readCString(SIZE - 4, buf, 15));
        assertEquals(GuestMemoryException.Kind.OUT_OF_RANGE, offEnd.kind());
    }

    @Test
    void acquireReleaseAccessorsNeedAlignment() {
        mem.setLongRelease(64, 42);
        assertEquals(42, mem.getLongAcquire(64));
        assertEquals(GuestMemoryException.Kind.MISALIGNED,
                assertThrows(GuestMemoryException.class, () -> mem.getLongAcquire(65)).kind());
        assertThrows(GuestMemoryException.class, () -> mem.getLongAcquire(SIZE));
    }

    @Test
    void discardGivesZeroedPages() {
        mem.fill(8192, 8192, (byte) 7);
        mem.discard(8192, 4096);
        assertEquals(0, mem.readU8(8192));
        assertEquals(0, mem.readU8(8192 + 4095));
        assertEquals(7, mem.readU8(8192 + 4096));
    }

    @Test
    void residentBytesCountsTouchedPagesOnly() {
        long before = mem.residentBytes();
        for (long p = 0; p < 16; p++) mem.writeU8(p * 4096, (byte) 1);
        assertTrue(mem.residentBytes() >= before + 15 * 4096, "touched pages are resident");
        assertTrue(mem.residentBytes() <= SIZE);
    }

    @Test
    void guestPointerViewRefusesTheSystemPagesButSharesTheBytes() {
        GuestMemory user = mem.guestPointerView(0xC000);
        assertThrows(GuestMemoryException.class, () -> user.hostAddress(0x3000, 144), "page tables");
        assertThrows(GuestMemoryException.class, () -> user.writeU64(0xBFF8, 1));
        assertThrows(GuestMemoryException.class, () -> user.hostAddress(0xBFF0, 32), "straddling the floor");
        user.writeU64(0xC000, 99);
        assertEquals(99, mem.readU64(0xC000), "a view shares the mapping");
        user.close();
        assertEquals(99, mem.readU64(0xC000), "closing a view does not unmap");
        assertThrows(IllegalArgumentException.class, () -> mem.guestPointerView(SIZE + 1));
    }

    @Test
    void rejectsBadSizes() {
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.allocate(0));
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.allocate(4095));
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.allocate(4L << 30));
    }
}
