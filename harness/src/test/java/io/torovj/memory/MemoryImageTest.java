package io.torovj.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.testing.PropertyRunner;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A guest RAM image gives back exactly the bytes it captured, whatever was written, discarded or
 * newly touched since: the ground a pooled VM's reset stands on (no KVM needed: RAM is a memfd).
 */
class MemoryImageTest {
    private static final int PAGE = GuestMemory.PAGE_SIZE;
    private static final long SIZE = 4L << 20;
    private GuestMemory mem;

    @BeforeEach
    void map() { mem = GuestMemory.allocate(SIZE); }

    @AfterEach
    void unmap() { mem.close(); }

    private static byte pattern(long gpa, int seed) {
        return (byte) (gpa * 31 + seed * 7 + 1);
    }

    /** Writes {@code pages} pages at {@code firstPage} with the pattern of {@code seed}. */
    private void paint(long firstPage, int pages, int seed) {
        for (long p = firstPage; p < firstPage + pages; p++) {
            for (int off = 0; off < PAGE; off += 512) mem.writeU8(p * PAGE + off, pattern(p * PAGE + off, seed));
        }
    }

    private void assertPainted(long firstPage, int pages, int seed) {
        for (long p = firstPage; p < firstPage + pages; p++) {
            for (int off = 0; off < PAGE; off += 512) {
                assertEquals(pattern(p * PAGE + off, seed), mem.readU8(p * PAGE + off), "page " + p + " offset " + off);
            }
        }
    }

    private void assertZero(long firstPage, int pages) {
        for (long p = firstPage; p < firstPage + pages; p++) {
            for (int off = 0; off < PAGE; off += 8) assertEquals(0, mem.readU64(p * PAGE + off), "page " + p + " offset " + off);
        }
    }

    @Test
    void restoreUndoesOverwritesDiscardsAndNewPages() {
        paint(1, 3, 1);
        paint(100, 1, 1);
        MemoryImage image = MemoryImage.capture(mem);
        assertEquals(2, image.extents());
        assertEquals(4L * PAGE, image.bytes());
        assertEquals(4L * PAGE, mem.residentBytes());

        paint(2, 1, 9);                     // an image page overwritten
        mem.discard(100L * PAGE, PAGE);     // an image page given back
        paint(4, 2, 9);                     // new pages right after an image extent (a short run: zeroed in place)
        paint(500, 40, 9);                  // a long new run (given back)
        image.restore();
        // the short run stays allocated (zero), the long one is gone (before any read: reading a hole of shmem allocates it)
        assertEquals(6L * PAGE, mem.residentBytes());

        assertPainted(1, 3, 1);
        assertPainted(100, 1, 1);
        assertZero(4, 2);
        assertZero(500, 40);
        assertEquals(2L * PAGE, image.zeroedBytes());
        assertEquals(40L * PAGE, image.removedBytes());
    }

    @Test
    void anImageOfEmptyMemoryRestoresToEmpty() {
        MemoryImage image = MemoryImage.capture(mem);
        assertEquals(0, image.extents());
        paint(0, 1, 3);
        paint((SIZE / PAGE) - 1, 1, 3);     // the last page: the walk must reach the end
        image.restore();
        assertZero(0, 1);
        assertZero((SIZE / PAGE) - 1, 1);
    }

    /** Allocated pages that hold only zeros are not copied, and still come back as zeros. */
    @Test
    void zeroPagesAreLeftOutOfTheImageAndZeroedBack() {
        paint(1, 1, 1);
        mem.fill(2L * PAGE, 2L * PAGE, (byte) 0); // allocated, all zero
        paint(4, 1, 1);
        assertEquals(4L * PAGE, mem.residentBytes());
        MemoryImage image = MemoryImage.capture(mem);
        assertEquals(2, image.extents());
        assertEquals(2L * PAGE, image.bytes());
        paint(2, 2, 5);
        paint(1, 1, 5);
        image.restore();
        assertPainted(1, 1, 1);
        assertZero(2, 2);
        assertPainted(4, 1, 1);
    }

    /**
     * Two images of the same bytes share their pages, but for the page where the two memories
     * differ; each still restores its own memory to its own bytes.
     */
    @Test
    void imagesOfTheSameBytesShareTheirPagesButNotTheOnesThatDiffer() {
        try (GuestMemory twin = GuestMemory.allocate(SIZE)) {
            for (int page = 1; page <= 4; page++) paint(page, 1, page);      // four different pages
            for (long at = PAGE; at < 5L * PAGE; at += 512) twin.writeU8(at, mem.readU8(at));   // all paint writes
            twin.writeU8(3L * PAGE + 7, (byte) 0x5A);        // page 3 differs: the twin's own AT_RANDOM, say
            MemoryImage mine = MemoryImage.capture(mem), theirs = MemoryImage.capture(twin);
            assertEquals(4L * PAGE, mine.bytes());
            assertEquals(4L * PAGE, theirs.bytes());
            assertEquals(3, mine.pagesSharedWith(theirs));
            paint(1, 4, 9);
            twin.fill(PAGE, 4L * PAGE, (byte) 1);
            mine.restore();
            theirs.restore();
            for (int page = 1; page <= 4; page++) assertPainted(page, 1, page);
            assertEquals((byte) 0x5A, twin.readU8(3L * PAGE + 7));
            assertEquals(mem.readU8(2L * PAGE + 512), twin.readU8(2L * PAGE + 512));
            assertEquals(mem.readU8(3L * PAGE + 512), twin.readU8(3L * PAGE + 512));
        }
    }

    /** Seeded: random images and random damage; after restore every sampled byte is the captured one. */
    @Test
    void randomDamageIsAlwaysUndone() {
        PropertyRunner.property("randomDamageIsAlwaysUndone", 40, 0x5EED1A6EL).forAll(g -> g.longs(), (Long drawn) -> {
            Random r = new Random(drawn);
            mem.discard(0, SIZE);
            int seed = r.nextInt(100);
            long pages = SIZE / PAGE;
            for (int i = 0; i < 1 + r.nextInt(6); i++) paint(r.nextInt((int) pages - 20), 1 + r.nextInt(20), seed);
            byte[] before = snapshot();
            MemoryImage image = MemoryImage.capture(mem);
            for (int i = 0; i < 1 + r.nextInt(8); i++) {
                long at = r.nextInt((int) pages - 30);
                int n = 1 + r.nextInt(30);
                if (r.nextBoolean()) paint(at, n, seed + 1);
                else mem.discard(at * PAGE, (long) n * PAGE);
            }
            image.restore();
            byte[] after = snapshot();
            for (int i = 0; i < before.length; i++) {
                if (before[i] != after[i]) throw new AssertionError("byte at " + (long) i * 512 + " differs after restore");
            }
            assertTrue(mem.residentBytes() >= image.bytes());
        });
    }

    /** One byte every 512: what paint writes. */
    private byte[] snapshot() {
        byte[] s = new byte[(int) (SIZE / 512)];
        for (int i = 0; i < s.length; i++) s[i] = mem.readU8((long) i * 512);
        return s;
    }
}
