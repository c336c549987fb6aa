package io.torovj.testing;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runner the property tests rely on: its counts, its order, its replays and its failure messages. */
class PropertyRunnerTest {
    private static final long SEED = 0x7E57_0001L;

    @Test
    void runsTheEdgeCasesFirstThenGeneratedInputsTriesTimesInAll() {
        List<Long> seen = new ArrayList<>();
        PropertyRunner.property("count", 50, SEED).forAll(List.of(-7L, 7L), g -> g.longs(100, 200), seen::add);
        assertEquals(50, seen.size());
        assertEquals(List.of(-7L, 7L), seen.subList(0, 2));
        for (long v : seen.subList(2, 50)) assertTrue(v >= 100 && v <= 200, "out of range: " + v);
    }

    @Test
    void theSameSeedGivesTheSameInputsAndAnotherSeedOthers() {
        assertEquals(inputs(SEED), inputs(SEED));
        assertNotEquals(inputs(SEED), inputs(SEED + 1));
    }

    private static List<Long> inputs(long seed) {
        List<Long> seen = new ArrayList<>();
        PropertyRunner.property("replay", 200, seed).forAll(Generators::longs, seen::add);
        return seen;
    }

    @Test
    void aFailureNamesThePropertyTheTryTheSeedAndTheInput() {
        RuntimeException cause = new IllegalStateException("boom");
        AssertionError e = assertThrows(AssertionError.class, () -> PropertyRunner.property("failing", 100, SEED)
                .forAll(List.of("edge"), g -> "generated", s -> {
                    if (s.equals("generated")) throw cause;
                }));
        assertSame(cause, e.getCause());
        String m = e.getMessage();
        assertTrue(m.contains("property failing failed on try 1 of 100 (generated)"), m);
        assertTrue(m.contains("seed " + SEED + ";"), m);
        assertTrue(m.contains("-D" + PropertyRunner.SEED_PROPERTY + "=" + SEED), m);
        assertTrue(m.contains("input: \"generated\""), m);
        assertTrue(m.contains("boom"), m);
    }

    @Test
    void aFailingEdgeCaseIsReportedAsOne() {
        AssertionError e = assertThrows(AssertionError.class, () -> PropertyRunner.property("edge", 10, SEED)
                .forAll(List.of(new byte[] {1, -1}), g -> new byte[0], b -> assertEquals(0, b.length)));
        assertTrue(e.getMessage().contains("on try 0 of 10 (edge case)"), e.getMessage());
        assertTrue(e.getMessage().contains("input: [1, -1]"), e.getMessage());
    }

    @Test
    void moreEdgeCasesThanTriesIsAMistake() {
        assertThrows(IllegalArgumentException.class,
                () -> PropertyRunner.property("small", 1, SEED).forAll(List.of(1, 2), g -> 3, i -> {}));
    }

    @Test
    void theSystemPropertyOverridesTheDefaultSeed() {
        assertEquals(SEED, PropertyRunner.seed(SEED, null));
        assertEquals(SEED, PropertyRunner.seed(SEED, " "));
        assertEquals(42, PropertyRunner.seed(SEED, "42"));
        assertEquals(-3, PropertyRunner.seed(SEED, "-3"));
        assertEquals(0xff, PropertyRunner.seed(SEED, "0xff"));
        assertThrows(IllegalArgumentException.class, () -> PropertyRunner.seed(SEED, "seven"));
    }

    @Test
    void describesStringsWithInvisibleCharactersEscapedInsideArraysListsAndRecords() {
        assertEquals("\"a\\\"\\u0000\\u00e9\"", PropertyRunner.describe("a\"\0\u00e9"));
        assertEquals("[[1, 2], []]", PropertyRunner.describe(List.of(new long[] {1, 2}, new long[0])));
        assertEquals("Pair[name=\"\\u000a\", values=[7]]", PropertyRunner.describe(new Pair("\n", new int[] {7})));
    }

    record Pair(String name, int[] values) {}

    @Test
    void edgeCasesOfARange() {
        assertEquals(List.of(-2L, -1L, 0L, 1L, 2L, Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE, Long.MAX_VALUE - 1),
                Generators.LONG_EDGE_CASES);
        assertEquals(List.of(0L, 1L, 2L, 2000L, 1999L), Generators.edgeCases(0, 2000));
        assertEquals(List.of(0x40000L, 0x40001L, 0x50000L, 0x4FFFFL), Generators.edgeCases(0x40000, 0x50000));
        assertEquals(List.of(5L), Generators.edgeCases(5, 5));
    }

    @Test
    void generatedValuesStayInRangeAndReachBothSmallAndLargeMagnitudes() {
        Generators g = PropertyRunner.property("ranges", 1000, SEED).generators(0);
        boolean small = false, huge = false, negative = false;
        for (int i = 0; i < 10000; i++) {
            long v = g.longs();
            small |= Math.abs(v) < 1000;
            huge |= Math.abs(v) > (1L << 60);
            negative |= v < 0;
            long r = g.longs(-8192, 1 << 24);
            assertTrue(r >= -8192 && r <= 1 << 24, "out of range: " + r);
            long s = g.longs(0x100000, 0x7C0000);
            assertTrue(s >= 0x100000 && s <= 0x7C0000, "out of range: " + s);
            int size = g.size(1, 60);
            assertTrue(size >= 1 && size <= 60, "size out of range: " + size);
            assertTrue(g.strings(4).length() <= 4);
            assertTrue(g.byteArrays(600).length <= 600);
        }
        assertTrue(small && huge && negative, "longs() misses small, huge or negative values");
    }
}
