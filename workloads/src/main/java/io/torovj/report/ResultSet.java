package io.torovj.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import static io.torovj.report.ResultsSchema.*;

/**
 * One results folder, read and checked against {@link ResultsSchema}. metrics.csv must exist and be valid (any
 * fault is a {@link ResultsException} naming the file and line); a missing or incomplete environment.json, a missing
 * jmh.json or an unreadable HdrHistogram log is a {@linkplain #warnings() warning} that the report shows.
 */
public final class ResultSet {
    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .setTrim(true)
            .get();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final String runId;
    private final List<MetricRow> rows;
    private final Map<MetricRow.Key, MetricRow> byKey;
    private final ObjectNode environment;
    private final Map<Pair, Path> hdrLogs;
    private final List<String> warnings;
    private final List<String> transports;
    private final List<String> workloads;

    private ResultSet(Path dir, List<MetricRow> rows, ObjectNode environment, Map<Pair, Path> hdrLogs,
                      List<String> warnings) {
        this.dir = dir;
        this.runId = dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
        this.rows = List.copyOf(rows);
        Map<MetricRow.Key, MetricRow> m = new HashMap<>();
        for (MetricRow r : rows) {
            m.put(r.key(), r);
        }
        this.byKey = Collections.unmodifiableMap(m);
        this.environment = environment;
        this.hdrLogs = Collections.unmodifiableMap(hdrLogs);
        this.warnings = List.copyOf(warnings);
        this.transports = orderTransports(rows);
        this.workloads = orderWorkloads(rows);
    }

    /** A workload × transport pair. */
    public record Pair(String workload, String transport) {
    }

    /**
     * Reads {@code dir} (a {@code results/<run-id>/} folder).
     *
     * @throws ResultsException if the folder or its metrics.csv is missing, or metrics.csv or environment.json is
     *                          malformed
     */
    public static ResultSet read(Path dir) throws ResultsException {
        if (!Files.isDirectory(dir)) {
            throw new ResultsException(dir, Files.exists(dir) ? "not a folder" : "no such results folder");
        }
        Path csv = metricsCsv(dir);
        if (!Files.isRegularFile(csv)) {
            throw new ResultsException(dir, "not a results folder: no " + METRICS_CSV);
        }
        List<String> warnings = new ArrayList<>();
        List<MetricRow> rows = readMetrics(csv);
        if (rows.isEmpty()) {
            warnings.add(METRICS_CSV + " has a header but no rows: nothing was measured");
        }
        ObjectNode env = readEnvironment(environmentJson(dir), warnings);
        Map<Pair, Path> hdr = listHdrLogs(dir, rows, warnings);
        if (!Files.isRegularFile(ResultsSchema.jmhJson(dir))) {
            warnings.add("no " + JMH_JSON + " in the results folder");
        }
        return new ResultSet(dir, rows, env, hdr, warnings);
    }

