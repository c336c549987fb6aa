package io.torovj.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.abi.GuestAbi;
import io.torovj.boot.GuestLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.torovj.testing.CProbe;

/** What {@link RingLayout#format} writes into guest memory, checked against ring.h (the guest's view). */
class RingLayoutTest {
    private static final byte GARBAGE = (byte) 0xA5;
    private static final long GARBAGE_U64 = 0xA5A5A5A5A5A5A5A5L;

    private final RingFixture f = new RingFixture("ring");

    @AfterEach
    void free() {
        f.close();
    }

    /** The syscall layer: formatting executes nothing. */
    private static io.torovj.syscall.SyscallExecutor never() {
        return (nr, a0, a1, a2, a3, a4, a5) -> {
            throw new AssertionError("no system call while formatting");
        };
    }

    @Test
    void formatWritesTheHeaderAtTheTransportAreaAndZeroesEverythingElseOfTheRings() {
        long area = GuestLayout.TRANSPORT_AREA;
        // what a previous run (or the guest) left there
        f.memory.fill(area, GuestLayout.TRANSPORT_AREA_SIZE, GARBAGE);

        assertEquals(area, RingLayout.format(f.context("ring", never())));

        assertEquals(64, f.memory.readU32(area + 0), "sq_entries @0");
        assertEquals(64, f.memory.readU32(area + 4), "cq_entries @4");
        assertEquals(512, f.memory.readU32(area + 8), "sqe_offset @8");
        assertEquals(512 + 64 * 64, f.memory.readU32(area + 12), "cqe_offset @12: after the 64-byte SQEs");
        for (long index : new long[] {64, 128, 192, 256}) {
            assertEquals(0, f.memory.readU64(area + index), "index @" + index + " zeroed");
        }
        assertEquals(0, f.memory.readU32(area + 320), "flags @320 zeroed (the poller is not sleeping)");
        long end = RingLayout.AREA_BYTES;
        assertEquals(512 + 64 * 64 + 64 * 16, end);
        for (long off = 16; off < end; off += 4) {
            assertEquals(0, f.memory.readU32(area + off), "byte " + off + " of the rings zeroed");
        }
        // the rest of the transport area is not the ring's: left alone
        assertEquals(GARBAGE_U64, f.memory.readU64(area + end));
        assertEquals(GARBAGE_U64, f.memory.readU64(area + GuestLayout.TRANSPORT_AREA_SIZE - 8));
    }

    @Test
    void formatTellsTheGuestWhereTheRingsAreThroughTheBootInfo() {
        long area = RingLayout.format(f.context("ring", never()));
        long bi = GuestLayout.BOOT_INFO;
        assertEquals(f.bootInfo.address(), bi);
        assertEquals(area, f.memory.readU64(bi + GuestAbi.BOOT_TRANSPORT_AREA), "boot_info->transport_area");
        assertEquals(RingLayout.AREA_BYTES, f.memory.readU64(bi + GuestAbi.BOOT_TRANSPORT_AREA_SIZE),
                "boot_info->transport_area_size: the rings' bytes, not the whole slot");
        // the header BootInfo.create wrote is intact
        assertEquals(GuestAbi.BOOT_MAGIC, f.memory.readU64(bi + GuestAbi.BOOT_MAGIC_OFF));
        byte[] name = new byte[8];
        f.memory.read(bi + GuestAbi.BOOT_TRANSPORT, name, 0, name.length);
        assertEquals("ring\0\0\0\0", new String(name, StandardCharsets.US_ASCII));
    }

    @Test
    void eachIndexHasItsOwnCacheLineAndTheArraysFollowTheHeader() {
        int[] lines = {RingLayout.OFF_SQ_TAIL, RingLayout.OFF_SQ_HEAD, RingLayout.OFF_CQ_TAIL, RingLayout.OFF_CQ_HEAD,
                RingLayout.OFF_FLAGS};
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        seen.add(0);    // the header's entries and offsets
        for (int off : lines) {
            assertEquals(0, off % 64, "offset " + off + " starts a cache line");
            assertTrue(seen.add(off / 64), "offset " + off + " shares a cache line");
        }
        assertTrue(RingLayout.SQE_ARRAY >= RingLayout.OFF_FLAGS + 4);
        assertEquals(RingLayout.SQE_ARRAY + RingLayout.ENTRIES * RingLayout.SQE_SIZE, RingLayout.CQE_ARRAY);
        assertTrue(RingLayout.AREA_BYTES <= GuestLayout.TRANSPORT_AREA_SIZE, "fits the VM's transport area");
    }

