package io.torovj.bench;

import io.torovj.report.MetricRow;
import io.torovj.report.ResultsSchema;
import io.torovj.transport.TransportProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The transports' physical floors, measured by plain C in the same run: runs the {@code cfloor}
 * host tool (workloads/src/main/tools/cfloor.c) and turns its lines
 * ({@code name p50 p90 p99 p999 max samples}, ns) into {@code floor-c-*} rows. Independent of the
 * monitor: its own KVM VM with the vCPU at CPL3, its own threads, the syscall instruction.
 *
 * <p>Exit status 3 means the tool could not use /dev/kvm: the native and thread parts it printed
 * before are kept and the run notes why the VM parts are missing. Any other failure, a malformed
 * line or a missing part fails the run.
 */
final class CFloorProbe {
    /** cfloor's exit status when /dev/kvm cannot be used. */
    static final int EXIT_NO_KVM = 3;
    /** What the tool always measures (host only). */
    static final List<String> HOST_PARTS = List.of(ResultsSchema.C_FLOOR_TIMER_OVERHEAD,
            ResultsSchema.C_FLOOR_NATIVE_GETPPID, ResultsSchema.C_FLOOR_NATIVE_GETPPID_LOOP,
            ResultsSchema.C_FLOOR_NATIVE_GETPPID_LIBC, ResultsSchema.C_FLOOR_NATIVE_GETPPID_LIBC_LOOP,
            ResultsSchema.C_FLOOR_NATIVE_WRITE, ResultsSchema.C_FLOOR_PINGPONG);

    /** One measured floor, in ns. */
    record Line(String name, double p50, double p90, double p99, double p999, double max, long samples) {
        double stat(String statistic) {
            return switch (statistic) {
                case ResultsSchema.P50 -> p50;
                case ResultsSchema.P90 -> p90;
                case ResultsSchema.P99 -> p99;
                case ResultsSchema.P999 -> p999;
                case ResultsSchema.MAX -> max;
                default -> throw new IllegalArgumentException(statistic);
            };
        }
    }

    /**
     * What one run of the tool gave.
     *
     * @param lines      the floors, in the tool's order
     * @param facts      the tool's comment lines worth recording (tsc_hz, tsc_step, iterations, truncations, times)
     * @param kvmProblem null if the VM parts ran (or were not asked for); else the tool's one-line reason
     * @param raw        stdout, stderr and status, as written to {@link ResultsSchema#CFLOOR_TXT}
     */
    record Result(List<Line> lines, List<String> facts, String kvmProblem, String raw) {
        Line line(String name) {
            return lines.stream().filter(l -> l.name().equals(name)).findFirst().orElse(null);
        }