    /** Reads and checks a metrics.csv file. */
    public static List<MetricRow> readMetrics(Path csv) throws ResultsException {
        String text;
        try {
            text = Files.readString(csv, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            throw new ResultsException(csv, 0, "cannot read: " + rootMessage(e), e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1); // a byte order mark
        }
        Lines lines = new Lines(text);
        List<MetricRow> rows = new ArrayList<>();
        Map<MetricRow.Key, Long> firstLine = new HashMap<>();
        try (CSVParser parser = CSVParser.parse(text, FORMAT)) {
            List<String> header = parser.getHeaderNames();
            if (!header.equals(COLUMNS)) {
                throw new ResultsException(csv, 1, "wrong header: expected '" + String.join(",", COLUMNS)
                        + "' but found '" + String.join(",", header) + "'");
            }
            Iterator<CSVRecord> it = parser.iterator();
            while (true) {
                CSVRecord rec;
                long before = parser.getCurrentLineNumber();
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    rec = it.next();
                } catch (UncheckedIOException | IllegalStateException e) {
                    throw new ResultsException(csv, before + 1, "malformed CSV: " + rootMessage(e), e);
                }
                long line = lines.recordLine(rec.getCharacterPosition());
                MetricRow row = parseRow(csv, line, rec);
                Long first = firstLine.putIfAbsent(row.key(), line);
                if (first != null) {
                    throw new ResultsException(csv, line, "duplicate row " + describe(row.key())
                            + " (first at line " + first + ")");
                }
                rows.add(row);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new ResultsException(csv, 0, "cannot read: " + rootMessage(e), e);
        } catch (IllegalArgumentException e) { // commons-csv: duplicate or empty header names
            throw new ResultsException(csv, 1, "wrong header: " + e.getMessage(), e);
        }
        return rows;
    }

    /** Line numbers of character positions in a text. */
    private static final class Lines {
        private final String text;
        private final int[] newlines;

        Lines(String text) {
            this.text = text;
            this.newlines = java.util.stream.IntStream.range(0, text.length())
                    .filter(i -> text.charAt(i) == '\n').toArray();
        }

        /** The 1-based line of the record starting at {@code pos} (commons-csv counts skipped blank lines in). */
        long recordLine(long pos) {
            int i = (int) Math.min(pos, text.length());
            while (i < text.length() && (text.charAt(i) == '\n' || text.charAt(i) == '\r')) {
                i++;
            }
            int k = java.util.Arrays.binarySearch(newlines, i);
            return 1 + (k >= 0 ? k : -k - 1);
        }
    }

    private static MetricRow parseRow(Path csv, long line, CSVRecord rec) throws ResultsException {
        if (rec.size() != COLUMNS.size()) {
            throw new ResultsException(csv, line, "expected " + COLUMNS.size() + " fields but found " + rec.size());
        }
        double value = parseDouble(csv, line, COL_VALUE, rec.get(COL_VALUE));
        String errorText = rec.get(COL_ERROR);
        Double error = errorText.isEmpty() ? null : parseDouble(csv, line, COL_ERROR, errorText);
        long samples;
        String samplesText = rec.get(COL_SAMPLES);
        try {
            samples = Long.parseLong(samplesText);
        } catch (NumberFormatException e) {
            throw new ResultsException(csv, line, COL_SAMPLES + " '" + samplesText + "' is not an integer");
        }
        try {
            return new MetricRow(rec.get(COL_WORKLOAD), rec.get(COL_TRANSPORT), rec.get(COL_METRIC),
                    rec.get(COL_STATISTIC), value, error, rec.get(COL_UNIT), samples);
        } catch (IllegalArgumentException e) {
            throw new ResultsException(csv, line, e.getMessage());
        }
    }

    private static double parseDouble(Path csv, long line, String column, String text) throws ResultsException {
        try {
            double d = Double.parseDouble(text);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new ResultsException(csv, line, column + " '" + text + "' is not a finite number");
        }
    }

    private static ObjectNode readEnvironment(Path file, List<String> warnings) throws ResultsException {
        if (!Files.isRegularFile(file)) {
            warnings.add("no " + ENVIRONMENT_JSON + ": the environment of this run is unknown");
            return JsonNodeFactory.instance.objectNode();
        }
        JsonNode node;
        try {
            node = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            throw new ResultsException(file, loc == null ? 0 : Math.max(0, loc.getLineNr()),
                    "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ResultsException(file, 0, "cannot read: " + rootMessage(e), e);
        }
        if (node == null || node.isMissingNode()) {
            throw new ResultsException(file, "empty file: expected a JSON object");
        }
        if (!(node instanceof ObjectNode obj)) {
            throw new ResultsException(file, 1, "expected a JSON object but found " + node.getNodeType());
        }
        List<String> missing = new ArrayList<>();
        for (String k : REQUIRED_ENVIRONMENT_KEYS) {
            if (!obj.hasNonNull(k)) {
                missing.add(k);
            }
        }
        if (!missing.isEmpty()) {
            warnings.add(ENVIRONMENT_JSON + " lacks " + String.join(", ", missing));
        }
        JsonNode notes = obj.get(ENV_NOTES);
        if (notes != null && !notes.isNull() && !notes.isArray()) {
            warnings.add(ENVIRONMENT_JSON + ": " + ENV_NOTES + " should be an array of strings");
        }
        JsonNode mode = obj.get(ENV_MODE);
        if (mode != null && mode.isTextual() && !MODES.contains(mode.asText())) {
            warnings.add(ENVIRONMENT_JSON + ": unknown mode '" + mode.asText() + "' (expected "
                    + String.join(", ", MODES) + ")");
        }
        return obj;
    }

    private static Map<Pair, Path> listHdrLogs(Path dir, List<MetricRow> rows, List<String> warnings)
            throws ResultsException {
        Path hdr = dir.resolve(HDR_DIR);
        Map<Pair, Path> logs = new LinkedHashMap<>();
        if (!Files.isDirectory(hdr)) {
            return logs;
        }
        Set<Pair> known = new LinkedHashSet<>();
        for (MetricRow r : rows) {
            known.add(new Pair(r.workload(), r.transport()));
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(hdr)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(HDR_SUFFIX)).sorted().toList();
        } catch (IOException e) {
            throw new ResultsException(hdr, 0, "cannot list: " + rootMessage(e), e);
        }
        for (Path f : files) {
            String base = f.getFileName().toString();
            base = base.substring(0, base.length() - HDR_SUFFIX.length());
            Pair pair = null;
            for (Pair p : known) { // names may contain '-': match against the pairs of metrics.csv first
                if (base.equals(p.workload() + "-" + p.transport())) {
                    pair = p;
                    break;
                }
            }
            if (pair == null) {
                int dash = base.lastIndexOf('-');
                if (dash <= 0 || dash == base.length() - 1) {
                    warnings.add(HDR_DIR + "/" + f.getFileName() + ": name is not <workload>-<transport>"
                            + HDR_SUFFIX + ": ignored");
                    continue;
                }
                pair = new Pair(base.substring(0, dash), base.substring(dash + 1));
            }
            logs.put(pair, f);
        }
        return logs;
    }

    private static List<String> orderTransports(List<MetricRow> rows) {
        LinkedHashSet<String> t = new LinkedHashSet<>();
        boolean hasNative = false;
        for (MetricRow r : rows) {
            if (NATIVE.equals(r.transport())) {
                hasNative = true;
            } else {
                t.add(r.transport());
            }
        }
        List<String> out = new ArrayList<>();
        if (hasNative) {
            out.add(NATIVE);
        }
        out.addAll(t);
        return List.copyOf(out);
    }

    private static List<String> orderWorkloads(List<MetricRow> rows) {
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (MetricRow r : rows) {
            seen.add(r.workload());
        }
        List<String> out = new ArrayList<>(seen);
        Map<String, Integer> firstSeen = new HashMap<>();
        for (String w : out) {
            firstSeen.put(w, firstSeen.size());
        }
        out.sort(Comparator.comparingInt((String w) -> isFloor(w) ? 1 : 0)
                .thenComparingInt(w -> KNOWN_WORKLOADS.contains(w) ? KNOWN_WORKLOADS.indexOf(w) : 100)
                .thenComparingInt(firstSeen::get));
        return List.copyOf(out);
    }

    static String describe(MetricRow.Key k) {
        return k.workload() + "/" + k.transport() + "/" + k.metric() + "/" + k.statistic();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    // ---- accessors ----

    /** The results folder. */
    public Path dir() {
        return dir;
    }

    /** The run id: the folder's name. */
    public String runId() {
        return runId;
    }

    /** Every row, in file order. */
    public List<MetricRow> rows() {
        return rows;
    }

    /** environment.json (an empty object when the file is missing). */
    public ObjectNode environment() {
        return environment;
    }

    /** A top-level environment value as text, if present and not null. */
    public Optional<String> env(String key) {
        JsonNode n = environment.get(key);
        if (n == null || n.isNull() || n.isMissingNode()) {
            return Optional.empty();
        }
        return Optional.of(n.isValueNode() ? n.asText() : n.toString());
    }

    /** The notes of environment.json (strings), in order. */
    public List<String> notes() {
        JsonNode n = environment.get(ENV_NOTES);
        List<String> out = new ArrayList<>();
        if (n != null && n.isArray()) {
            n.forEach(e -> out.add(e.isValueNode() ? e.asText() : e.toString()));
        } else if (n != null && n.isTextual()) {
            out.add(n.asText());
        }
        return out;
    }

    /** HdrHistogram logs by workload × transport. */
    public Map<Pair, Path> hdrLogs() {
        return hdrLogs;
    }

    /** What is missing or odd about the folder (not fatal). */
    public List<String> warnings() {
        return warnings;
    }

    /** Transports present, {@link ResultsSchema#NATIVE} first, then in order of first appearance. */
    public List<String> transports() {
        return transports;
    }

    /** Workloads present: known ones in {@link ResultsSchema#KNOWN_WORKLOADS} order, then others, floors last. */
    public List<String> workloads() {
        return workloads;
    }

    /** The row with this key, if present. */
    public Optional<MetricRow> find(String workload, String transport, String metric, String statistic) {
        return Optional.ofNullable(byKey.get(new MetricRow.Key(workload, transport, metric, statistic)));
    }

    /** Whether any row has this workload and metric. */
    public boolean has(String workload, String metric) {
        return rows.stream().anyMatch(r -> r.workload().equals(workload) && r.metric().equals(metric));
    }

    /** Whether any row has this metric. */
    public boolean hasMetric(String metric) {
        return rows.stream().anyMatch(r -> r.metric().equals(metric));
    }

    /** Whether any row has this workload × transport. */
    public boolean has(Pair pair) {
        return rows.stream().anyMatch(r -> r.workload().equals(pair.workload())
                && r.transport().equals(pair.transport()));
    }

    /** jmh.json, if present. */
    public Optional<Path> jmhJson() {
        Path p = ResultsSchema.jmhJson(dir);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /** environment.json, if present. */
    public Optional<Path> environmentFile() {
        Path p = environmentJson(dir);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    @Override
    public String toString() {
        return "ResultSet[" + dir + ", " + rows.size() + " rows]";
    }
}
