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

        assertEquals(16, f.memory.readU32(area + 0), "entries @0");
        assertEquals(128, f.memory.readU32(area + 4), "sqe_offset @4: after the flags' line");
        assertEquals(128 + 16 * 64, f.memory.readU32(area + 8), "cqe_offset @8: after the 64-byte SQEs");
        assertEquals(0, f.memory.readU32(area + 64), "flags @64 zeroed (the poller is not sleeping)");
        long end = RingLayout.AREA_BYTES;
        assertEquals(128 + 16 * 64 + 16 * 64, end);
        for (long off = 12; off < end; off += 4) {
            assertEquals(0, f.memory.readU32(area + off), "byte " + off + " of the rings zeroed: every tag 0");
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
    void everySlotAndTheFlagsHaveACacheLineOfTheirOwn() {
        assertEquals(0, RingLayout.OFF_FLAGS % 64);
        assertTrue(RingLayout.OFF_FLAGS >= RingLayout.OFF_CQE + 4, "the flags do not share the header's line");
        assertEquals(0, RingLayout.SQE_ARRAY % 64);
        assertTrue(RingLayout.SQE_ARRAY >= RingLayout.OFF_FLAGS + 64);
        assertEquals(64, RingLayout.SQE_SIZE);
        assertEquals(64, RingLayout.CQE_SIZE);
        assertEquals(RingLayout.SQE_ARRAY + RingLayout.ENTRIES * RingLayout.SQE_SIZE, RingLayout.CQE_ARRAY);
        assertTrue(RingLayout.AREA_BYTES <= GuestLayout.TRANSPORT_AREA_SIZE, "fits the VM's transport area");
        assertTrue(RingLayout.AREA_BYTES <= 4096, "one guest page: a page more is 4 KiB more resident in every VM");
        assertEquals(0, GuestLayout.TRANSPORT_AREA % 64, "the VM's transport area is line-aligned");
    }

    @Test
    void callsUseTheirSlotInBothArraysAcrossTurnsOfTheRing() {
        long area = GuestLayout.TRANSPORT_AREA;
        assertEquals(area + 128, RingLayout.sqe(area, 0));
        assertEquals(area + 128 + 15 * 64, RingLayout.sqe(area, 15));
        assertEquals(area + 128, RingLayout.sqe(area, 16), "call 16 reuses call 0's slot");
        assertEquals(area + RingLayout.CQE_ARRAY + 5 * 64, RingLayout.cqe(area, 5 + 16 * 1000));
        assertEquals(RingLayout.sqe(area, 15), RingLayout.sqe(area, -1L), "u64 calls wrap");
    }

    @Test
    void theIdleTagIsTheSlotsPreviousCallsOrZeroInTheFirstTurn() {
        assertEquals(0, RingLayout.idleTag(0));
        assertEquals(0, RingLayout.idleTag(15));
        assertEquals(1, RingLayout.idleTag(16), "slot 0 then holds call 0's tag");
        assertEquals(1000 + 1 - 16, RingLayout.idleTag(1000));
        assertEquals(-16L, RingLayout.idleTag(-1L), "near 2^64: call 2^64-17's tag");
    }

    @Test
    void tagReportsNameTheTagTheSlotAndWhatWasExpected() {
        assertEquals("seq=7 in slot 2, expected 19 (call 18) or 3 (nothing submitted)", RingLayout.tagReport(7, 18));
        assertEquals("seq=18446744073709551615 in slot 0, expected 1 (call 0) or 0 (nothing submitted)",
                RingLayout.tagReport(-1L, 0));
    }

    /**
     * The numbers in ring.h (the guest's copy of the layout) equal RingLayout's, and the header format
     * writes passes the guest's own validation (ring_view_init), re-stated here rule by rule.
     */
    @Test
    void ringHeaderMatchesTheGuestsRingH(@TempDir Path dir) throws Exception {
        Map<String, Long> h = ringHeader(dir);
        assertEquals(RingLayout.OFF_ENTRIES, h.get("RING_OFF_ENTRIES"));
        assertEquals(RingLayout.OFF_SQE, h.get("RING_OFF_SQE_OFFSET"));
        assertEquals(RingLayout.OFF_CQE, h.get("RING_OFF_CQE_OFFSET"));
        assertEquals(RingLayout.OFF_FLAGS, h.get("RING_OFF_FLAGS"));
        assertEquals(RingLayout.SQE_SIZE, h.get("RING_SQE_SIZE"));
        assertEquals(RingLayout.CQE_SIZE, h.get("RING_CQE_SIZE"));
        assertEquals(RingLayout.FLAG_POLLER_SLEEPING, h.get("RING_FLAG_POLLER_SLEEPING"));
        assertEquals(RingLayout.SQE_OFF_SEQ, h.get("RING_SQE_OFF_SEQ"));
        assertEquals(RingLayout.SQE_OFF_NR, h.get("RING_SQE_OFF_NR"));
        assertEquals(RingLayout.SQE_OFF_ARGS, h.get("RING_SQE_OFF_ARGS"));
        assertEquals(RingLayout.CQE_OFF_SEQ, h.get("RING_CQE_OFF_SEQ"));
        assertEquals(RingLayout.CQE_OFF_RET, h.get("RING_CQE_OFF_RET"));

        long area = RingLayout.format(f.context("ring", never()));
        long headerEnd = h.get("RING_HEADER_END");
        long size = f.memory.readU64(GuestLayout.BOOT_INFO + GuestAbi.BOOT_TRANSPORT_AREA_SIZE);
        long entries = f.memory.readU32(area + h.get("RING_OFF_ENTRIES")) & 0xffffffffL;
        long sqeOff = f.memory.readU32(area + h.get("RING_OFF_SQE_OFFSET")) & 0xffffffffL;
        long cqeOff = f.memory.readU32(area + h.get("RING_OFF_CQE_OFFSET")) & 0xffffffffL;
        long sqBytes = entries * h.get("RING_SQE_SIZE"), cqBytes = entries * h.get("RING_CQE_SIZE");
        assertTrue(area != 0 && (area & 63) == 0 && size >= headerEnd, "area non-zero, 64-aligned, holds the header");
        assertEquals(1, Long.bitCount(entries), "entries a power of two");
        assertTrue(arrayOk(sqeOff, sqBytes, size, headerEnd), "SQE array after the header, 64-aligned, inside");
        assertTrue(arrayOk(cqeOff, cqBytes, size, headerEnd), "CQE array after the header, 64-aligned, inside");
        assertFalse(sqeOff < cqeOff + cqBytes && cqeOff < sqeOff + sqBytes, "the arrays do not overlap");
    }

    private static boolean arrayOk(long off, long bytes, long areaSize, long headerEnd) {
        return off >= headerEnd && (off & 63) == 0 && off <= areaSize && bytes <= areaSize - off;
    }

    /** What gcc computes for ring.h's layout macros: checked by compiling the header, not by reading it as text. */
    private static Map<String, Long> ringHeader(Path dir) throws IOException, InterruptedException {
        String[] names = {"RING_OFF_ENTRIES", "RING_OFF_SQE_OFFSET", "RING_OFF_CQE_OFFSET", "RING_OFF_FLAGS",
            "RING_HEADER_END", "RING_FLAG_POLLER_SLEEPING", "RING_SQE_SIZE", "RING_SQE_OFF_SEQ", "RING_SQE_OFF_NR",
            "RING_SQE_OFF_ARGS", "RING_CQE_SIZE", "RING_CQE_OFF_SEQ", "RING_CQE_OFF_RET"};
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
}