        /**
         * The median of each step of part {@code name}, as its "# steps" line gives them (the VM
         * lifecycle's): "memory 130, boot 18, vcpu 59, run 87, close 181 µs"; null if it gave none.
         */
        String steps(String name) {
            String prefix = "steps " + name + " ";
            for (String f : facts) {
                if (!f.startsWith(prefix)) continue;
                StringJoiner j = new StringJoiner(", ", "", " µs");
                for (String step : f.substring(prefix.length()).strip().split("\\s+")) {
                    String[] kv = step.split("=", 2);
                    if (kv.length != 2) return null;
                    try {
                        j.add(kv[0] + " " + Math.round(Double.parseDouble(kv[1])));
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
                return j.toString();
            }
            return null;
        }
    }

    private CFloorProbe() {}

    /** The floor a transport's nullcall is compared with (see ResultsSchema, "Floors"). */
    static String headlineFloor(TransportProvider.Floor floor) {
        return switch (floor) {
            case PORT_IO_EXIT -> ResultsSchema.C_FLOOR_PIO_EXIT_GETPPID;
            case MMIO_EXIT -> ResultsSchema.C_FLOOR_MMIO_EXIT_GETPPID;
            case CACHE_LINE_PING_PONG -> ResultsSchema.C_FLOOR_RING_1LINE_GETPPID;
        };
    }

    /**
     * The tool's arguments for a bench mode; {@code image} (the monitor's HelloWorld boot image,
     * for {@link ResultsSchema#C_FLOOR_VM_HELLO}) is required with KVM.
     */
    static List<String> arguments(BenchMode mode, boolean withKvm, Path image) {
        List<String> args = new ArrayList<>(List.of("--exits", Integer.toString(mode.floorExits()),
                "--calls", Integer.toString(mode.floorCalls()), "--vms", Integer.toString(mode.floorVms()),
                "--part-ms", Integer.toString(mode.floorPartMillis())));
        if (!withKvm) args.add("--no-kvm");
        else args.addAll(List.of("--image", image.toString()));
        return args;
    }

    /** Runs the tool; {@code withKvm} false skips the VM parts (--no-kvm). */
    static Result run(BenchMode mode, boolean withKvm, Path image) throws IOException, InterruptedException {
        // every part stops at its budget; the rest is slack for a loaded machine
        long limitSecs = 60 + (long) ResultsSchema.C_FLOORS.size() * mode.floorPartMillis() / 1000;
        return execute(arguments(mode, withKvm, image), limitSecs, withKvm, null);
    }

    /**
     * Runs only the named parts ({@code cfloor --only}), each with at most {@code calls} per-call samples
     * ({@code exits} for the exit parts, {@code vms} for the VM lifecycles) and {@code partMillis} of
     * wall time: a floor measured in the seconds around one transport's own measurement (see
     * {@link PairedFloor}). Every part named must be measured: a VM part that cannot run (no
     * /dev/kvm) fails.
     */
    static Result runOnly(List<String> parts, int calls, int exits, int vms, int partMillis) throws IOException, InterruptedException {
        return runOnly(parts, calls, exits, vms, partMillis, null);
    }

    /** The same with a boot image ({@code --image}, for {@link ResultsSchema#C_FLOOR_VM_HELLO}; may be null). */
    static Result runOnly(List<String> parts, int calls, int exits, int vms, int partMillis, Path image)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--calls", Integer.toString(calls), "--exits", Integer.toString(exits),
                "--vms", Integer.toString(vms), "--part-ms", Integer.toString(partMillis), "--only", String.join(",", parts)));
        if (image != null) args.addAll(List.of("--image", image.toString()));
        return execute(args, 30 + (long) parts.size() * partMillis / 1000, true, parts);
    }

    /** {@code expected} null: what {@link #parse(String, String, String, int, boolean)} expects of a whole run. */
    private static Result execute(List<String> args, long limitSecs, boolean withKvm, List<String> expected)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(BenchPaths.tool("cfloor").toString());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        if (!p.waitFor(limitSecs, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("cfloor did not finish in " + limitSecs + " s: " + String.join(" ", cmd));
        }
        String command = String.join(" ", cmd);
        return expected == null ? parse(command, out.join(), err.join(), p.exitValue(), withKvm)
                : parse(command, out.join(), err.join(), p.exitValue(), withKvm, expected);
    }

    private static String readAll(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Checks and parses the output of a whole run ({@link #run}); throws with the tool's own words on any fault. */
    static Result parse(String command, String stdout, String stderr, int status, boolean withKvm) {
        return parse(command, stdout, stderr, status, withKvm, withKvm && status == 0 ? ResultsSchema.C_FLOORS : HOST_PARTS);
    }

    /** The same, for a run that must have measured every part in {@code expected}. */
    static Result parse(String command, String stdout, String stderr, int status, boolean withKvm, List<String> expected) {
        String raw = "$ " + command + "\n" + stdout + (stderr.isEmpty() ? "" : "# stderr:\n" + stderr)
                + "# exit status " + status + "\n";
        String firstError = stderr.strip().lines().findFirst().orElse("");
        if (status != 0 && status != EXIT_NO_KVM) {
            throw new IllegalStateException("cfloor failed with status " + status + ": "
                    + (firstError.isEmpty() ? "(no message)" : firstError));
        }
        List<Line> lines = new ArrayList<>();
        List<String> facts = new ArrayList<>();
        int n = 0;
        for (String l : stdout.split("\n")) {
            n++;
            if (l.isBlank()) continue;
            if (l.startsWith("#")) {
                String c = l.substring(1).strip();
                if (!c.startsWith("cfloor:")) facts.add(c);
                continue;
            }
            String[] f = l.strip().split("\\s+");
            if (f.length != 7 || !ResultsSchema.isCFloor(f[0])) {
                throw new IllegalStateException("cfloor output line " + n + " is not 'floor-c-NAME p50 p90 p99 p999 max samples': " + l);
            }
            try {
                lines.add(new Line(f[0], Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                        Double.parseDouble(f[4]), Double.parseDouble(f[5]), Long.parseLong(f[6])));
            } catch (NumberFormatException e) {
                throw new IllegalStateException("cfloor output line " + n + " has a malformed number: " + l, e);
            }
        }
        List<String> got = lines.stream().map(Line::name).toList();
        List<String> missing = expected.stream().filter(e -> !got.contains(e)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("cfloor (status " + status + ") did not measure " + String.join(", ", missing)
                    + (firstError.isEmpty() ? "" : ": " + firstError));
        }
        String kvmProblem = status == EXIT_NO_KVM
                ? (firstError.isEmpty() ? "cfloor: /dev/kvm cannot be used" : firstError) : null;
        return new Result(List.copyOf(lines), List.copyOf(facts), kvmProblem, raw);
    }

    /** The rows of one floor under {@code transport}: p50 .. max, ns. */
    static List<MetricRow> rows(Line l, String transport) {
        List<MetricRow> rows = new ArrayList<>();
        for (String stat : ResultsSchema.PERCENTILE_STATISTICS) {
            rows.add(MetricRow.stat(l.name(), transport, ResultsSchema.LATENCY, stat, l.stat(stat),
                    ResultsSchema.UNIT_NS, l.samples()));
        }
        return rows;
    }

    /** environment.json's "cfloor" object: how the floors were measured. */
    static Map<String, Object> environment(Result r, List<String> args) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("arguments", String.join(" ", args));
        List<String> truncated = new ArrayList<>();
        List<String> times = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        for (String f : r.facts()) {
            String[] w = f.split("\\s+", 2);
            switch (w[0]) {
                case "tsc_hz", "tsc_step", "iterations" -> env.put(w[0], w.length > 1 ? w[1] : "");
                case "truncated" -> truncated.add(w.length > 1 ? w[1] : "");
                case "time" -> times.add(w.length > 1 ? w[1] : "");
                case "steps" -> steps.add(w.length > 1 ? w[1] : "");
                default -> { }
            }
        }
        env.put("kvm", r.kvmProblem() != null ? "unusable: " + r.kvmProblem()
                : r.line(ResultsSchema.C_FLOOR_PIO_EXIT) != null ? "ok (CPL3 guest)" : "not run (--no-kvm)");
        env.put("truncated", truncated.isEmpty() ? "none" : String.join("; ", truncated));
        env.put("part_times", String.join("; ", times));
        if (!steps.isEmpty()) env.put("steps", String.join("; ", steps));
        return env;
    }

    /** Writes the tool's raw output beside metrics.csv. */
    static void writeRaw(Path results, Result r) throws IOException {
        Files.writeString(results.resolve(ResultsSchema.CFLOOR_TXT), r.raw(), StandardCharsets.UTF_8);
    }

    /** A one-line summary for the console. */
    static String summary(Result r) {
        StringBuilder b = new StringBuilder();
        for (Line l : r.lines()) {
            if (b.length() > 0) b.append(", ");
            b.append(l.name().substring(ResultsSchema.C_FLOOR_PREFIX.length())).append(' ')
                    .append(String.format(Locale.ROOT, "%.0f ns", l.p50()));
        }
        return b.toString();
    }
}
