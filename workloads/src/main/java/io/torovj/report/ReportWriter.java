package io.torovj.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes HTML reports from results folders.
 *
 * <ul>
 *   <li>{@link #write(ResultSet)}: {@code <reports>/<run-id>/index.html}, {@code charts/*.png} and
 *       {@code charts/*.svg}; then {@code <reports>/latest/} becomes a copy of it (a copy, not a link, so that it
 *       opens anywhere) unless latest/ already shows a newer run.</li>
 *   <li>{@link #writeComparison(List)}: {@code <reports>/compare-<id1>_vs_<id2>/index.html}, runs side by side.</li>
 * </ul>
 * Links to the raw files are relative ({@code ../../results/<run-id>/metrics.csv} when reports/ is beside results/).
 * The pages need no network: inline CSS, no script, local images. Run with {@code -Djava.awt.headless=true} on a
 * machine without a display (the command line sets it).
 */
public final class ReportWriter {
    private static final Pattern RUN_META = Pattern.compile("<meta name=\"torovj-run-id\" content=\"([^\"]*)\">");

    private final Path reportsRoot;

    /** Reports go under {@code reportsRoot} (usually {@code reports/} beside {@code results/}). */
    public ReportWriter(Path reportsRoot) {
        this.reportsRoot = reportsRoot.toAbsolutePath().normalize();
    }

    /** {@code reports/} beside the {@code results/} folder that holds {@code resultsDir}. */
    public static Path defaultReportsRoot(Path resultsDir) {
        Path abs = resultsDir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null) {
            return abs.resolveSibling(ResultsSchema.REPORTS_ROOT);
        }
        Path grand = parent.getParent();
        return grand == null ? parent.resolve(ResultsSchema.REPORTS_ROOT)
                : grand.resolve(ResultsSchema.REPORTS_ROOT);
    }

    /** The folder that holds the reports. */
    public Path reportsRoot() {
        return reportsRoot;
    }

    /** The folder of one run's report. */
    public Path reportDir(String runId) {
        return reportsRoot.resolve(runId);
    }

    /**
     * Writes the report of one run and refreshes {@code latest/}. Returns its index.html.
     */
    public Path write(ResultSet run) throws IOException {
        return write(run, run.runId());
    }

    /** Writes the report of one run into {@code <reports>/<name>/} and refreshes {@code latest/}. */
    Path write(ResultSet run, String name) throws IOException {
        Path dir = reportDir(name);
        replace(dir, work -> new RunPage(run, dir, work).write());
        refreshLatest(name, dir);
        return dir.resolve("index.html");
    }

    /**
     * Writes a comparison of several runs (at least two); the first is the reference of the ratios. Returns its
     * index.html.
     */
    public Path writeComparison(List<ResultSet> runs) throws IOException {
        if (runs.size() < 2) {
            throw new IllegalArgumentException("a comparison needs at least two runs");
        }
        List<String> labels = labels(runs);
        Path dir = reportsRoot.resolve(comparisonName(labels));
        replace(dir, work -> new ComparePage(runs, labels, dir, work, reportsRoot).write());
        return dir.resolve("index.html");
    }

    /** The report of each run, then (for several) their comparison. Returns every index.html written. */
    public List<Path> writeAll(List<ResultSet> runs) throws IOException {
        List<Path> out = new ArrayList<>();
        List<String> labels = labels(runs);
        for (int i = 0; i < runs.size(); i++) {
            out.add(write(runs.get(i), labels.get(i)));
        }
        if (runs.size() > 1) {
            out.add(writeComparison(runs));
        }
        return out;
    }

    /** Unique labels: the run ids, qualified by the parent folder where two are equal. */
    static List<String> labels(List<ResultSet> runs) {
        List<String> labels = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ResultSet r : runs) {
            String l = r.runId();
            if (!seen.add(l)) {
                Path parent = r.dir().toAbsolutePath().normalize().getParent();
                String base = (parent != null && parent.getFileName() != null ? parent.getFileName() + "-" : "") + l;
                l = base;
                for (int i = 2; !seen.add(l); i++) {
                    l = base + "-" + i;
                }
            }
            labels.add(l);
        }
        return labels;
    }

    static String comparisonName(List<String> labels) {
        String name = "compare-" + String.join("_vs_", labels);
        name = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return name.length() > 200 ? name.substring(0, 200) : name;
    }

    private interface Body {
        void write(Path workDir) throws IOException;
    }

    /** Builds the folder aside, then swaps it in, so that a failure leaves the old report intact. */
    private void replace(Path dir, Body body) throws IOException {
        Files.createDirectories(reportsRoot);
        Path work = reportsRoot.resolve("." + dir.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(work.resolve("charts"));
            body.write(work);
            deleteTree(dir);
            Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(work);
        }
    }

    private void refreshLatest(String runId, Path dir) throws IOException {
        Path latest = reportsRoot.resolve(ResultsSchema.LATEST);
        Optional<String> current = latestRunId(latest);
        if (current.isPresent() && current.get().compareTo(runId) > 0
                && Files.isDirectory(reportsRoot.resolve(current.get()))) {
            return; // latest/ shows a newer run that still exists
        }
        replace(latest, work -> copyTree(dir, work));
    }

    /** The name of the report folder that {@code latest/} copies (normally a run id), if any. */
    static Optional<String> latestRunId(Path latest) {
        Path index = latest.resolve("index.html");
        if (!Files.isRegularFile(index)) {
            return Optional.empty();
        }
        try {
            Matcher m = RUN_META.matcher(Files.readString(index));
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir)) {
            Files.delete(dir);
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
