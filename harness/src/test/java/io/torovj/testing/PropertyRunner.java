package io.torovj.testing;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Checks a property a fixed number of times: first on its edge cases, in order, then on values
 * drawn by a generator. Each try draws from its own random, seeded from the property's seed and
 * the try's index, so a run is the same every time and one seed replays it whole.
 *
 * <p>The seed is the test's own fixed default unless the system property
 * {@value #SEED_PROPERTY} gives one (decimal, or hexadecimal with {@code 0x}). A failing try
 * fails the test with an {@link AssertionError} that names the property, the try's index, the
 * seed and the input, with the try's own throwable as its cause. Nothing is printed.
 *
 * <pre>{@code
 * PropertyRunner.property("parsesOrRefuses", 1000, 0x5eedL)
 *         .forAll(List.of(""), g -> g.strings(255), text -> parse(text));
 * }</pre>
 */
public final class PropertyRunner {
    /** The system property that overrides every property's default seed. */
    public static final String SEED_PROPERTY = "torovj.test.seed";
    private static final int MAX_DESCRIPTION = 4000;

    private final String name;
    private final int tries;
    private final long seed;

    /** A check of one input; any throwable it throws fails the property. */
    @FunctionalInterface
    public interface Check<T> {
        void accept(T input) throws Exception;
    }

    private PropertyRunner(String name, int tries, long seed) {
        if (tries <= 0) throw new IllegalArgumentException("tries " + tries);
        this.name = name;
        this.tries = tries;
        this.seed = seed;
    }

    /**
     * A property checked {@code tries} times, with {@code defaultSeed} unless
     * {@value #SEED_PROPERTY} is set.
     */
    public static PropertyRunner property(String name, int tries, long defaultSeed) {
        return new PropertyRunner(name, tries, seed(defaultSeed, System.getProperty(SEED_PROPERTY)));
    }

    /** The seed to use: {@code override} when given, else {@code defaultSeed}. */
    static long seed(long defaultSeed, String override) {
        if (override == null || override.isBlank()) return defaultSeed;
        try {
            return Long.decode(override.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + SEED_PROPERTY + "=" + override + " is not a long", e);
        }
    }

    public String name() {
        return name;
    }

    public int tries() {
        return tries;
    }

    public long seed() {
        return seed;
    }

    /** Checks {@code check} on generated inputs only. */
    public <T> void forAll(Function<Generators, ? extends T> generator, Check<? super T> check) {
        forAll(List.of(), generator, PropertyRunner::describe, check);
    }

    /** Checks {@code check} on the edge cases first, then on generated inputs, {@link #tries} in all. */
    public <T> void forAll(List<? extends T> edgeCases, Function<Generators, ? extends T> generator,
                           Check<? super T> check) {
        forAll(edgeCases, generator, PropertyRunner::describe, check);
    }

    /** As {@link #forAll(List, Function, Check)}, describing a failing input with {@code describer}. */
    public <T> void forAll(List<? extends T> edgeCases, Function<Generators, ? extends T> generator,
                           Function<? super T, String> describer, Check<? super T> check) {
        if (edgeCases.size() > tries) {
            throw new IllegalArgumentException(name + ": " + edgeCases.size() + " edge cases but only " + tries + " tries");
        }
        for (int i = 0; i < tries; i++) {
            boolean edge = i < edgeCases.size();
            T input = null;
            try {
                input = edge ? edgeCases.get(i) : generator.apply(generators(i));
                check.accept(input);
            } catch (OutOfMemoryError e) {
                throw e;
            } catch (Throwable failure) {
                throw new AssertionError(failureMessage(i, edge, input, describer, failure), failure);
            }
        }
    }

    /** The generators of try {@code index}: the same for the same seed and index. */
    public Generators generators(int index) {
        return new Generators(new SplittableRandom(trySeed(seed, index)), tries);
    }

    private <T> String failureMessage(int index, boolean edge, T input, Function<? super T, String> describer,
                                      Throwable failure) {
        String described;
        try {
            described = input == null ? "(not generated: the generator failed)" : describer.apply(input);
        } catch (RuntimeException e) {
            described = "(cannot describe: " + e + ")";
        }
        if (described.length() > MAX_DESCRIPTION) {
            described = described.substring(0, MAX_DESCRIPTION) + "... (" + described.length() + " chars)";
        }
        return String.format("property %s failed on try %d of %d (%s), seed %d; replay with -D%s=%d%n"
                        + "  input: %s%n  failure: %s",
                name, index, tries, edge ? "edge case" : "generated", seed, SEED_PROPERTY, seed, described, failure);
    }

    /** Mixes the seed and the index (the MurmurHash3 finalizer), so that neighbouring tries differ. */
    static long trySeed(long seed, int index) {
        long z = seed ^ (0x9E3779B97F4A7C15L * (index + 1L));
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    /**
     * Arrays, collections and records element by element, strings quoted with invisible
     * characters escaped.
     */
    public static String describe(Object value) {
        StringBuilder out = new StringBuilder();
        describe(value, out);
        return out.toString();
    }

    private static void describe(Object value, StringBuilder out) {
        if (out.length() > MAX_DESCRIPTION) return;
        if (value == null) {
            out.append("null");
        } else if (value instanceof CharSequence s) {
            quote(s, out);
        } else if (value.getClass().isArray()) {
            int n = Array.getLength(value);
            out.append('[');
            for (int i = 0; i < n && out.length() <= MAX_DESCRIPTION; i++) {
                if (i > 0) out.append(", ");
                describe(Array.get(value, i), out);
            }
            out.append(']');
        } else if (value instanceof Record record) {
            describeRecord(record, out);
        } else if (value instanceof Collection<?> c) {
            out.append('[');
            boolean first = true;
            for (Object o : c) {
                if (out.length() > MAX_DESCRIPTION) break;
                if (!first) out.append(", ");
                first = false;
                describe(o, out);
            }
            out.append(']');
        } else {
            out.append(value);
        }
    }

    /** As a record's own toString, but with its components described as above. */
    private static void describeRecord(Record record, StringBuilder out) {
        RecordComponent[] components = record.getClass().getRecordComponents();
        StringBuilder described = new StringBuilder(record.getClass().getSimpleName()).append('[');
        try {
            for (int i = 0; i < components.length; i++) {
                if (i > 0) described.append(", ");
                Method accessor = components[i].getAccessor();
                accessor.setAccessible(true);
                described.append(components[i].getName()).append('=');
                describe(accessor.invoke(record), described);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            out.append(record);
            return;
        }
        out.append(described).append(']');
    }

    private static void quote(CharSequence s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7F) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        out.append('"');
    }
}
