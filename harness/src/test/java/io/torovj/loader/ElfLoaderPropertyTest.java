package io.torovj.loader;

import static io.torovj.loader.ElfPatch.*;

import io.torovj.memory.GuestMemory;
import io.torovj.testing.Generators;
import io.torovj.testing.PropertyRunner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile files: parse either succeeds or throws ElfLoadException, and an image that parses
 * either loads into 8 MiB of guest memory or throws ElfLoadException. Any other throwable
 * fails the property. Each property runs its edge cases first, then generated inputs; the seed
 * is fixed, or {@code -Dtorovj.test.seed=N}.
 */
class ElfLoaderPropertyTest {
    private static GuestMemory memory;

    private static synchronized GuestMemory memory() {
        if (memory == null) memory = GuestMemory.allocate(8 << 20);
        return memory;
    }

    @AfterAll
    static synchronized void releaseMemory() {
        if (memory != null) memory.close();
        memory = null;
    }

    /** The property itself: only ElfLoadException may come out of parse and loadInto. */
    private static void parseAndLoad(byte[] file) {
        ElfImage image;
        try {
            image = ElfLoader.parse(file);
        } catch (ElfLoadException e) {
            return;
        }
        try {
            image.loadInto(memory(), 0, memory().size());
        } catch (ElfLoadException e) {
            // refused: fine
        }
    }

    /** Up to 600 random bytes; edge cases: no byte, and each edge-case byte alone. */
    @Test
    void randomBytes() {
        PropertyRunner.property("randomBytes", 2000, 0xE1F0_0001L)
                .forAll(Generators.byteArrayEdgeCases(), g -> g.byteArrays(600), ElfLoaderPropertyTest::parseAndLoad);
    }

    /** Random bytes behind a valid e_ident, so the header checks past the magic get exercised. */
    @Test
    void randomBytesAfterValidIdent() {
        PropertyRunner.property("randomBytesAfterValidIdent", 2000, 0xE1F0_0002L)
                .forAll(Generators.byteArrayEdgeCases(), g -> g.byteArrays(1200), tail -> {
                    byte[] file = Arrays.copyOf(TestExecutables.tiny(), 16 + tail.length);
                    System.arraycopy(tail, 0, file, 16, tail.length);
                    parseAndLoad(file);
                });
    }

    /**
     * One change to a real executable: a byte anywhere in the headers, or a whole header or
     * program header field, set to {@code value} or, if {@code relative}, moved by a small
     * delta from its current value (mostly still plausible, so loadInto gets exercised too).
     */
    record Mutation(int kind, int position, long value, boolean relative) {
        static final int[] PH_FIELDS = {P_TYPE, P_FLAGS, P_OFFSET, P_VADDR, P_FILESZ, P_MEMSZ, P_ALIGN};

        void apply(ElfPatch p, int headerBytes) {
            long delta = value % 8192;
            switch (kind) {
                case 0 -> p.u8(position % headerBytes, (int) value);
                case 1 -> p.u64(E_ENTRY, relative ? p.u64At(E_ENTRY) + delta : value);
                case 2 -> p.u64(E_PHOFF, relative ? p.u64At(E_PHOFF) + delta : value);
                case 3 -> p.u16(E_PHNUM, (int) (relative ? p.phnum() + delta % 4 : value));
                default -> {
                    int field = PH_FIELDS[kind % PH_FIELDS.length];
                    // the table as the file now says; an earlier mutation may have moved it out
                    long phoff = p.u64At(E_PHOFF);
                    int count = Math.min(p.phnum(), 64);
                    if (count == 0 || phoff < 0 || phoff > p.bytes.length) return;
                    long at = phoff + (long) Math.floorMod(position, count) * 56;
                    if (at + 56 > p.bytes.length) return;
                    if (field == P_TYPE || field == P_FLAGS) {
                        p.u32((int) at + field, (int) value);
                    } else {
                        p.u64((int) at + field, relative ? p.u64At((int) at + field) + delta : value);
                    }
                }
            }
        }
    }

    static final long[] SPECIAL_VALUES = {0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1,
        Long.MAX_VALUE - 1, 1L << 47, (1L << 47) - 1, (1L << 47) - 0x1000, -0x1000L, 0x400000L, 0x401000L, 0x7fffffffL,
        0xffffffffL, 1L << 32, 8L << 20, (8L << 20) - 1, 0x1000L, 56L, 64L, 65L,
        (long) PT_LOAD, (long) PT_TLS, (long) PT_INTERP};
    static final int MAX_KIND = 3 + Mutation.PH_FIELDS.length;