    /**
     * The numbers in ring.h (the guest's copy of the layout) equal RingLayout's, and the header format
     * writes passes the guest's own validation (ring_view_init), re-stated here rule by rule.
     */
    @Test
    void ringHeaderMatchesTheGuestsRingH(@TempDir Path dir) throws Exception {
        Map<String, Long> h = ringHeader(dir);
        assertEquals(RingLayout.OFF_SQ_ENTRIES, h.get("RING_OFF_SQ_ENTRIES"));
        assertEquals(RingLayout.OFF_CQ_ENTRIES, h.get("RING_OFF_CQ_ENTRIES"));
        assertEquals(RingLayout.OFF_SQE, h.get("RING_OFF_SQE_OFFSET"));
        assertEquals(RingLayout.OFF_CQE, h.get("RING_OFF_CQE_OFFSET"));
        assertEquals(RingLayout.OFF_SQ_TAIL, h.get("RING_OFF_SQ_TAIL"));
        assertEquals(RingLayout.OFF_SQ_HEAD, h.get("RING_OFF_SQ_HEAD"));
        assertEquals(RingLayout.OFF_CQ_TAIL, h.get("RING_OFF_CQ_TAIL"));
        assertEquals(RingLayout.OFF_CQ_HEAD, h.get("RING_OFF_CQ_HEAD"));
        assertEquals(RingLayout.OFF_FLAGS, h.get("RING_OFF_FLAGS"));
        assertEquals(RingLayout.SQE_SIZE, h.get("RING_SQE_SIZE"));
        assertEquals(RingLayout.CQE_SIZE, h.get("RING_CQE_SIZE"));
        assertEquals(RingLayout.FLAG_POLLER_SLEEPING, h.get("RING_FLAG_POLLER_SLEEPING"));
        assertEquals(0, h.get("RING_SQE_OFF_USER_DATA"));
        assertEquals(8, h.get("RING_SQE_OFF_NR"), "RingServer reads nr at SQE + 8");
        assertEquals(16, h.get("RING_SQE_OFF_ARGS"), "RingServer reads args at SQE + 16..56");
        assertEquals(0, h.get("RING_CQE_OFF_USER_DATA"));
        assertEquals(8, h.get("RING_CQE_OFF_RET"), "RingServer writes ret at CQE + 8");

        long area = RingLayout.format(f.context("ring", never()));
        long headerEnd = h.get("RING_HEADER_END");
        long size = f.memory.readU64(GuestLayout.BOOT_INFO + GuestAbi.BOOT_TRANSPORT_AREA_SIZE);
        long sqEntries = f.memory.readU32(area + h.get("RING_OFF_SQ_ENTRIES")) & 0xffffffffL;
        long cqEntries = f.memory.readU32(area + h.get("RING_OFF_CQ_ENTRIES")) & 0xffffffffL;
        long sqeOff = f.memory.readU32(area + h.get("RING_OFF_SQE_OFFSET")) & 0xffffffffL;
        long cqeOff = f.memory.readU32(area + h.get("RING_OFF_CQE_OFFSET")) & 0xffffffffL;
        long sqBytes = sqEntries * h.get("RING_SQE_SIZE"), cqBytes = cqEntries * h.get("RING_CQE_SIZE");
        assertTrue(area != 0 && (area & 7) == 0 && size >= headerEnd, "area non-zero, 8-aligned, holds the header");
        assertTrue(Long.bitCount(sqEntries) == 1 && Long.bitCount(cqEntries) == 1, "entries are powers of two");
        assertTrue(arrayOk(sqeOff, sqBytes, size, headerEnd), "SQE array after the header, 8-aligned, inside");
        assertTrue(arrayOk(cqeOff, cqBytes, size, headerEnd), "CQE array after the header, 8-aligned, inside");
        assertFalse(sqeOff < cqeOff + cqBytes && cqeOff < sqeOff + sqBytes, "the arrays do not overlap");
    }

    private static boolean arrayOk(long off, long bytes, long areaSize, long headerEnd) {
        return off >= headerEnd && (off & 7) == 0 && off <= areaSize && bytes <= areaSize - off;
    }

