package io.torovj.report;

import java.util.Locale;

/** Number formatting for the report: three significant digits, a unit chosen per value. */
final class DisplayFormat {
    private DisplayFormat() {
    }

    /** A display unit: name and size in base units (ns or bytes). */
    record Unit(String label, double factor) {
        double of(double base) {
            return base / factor;
        }
    }

    static final Unit NS = new Unit("ns", 1);
    static final Unit US = new Unit("µs", 1e3);
    static final Unit MS = new Unit("ms", 1e6);
    static final Unit S = new Unit("s", 1e9);
    static final Unit B = new Unit("B", 1);
    static final Unit KIB = new Unit("KiB", 1024);
    static final Unit MIB = new Unit("MiB", 1024.0 * 1024);
    static final Unit GIB = new Unit("GiB", 1024.0 * 1024 * 1024);

    /** The unit that shows {@code base} (ns) with 1 to 3 integer digits. */
    static Unit timeUnit(double ns) {
        double a = Math.abs(ns);
        if (a < 1e3) {
            return NS;
        } else if (a < 1e6) {
            return US;
        } else if (a < 1e9) {
            return MS;
        }
        return S;
    }

    /** The unit that shows {@code bytes} readably. */
    static Unit byteUnit(double bytes) {
        double a = Math.abs(bytes);
        if (a < 1024) {
            return B;
        } else if (a < 1024.0 * 1024) {
            return KIB;
        } else if (a < 1024.0 * 1024 * 1024) {
            return MIB;
        }
        return GIB;
    }

    /** Unit for a value in base units of a metric kind. */
    static Unit unitFor(boolean time, double base) {
        return time ? timeUnit(base) : byteUnit(base);
    }

    /** Three significant digits ({@code 1.23}, {@code 12.3}, {@code 123}, {@code 1234}). */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a == 0) {
            return "0";
        } else if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        } else if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        } else if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        } else if (a >= 0.01) {
            return String.format(Locale.ROOT, "%.3f", v);
        }
        return String.format(Locale.ROOT, "%.2g", v);
    }

    /** A value in base units with its unit: {@code 1.23 µs}. */
    static String quantity(boolean time, double base) {
        Unit u = unitFor(time, base);
        return num(u.of(base)) + " " + u.label();
    }

    /** Value ± error in the value's unit: {@code 1.23 ± 0.05 µs}. */
    static String quantity(boolean time, double base, double baseError) {
        Unit u = unitFor(time, base);
        return num(u.of(base)) + " ± " + num(u.of(baseError)) + " " + u.label();
    }

    /** A ratio: {@code 12.3×}. */
    static String ratio(double r) {
        return num(r) + "×";
    }

    /** An integer with thousands separators. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A percentile label: {@code 50}, {@code 99.9}, {@code 99.99}. */
    static String percentile(double p) {
        String s = String.format(Locale.ROOT, "%.6f", p);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