    /** Any long, one of -8192..2^24, or one of SPECIAL_VALUES, as likely. */
    static long value(Generators g) {
        return g.oneOf(v -> v.longs(), v -> v.longs(-8192, 1 << 24), v -> v.ofLongs(SPECIAL_VALUES));
    }

    static Mutation mutation(Generators g) {
        return new Mutation(g.ints(0, MAX_KIND), g.ints(0, Integer.MAX_VALUE), value(g), g.booleans());
    }

    static List<Mutation> mutations(Generators g) {
        return g.lists(1, 4, ElfLoaderPropertyTest::mutation);
    }

    /** The edge cases of {@link #value}: those of any long, of -8192..2^24, and SPECIAL_VALUES' ends. */
    static final List<Long> VALUE_EDGE_CASES;
    static {
        LinkedHashSet<Long> values = new LinkedHashSet<>(Generators.LONG_EDGE_CASES);
        values.addAll(Generators.edgeCases(-8192, 1 << 24));
        values.add(SPECIAL_VALUES[0]);
        values.add(SPECIAL_VALUES[SPECIAL_VALUES.length - 1]);
        VALUE_EDGE_CASES = List.copyOf(values);
    }

    /**
     * Edge cases: one mutation of every kind, absolute and relative, with every edge-case value;
     * the position goes round its own edge cases (0..Integer.MAX_VALUE).
     */
    static List<List<Mutation>> mutationEdgeCases() {
        List<Long> positions = Generators.edgeCases(0, Integer.MAX_VALUE);
        List<List<Mutation>> out = new ArrayList<>();
        for (int kind = 0; kind <= MAX_KIND; kind++) {
            for (long value : VALUE_EDGE_CASES) {
                for (boolean relative : new boolean[] {false, true}) {
                    int position = (int) (long) positions.get(out.size() % positions.size());
                    out.add(List.of(new Mutation(kind, position, value, relative)));
                }
            }
        }
        return out;
    }

    /** A real executable with {@code mutations} applied, cut to at most {@code length} bytes. */
    private static byte[] mutated(List<Mutation> mutations, int length) {
        ElfPatch p = new ElfPatch(TestExecutables.tiny());
        int headerBytes = p.phoff() + p.phnum() * 56;
        for (Mutation m : mutations) m.apply(p, headerBytes);
        return Arrays.copyOf(p.bytes, Math.min(length, p.bytes.length));
    }

    @Test
    void mutatedExecutable() {
        PropertyRunner.property("mutatedExecutable", 3000, 0xE1F0_0003L)
                .forAll(mutationEdgeCases(), ElfLoaderPropertyTest::mutations,
                        mutations -> parseAndLoad(mutated(mutations, Integer.MAX_VALUE)));
    }

    /** Mutated and then cut short: truncation and bad fields together. */
    record Truncated(List<Mutation> mutations, int length) {}

    /** Lengths 0..16384. */
    static int length(Generators g) {
        return g.ints(0, 16384);
    }

    /**
     * Edge cases: one mutation of every kind, absolute and relative, at each edge-case length;
     * value and position go round their edge cases.
     */
    static List<Truncated> truncatedEdgeCases() {
        List<Long> positions = Generators.edgeCases(0, Integer.MAX_VALUE);
        List<Truncated> out = new ArrayList<>();
        for (int kind = 0; kind <= MAX_KIND; kind++) {
            for (long length : Generators.edgeCases(0, 16384)) {
                for (boolean relative : new boolean[] {false, true}) {
                    int n = out.size();
                    Mutation m = new Mutation(kind, (int) (long) positions.get(n % positions.size()),
                            VALUE_EDGE_CASES.get(n % VALUE_EDGE_CASES.size()), relative);
                    out.add(new Truncated(List.of(m), (int) length));
                }
            }
        }
        return out;
    }

    @Test
    void mutatedAndTruncatedExecutable() {
        PropertyRunner.property("mutatedAndTruncatedExecutable", 1000, 0xE1F0_0004L)
                .forAll(truncatedEdgeCases(), g -> new Truncated(mutations(g), length(g)),
                        t -> parseAndLoad(mutated(t.mutations(), t.length())));
    }
}
