package io.torovj.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one {@code wrk --latency} run printed: requests per second, the request count, and the
 * latency distribution (wrk's 50/75/90/99% and its maximum), read from wrk 4's text output.
 *
 * @param requestsPerSecond wrk's "Requests/sec"
 * @param requests          requests completed in the run
 * @param percentilesMicros latency in µs by percentile (50, 75, 90, 99) and 100 for the maximum
 */
record WrkRun(double requestsPerSecond, long requests, Map<Integer, Double> percentilesMicros) {
    private static final Pattern RATE = Pattern.compile("(?m)^Requests/sec:\\s+([0-9.]+)");
    private static final Pattern COUNT = Pattern.compile("(?m)^\\s*([0-9]+) requests in ");
    private static final Pattern PERCENTILE = Pattern.compile("(?m)^\\s+(50|75|90|99)%\\s+([0-9.]+)(us|ms|s)\\s*$");
    private static final Pattern MAX = Pattern.compile("(?m)^\\s+Latency\\s+\\S+\\s+\\S+\\s+([0-9.]+)(us|ms|s)\\s");
    private static final Pattern ERRORS = Pattern.compile("(?m)^\\s+(Socket errors|Non-2xx or 3xx responses):.*$");

    /** Parses wrk's output; empty if it lacks the rate, the count or a percentile (e.g. wrk could not connect). */
    static Optional<WrkRun> parse(String out) {
        Matcher rate = RATE.matcher(out), count = COUNT.matcher(out), max = MAX.matcher(out);
        if (!rate.find() || !count.find() || !max.find()) return Optional.empty();
        Map<Integer, Double> p = new LinkedHashMap<>();
        Matcher m = PERCENTILE.matcher(out);
        while (m.find()) p.put(Integer.parseInt(m.group(1)), micros(m.group(2), m.group(3)));
        if (p.size() != 4) return Optional.empty();
        p.put(100, micros(max.group(1), max.group(2)));
        return Optional.of(new WrkRun(Double.parseDouble(rate.group(1)), Long.parseLong(count.group(1)), Map.copyOf(p)));
    }

    /** wrk's lines on socket errors and non-2xx answers, if any (a healthy run has none). */
    static Optional<String> problems(String out) {
        Matcher m = ERRORS.matcher(out);
        StringBuilder sb = new StringBuilder();
        while (m.find()) sb.append(sb.length() == 0 ? "" : "; ").append(m.group().strip());
        return sb.length() == 0 ? Optional.empty() : Optional.of(sb.toString());
    }

    private static double micros(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "us" -> v;
            case "ms" -> v * 1e3;
            default -> v * 1e6;
        };
    }
}