    /** What gcc computes for ring.h's layout macros: checked by compiling the header, not by reading it as text. */
    private static Map<String, Long> ringHeader(Path dir) throws IOException, InterruptedException {
        String[] names = {"RING_OFF_SQ_ENTRIES", "RING_OFF_CQ_ENTRIES", "RING_OFF_SQE_OFFSET", "RING_OFF_CQE_OFFSET",
            "RING_OFF_SQ_TAIL", "RING_OFF_SQ_HEAD", "RING_OFF_CQ_TAIL", "RING_OFF_CQ_HEAD", "RING_OFF_FLAGS",
            "RING_HEADER_END", "RING_FLAG_POLLER_SLEEPING", "RING_SQE_SIZE", "RING_SQE_OFF_USER_DATA", "RING_SQE_OFF_NR",
            "RING_SQE_OFF_ARGS", "RING_CQE_SIZE", "RING_CQE_OFF_USER_DATA", "RING_CQE_OFF_RET"};
        String[][] checks = new String[names.length][];
        for (int i = 0; i < names.length; i++) checks[i] = new String[] {names[i], names[i]};
        CProbe probe = CProbe.run(dir, List.of(Path.of("src/main/guest"), Path.of("../harness/src/main/c")),
                List.of("\"ring.h\""), checks);
        Map<String, Long> values = new HashMap<>();
        for (String n : names) values.put(n, probe.value(n));
        return values;
    }

    @Test
    void aTransportAreaTooSmallForTheRingsIsRefusedBeforeAnythingIsWritten() {
        f.memory.fill(GuestLayout.TRANSPORT_AREA, GuestLayout.TRANSPORT_AREA_SIZE, GARBAGE);
        var small = f.context("ring", never(), RingLayout.AREA_BYTES - 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RingLayout.format(small));
        assertTrue(e.getMessage().contains("too small"), e.getMessage());
        assertEquals(GARBAGE_U64, f.memory.readU64(GuestLayout.TRANSPORT_AREA));
        assertEquals(0, f.memory.readU64(GuestLayout.BOOT_INFO + GuestAbi.BOOT_TRANSPORT_AREA), "boot info untouched");

        // exactly the rings' size is enough
        assertEquals(GuestLayout.TRANSPORT_AREA,
                RingLayout.format(f.context("ring", never(), RingLayout.AREA_BYTES)));
    }

    @Test
    void sqTailIsPossibleFromTheHeadUpToOneRingAheadWithFreeRunningIndices() {
        int n = RingLayout.ENTRIES;
        assertTrue(RingLayout.sqTailPossible(0, 0));
        assertTrue(RingLayout.sqTailPossible(n, 0), "a full ring");
        assertFalse(RingLayout.sqTailPossible(n + 1, 0), "more than a ring ahead");
        assertFalse(RingLayout.sqTailPossible(4, 5), "behind the head");
        assertFalse(RingLayout.sqTailPossible(Long.MAX_VALUE, 0), "a huge tail");
        assertFalse(RingLayout.sqTailPossible(-1L, 0), "0xffffffffffffffff: behind the head by one");
        // u64 counters wrap: the difference is what counts
        assertTrue(RingLayout.sqTailPossible(Long.MIN_VALUE, Long.MAX_VALUE), "one ahead across 2^63");
        assertTrue(RingLayout.sqTailPossible(n - 2, -2L), "a full ring across 2^64");
        assertFalse(RingLayout.sqTailPossible(n - 1, -2L), "more than a ring ahead across 2^64");
    }

    @Test
    void cqUsedIsPossibleFromZeroToOneRing() {
        assertTrue(RingLayout.cqUsedPossible(0));
        assertTrue(RingLayout.cqUsedPossible(RingLayout.ENTRIES));
        assertFalse(RingLayout.cqUsedPossible(RingLayout.ENTRIES + 1), "cq_head moved back");
        assertFalse(RingLayout.cqUsedPossible(-1), "consumed a completion never produced");
        assertFalse(RingLayout.cqUsedPossible(Long.MIN_VALUE));
    }

    @Test
    void reportsNameTheIndicesAndTheRingSize() {
        assertEquals("sq_tail=65 with sq_head=0 and 64 entries", RingLayout.sqReport(65, 0));
        assertEquals("cq_head=3 with cq_tail=1 and 64 entries", RingLayout.cqReport(3, 1));
    }
}
