package io.torovj.syscall;

import io.torovj.linux.Errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.memory.GuestMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GuestHeapTest {
    private static final long START = 0x100000, END = 0x200000;
    private GuestMemory mem;
    private GuestHeap heap;

    @BeforeEach
    void setUp() {
        mem = GuestMemory.allocate(4L << 20);
        heap = new GuestHeap(mem, START, END);
    }

    @AfterEach
    void tearDown() { mem.close(); }

    @Test
    void brkGrowsShrinksAndRefusesTheImpossible() {
        assertEquals(START, heap.brk(0));
        assertEquals(START + 10000, heap.brk(START + 10000));
        mem.writeU8(START + 9999, (byte) 5);
        assertEquals(START + 10000, heap.brk(END + 1), "past the heap: unchanged");
        assertEquals(START + 10000, heap.brk(START - 1), "below the start: unchanged");
        assertEquals(START + 100, heap.brk(START + 100));
        assertEquals(START + 10000, heap.brk(START + 10000));
        assertEquals(0, mem.readU8(START + 9999), "memory given back by brk comes back zeroed");
    }

    @Test
    void mmapTakesZeroedPagesFromTheTopAndMunmapGivesThemBack() {
        long a = heap.mmap(3 * 4096);
        assertEquals(END - 3 * 4096, a);
        mem.writeU8(a, (byte) 9);
        long b = heap.mmap(1);
        assertEquals(a - 4096, b);
        assertEquals(0, heap.munmap(a, 3 * 4096));
        long c = heap.mmap(2 * 4096);
        assertEquals(END - 2 * 4096, c, "first fit from the top reuses the freed run");
        assertEquals(0, mem.readU8(END - 3 * 4096 + 4096 * 0 + 4096), "reused pages are zero");
        assertNotEquals(b, c);
    }

    @Test
    void munmapOverMappingsWithHolesFreesAndZeroesExactlyTheMappedRuns() {
        long a = heap.mmap(2 * 4096), b = heap.mmap(4096), c = heap.mmap(3 * 4096);   // c < b < a, adjacent
        assertEquals(0, heap.munmap(b, 4096));                                          // a hole between c and a
        for (long p : new long[] {a, a + 4096, c, c + 8192}) mem.writeU8(p, (byte) 7);
        long reserved = heap.mmap(4096);
        assertEquals(b, reserved, "the hole is the first fit");
        mem.writeU8(reserved, (byte) 8);
        assertEquals(0, heap.munmap(reserved, 4096));
        assertEquals(0, heap.munmap(c, a + 2 * 4096 - c), "one call over mapped runs and a hole");
        for (long p : new long[] {a, a + 4096, c, c + 8192, b}) assertEquals(0, mem.readU8(p), "page 0x" + Long.toHexString(p));
        assertEquals(END - 6 * 4096, heap.mmap(6 * 4096), "the whole range is one free run again");
    }

    /**
     * A short freed run is zeroed in place (its host pages stay: no unmap, shadow-page zap and
     * re-fault per page); a long one is given back to the host. Both read as zero afterwards.
     */
    @Test
    void munmapZeroesShortRunsInPlaceAndGivesLongOnesBack() {
        long small = 16 * 4096, large = 2 * GuestHeap.ZERO_IN_PLACE_MAX_BYTES;
        long a = heap.mmap(small);
        for (long p = a; p < a + small; p += 4096) mem.writeU8(p + 5, (byte) 0x5A);
        long resident = mem.residentBytes();
        assertEquals(0, heap.munmap(a, small));
        assertEquals(resident, mem.residentBytes(), "a 64 KiB run keeps its host pages");
        for (long p = a; p < a + small; p += 4096) assertEquals(0, mem.readU8(p + 5), "page 0x" + Long.toHexString(p));

        long b = heap.mmap(large);
        for (long p = b; p < b + large; p += 4096) mem.writeU8(p + 5, (byte) 0x5A);
        resident = mem.residentBytes();
        assertEquals(0, heap.munmap(b, large));
        assertEquals(resident - large, mem.residentBytes(), "a 512 KiB run goes back to the host");
        for (long p = b; p < b + large; p += 4096) assertEquals(0, mem.readU8(p + 5), "page 0x" + Long.toHexString(p));
    }

    @Test
    void mmapAndBrkNeverOverlap() {
        long all = heap.mmap(END - START);
        assertEquals(START, all);
        assertEquals(START, heap.brk(START + 4096), "brk cannot grow into mmap'd pages");
        assertEquals(-Errno.ENOMEM, heap.mmap(4096));
        assertEquals(0, heap.munmap(START, END - START));
        assertEquals(START + 4096, heap.brk(START + 4096));
        assertTrue(heap.mmap(END - START) < 0, "brk pages are not free for mmap");
    }

    @Test
    void munmapValidatesItsArguments() {
        assertEquals(-Errno.EINVAL, heap.munmap(START + 1, 4096));
        assertEquals(-Errno.EINVAL, heap.munmap(START, 0));
        assertEquals(-Errno.EINVAL, heap.munmap(0, 4096));
        assertEquals(-Errno.EINVAL, heap.munmap(END - 4096, Long.MAX_VALUE - 10));
        assertEquals(0, heap.munmap(START, 4096), "unmapping unmapped heap pages is fine, as on Linux");
        assertEquals(-Errno.EINVAL, heap.mmap(0));
        assertEquals(-Errno.ENOMEM, heap.mmap(Long.MAX_VALUE));
    }
}
