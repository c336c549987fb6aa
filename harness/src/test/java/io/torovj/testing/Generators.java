package io.torovj.testing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Random values for one try of a property, drawn from one seeded {@link SplittableRandom}.
 *
 * <p>The distributions follow the property-testing conventions the tests were first written
 * against: numbers are biased towards the value of their range nearest to zero (any magnitude
 * is as likely as any other, so small and huge values both come up), the range's edge cases
 * (see {@link #edgeCases(long, long)}) are mixed in now and then, and sizes of strings, arrays
 * and lists are mostly small, sometimes large and sometimes exactly the maximum.
 */
public final class Generators {
    /** The edge cases of any long: around zero, and both ends. */
    public static final List<Long> LONG_EDGE_CASES = edgeCases(Long.MIN_VALUE, Long.MAX_VALUE);
    /** The edge cases of any byte. */
    public static final List<Byte> BYTE_EDGE_CASES =
            edgeCases(Byte.MIN_VALUE, Byte.MAX_VALUE).stream().map(Long::byteValue).toList();
    /** The edge cases of a string of any characters: empty, NUL, space. */
    public static final List<String> STRING_EDGE_CASES = List.of("", "\0", " ");

    private final SplittableRandom random;
    private final int genSize;

    /**
     * @param genSize how many tries the property makes: sizes and the rate of mixed-in edge
     *     cases scale with it
     */
    public Generators(SplittableRandom random, int genSize) {
        this.random = random;
        this.genSize = Math.max(genSize, 1);
    }

    /**
     * The edge cases of {@code [min, max]}: both ends, one step inside each end, and -2..2 where
     * the range holds them, without repeats.
     */
    public static List<Long> edgeCases(long min, long max) {
        if (min > max) throw new IllegalArgumentException("empty range " + min + ".." + max);
        LinkedHashSet<Long> out = new LinkedHashSet<>();
        for (long v = -2; v <= 2; v++) if (v >= min && v <= max) out.add(v);
        out.add(min);
        if (min < max) out.add(min + 1);
        out.add(max);
        if (min < max) out.add(max - 1);
        return List.copyOf(out);
    }

    /** Any long. */
    public long longs() {
        return longs(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** A long in {@code [min, max]} (inclusive), its edge cases mixed in. */
    public long longs(long min, long max) {
        List<Long> edges = edgeCases(min, max);
        if (mixInEdgeCase(edges.size())) return edges.get(random.nextInt(edges.size()));
        return biased(min, max);
    }

    /** An int in {@code [min, max]} (inclusive), its edge cases mixed in. */
    public int ints(int min, int max) {
        return (int) longs(min, max);
    }

    /** Any byte. */
    public byte bytes() {
        return (byte) longs(Byte.MIN_VALUE, Byte.MAX_VALUE);
    }

    public boolean booleans() {
        return random.nextBoolean();
    }

    /** One of {@code values}, each as likely as the others. */
    @SafeVarargs
    public final <T> T of(T... values) {
        return values[random.nextInt(values.length)];
    }

    /** One of {@code values}, each as likely as the others. */
    public <T> T of(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** One of {@code values}, each as likely as the others. */
    public long ofLongs(long... values) {
        return values[random.nextInt(values.length)];
    }

    /** The value of one of the generators, each as likely as the others. */
    @SafeVarargs
    public final <T> T oneOf(Function<Generators, ? extends T>... generators) {
        return generators[random.nextInt(generators.length)].apply(this);
    }

    /** A weighted choice for {@link #frequency}. */
    public record Weighted<T>(int weight, Function<Generators, ? extends T> generator) {
        public Weighted {
            if (weight <= 0) throw new IllegalArgumentException("weight " + weight);
        }
    }

    public static <T> Weighted<T> weighted(int weight, Function<Generators, ? extends T> generator) {
        return new Weighted<>(weight, generator);
    }

    /** The value of one of the generators, chosen in proportion to its weight. */
    @SafeVarargs
    public final <T> T frequency(Weighted<? extends T>... choices) {
        int total = 0;
        for (Weighted<? extends T> c : choices) total += c.weight();
        int pick = random.nextInt(total);
        for (Weighted<? extends T> c : choices) {
            if (pick < c.weight()) return c.generator().apply(this);
            pick -= c.weight();
        }
        throw new AssertionError("unreachable");
    }

    /**
     * A size in {@code [min, max]}: uniform up to a cutoff of about sqrt(genSize) above
     * {@code min} nine times in ten, above the cutoff otherwise, now and then exactly
     * {@code max}.
     */
    public int size(int min, int max) {
        if (min > max) throw new IllegalArgumentException("empty size range " + min + ".." + max);
        int cutoff = min + (int) Math.max(Math.round(Math.sqrt(genSize)), 10);
        if (cutoff >= max || cutoff < min) return min + random.nextInt(max - min + 1);
        double atMax = Math.min(0.02, 10.0 / genSize);
        if (random.nextDouble() < atMax) return max;
        if (random.nextDouble() < 0.1) return cutoff + 1 + random.nextInt(max - cutoff);
        return min + random.nextInt(cutoff - min + 1);
    }

    /** Bytes, {@code 0..maxSize} of them; the array's own edge cases are empty and one byte. */
    public byte[] byteArrays(int maxSize) {
        byte[] out = new byte[size(0, maxSize)];
        for (int i = 0; i < out.length; i++) out[i] = bytes();
        return out;
    }

    /** The edge cases of a byte array: empty, and each single edge-case byte. */
    public static List<byte[]> byteArrayEdgeCases() {
        List<byte[]> out = new ArrayList<>();
        out.add(new byte[0]);
        for (byte b : BYTE_EDGE_CASES) out.add(new byte[] {b});
        return out;
    }

    /**
     * A string of {@code 0..maxLength} characters from the whole Basic Multilingual Plane
     * except surrogates, private-use characters and noncharacters; {@link #STRING_EDGE_CASES}
     * are mixed in.
     */
    public String strings(int maxLength) {
        if (mixInEdgeCase(STRING_EDGE_CASES.size())) {
            String edge = of(STRING_EDGE_CASES);
            if (edge.length() <= maxLength) return edge;
        }
        char[] out = new char[size(0, maxLength)];
        for (int i = 0; i < out.length; i++) out[i] = anyChar();
        return new String(out);
    }

    /**
     * A string of {@code 0..maxLength} characters of {@code chars}; the empty string and the
     * first and last of {@code chars} alone are mixed in.
     */
    public String strings(String chars, int maxLength) {
        List<String> edges = stringEdgeCases(chars);
        if (mixInEdgeCase(edges.size())) {
            String edge = of(edges);
            if (edge.length() <= maxLength) return edge;
        }
        char[] out = new char[size(0, maxLength)];
        for (int i = 0; i < out.length; i++) out[i] = chars.charAt(random.nextInt(chars.length()));
        return new String(out);
    }

    /** The edge cases of strings of {@code chars}: empty, the first and the last char alone. */
    public static List<String> stringEdgeCases(String chars) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        out.add("");
        out.add(chars.substring(0, 1));
        out.add(chars.substring(chars.length() - 1));
        return List.copyOf(out);
    }

    /** A list of {@code minSize..maxSize} elements from {@code element}. */
    public <T> List<T> lists(int minSize, int maxSize, Function<Generators, ? extends T> element) {
        int n = size(minSize, maxSize);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(element.apply(this));
        return out;
    }

    /** The underlying random, for anything the methods above do not cover. */
    public SplittableRandom random() {
        return random;
    }

    private char anyChar() {
        while (true) {
            char c = (char) random.nextInt(0x10000);
            boolean surrogate = Character.isSurrogate(c);
            boolean privateUse = c >= 0xE000 && c <= 0xF8FF;
            boolean nonCharacter = (c >= 0xFDD0 && c <= 0xFDEF) || c >= 0xFFFE;
            if (!surrogate && !privateUse && !nonCharacter) return c;
        }
    }

    /** About one value in twelve for nine edge cases, fewer for fewer edge cases or few tries. */
    private boolean mixInEdgeCase(int edgeCases) {
        int oneIn = Math.min(Math.max(genSize / 5, 1), Math.max(100 / edgeCases, 1)) + 1;
        return random.nextInt(oneIn) == 0;
    }

    /**
     * A value of {@code [min, max]} whose distance from the range's value nearest to zero has
     * a uniformly chosen number of significant bits: the small distances are as common as the
     * large ones.
     */
    private long biased(long min, long max) {
        long target = min > 0 ? min : max < 0 ? max : 0;
        long up = max - target;      // unsigned distances: exact even for the full long range
        long down = target - min;
        boolean goUp;
        if (up == 0) {
            goUp = false;
        } else if (down == 0) {
            goUp = true;
        } else {
            goUp = random.nextBoolean();
        }
        long span = goUp ? up : down;
        if (span == 0) return target;
        int bits = 64 - Long.numberOfLeadingZeros(span);
        int k = random.nextInt(bits + 1);
        long bound = k == 64 ? -1L : (1L << k) - 1;           // all values of k bits
        if (Long.compareUnsigned(bound, span) > 0) bound = span;
        long distance = unsignedUpTo(bound);
        return goUp ? target + distance : target - distance;
    }

    /** Uniform in {@code [0, bound]}, {@code bound} read as unsigned. */
    private long unsignedUpTo(long bound) {
        if (bound == -1L) return random.nextLong();
        if (bound >= 0 && bound < Long.MAX_VALUE) return random.nextLong(bound + 1);
        while (true) {
            long r = random.nextLong();
            if (Long.compareUnsigned(r, bound) <= 0) return r;
        }
    }
}
