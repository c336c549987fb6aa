package io.torovj.loader;

import static io.torovj.loader.ElfPatch.*;

import io.torovj.memory.GuestMemory;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Hostile files: parse either succeeds or throws ElfLoadException, and an image that parses
 * either loads into 8 MiB of guest memory or throws ElfLoadException. Any other throwable
 * fails the property.
 */
class ElfLoaderPropertyTest {
    private static GuestMemory memory;

    private static synchronized GuestMemory memory() {
        if (memory == null) memory = GuestMemory.allocate(8 << 20);
        return memory;
    }

    @AfterContainer
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

    @Property(tries = 2000)
    void randomBytes(@ForAll @Size(max = 600) byte[] file) {
        parseAndLoad(file);
    }

    /** Random bytes behind a valid e_ident, so the header checks past the magic get exercised. */
    @Property(tries = 2000)
    void randomBytesAfterValidIdent(@ForAll @Size(max = 1200) byte[] tail) {
        byte[] file = Arrays.copyOf(TestExecutables.tiny(), 16 + tail.length);
        System.arraycopy(tail, 0, file, 16, tail.length);
        parseAndLoad(file);
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

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Long> values = Arbitraries.oneOf(
                Arbitraries.longs(),
                Arbitraries.longs().between(-8192, 1 << 24),
                Arbitraries.of(0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1,
                        1L << 47, (1L << 47) - 1, (1L << 47) - 0x1000, -0x1000L, 0x400000L, 0x401000L, 0x7fffffffL,
                        0xffffffffL, 1L << 32, 8L << 20, (8L << 20) - 1, 0x1000L, 56L, 64L, 65L,
                        (long) PT_LOAD, (long) PT_TLS, (long) PT_INTERP));
        Arbitrary<Mutation> one = Combinators.combine(
                Arbitraries.integers().between(0, 3 + Mutation.PH_FIELDS.length),
                Arbitraries.integers().between(0, Integer.MAX_VALUE),
                values,
                Arbitraries.of(true, false)).as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(4);
    }

    @Property(tries = 3000)
    void mutatedExecutable(@ForAll("mutations") List<Mutation> mutations) {
        byte[] original = TestExecutables.tiny();
        ElfPatch p = new ElfPatch(original);
        int headerBytes = p.phoff() + p.phnum() * 56;
        for (Mutation m : mutations) m.apply(p, headerBytes);
        parseAndLoad(p.bytes);
    }

    /** Mutated and then cut short: truncation and bad fields together. */
    @Property(tries = 1000)
    void mutatedAndTruncatedExecutable(@ForAll("mutations") List<Mutation> mutations,
                                       @ForAll("lengths") int length) {
        ElfPatch p = new ElfPatch(TestExecutables.tiny());
        int headerBytes = p.phoff() + p.phnum() * 56;
        for (Mutation m : mutations) m.apply(p, headerBytes);
        parseAndLoad(Arrays.copyOf(p.bytes, Math.min(length, p.bytes.length)));
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.integers().between(0, 16384);
    }
}
