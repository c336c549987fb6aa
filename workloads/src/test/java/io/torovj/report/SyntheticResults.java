package io.torovj.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

import static io.torovj.report.ResultsSchema.*;

/**
 * A synthetic but realistic results folder: native, pio, mmio, ring and an extra transport "vsock" with most rows
 * missing; ring lacks echo and fileio; per-call latencies drawn from a log-normal with a rare slow tail, recorded
 * with a real HdrHistogram {@link Recorder} and written with {@link HistogramLogWriter}. The C floors as the bench
 * writes them: every one under native, the headline ones again under pio, mmio and ring (vsock has none), the VM
 * lifecycle again under ring (as measured around its cold VMs), and the
 * probe's raw output in cfloor.txt. echo-rr (request/response timed at the client) for native, pio, mmio and ring.
 */
final class SyntheticResults {
    static final List<String> TRANSPORTS = List.of(NATIVE, "pio", "mmio", "ring", "vsock");
    static final List<String> LATENCY_WORKLOADS = List.of(NULLCALL, WRITE, FILEIO, MMAP, ECHO);

    /** What was written. */
    record Written(Path dir, List<MetricRow> rows, List<Path> hdrLogs) {
    }

    private SyntheticResults() {
    }

    /** p50 of each C floor, ns (before the slowdown). */
    static final Map<String, Double> C_FLOOR_P50 = cFloorMedians();
    /** Each transport's headline C floor (vsock: none). */
    static final Map<String, String> HEADLINE = Map.of("pio", C_FLOOR_PIO_EXIT_GETPPID,
            "mmio", C_FLOOR_MMIO_EXIT_GETPPID, "ring", C_FLOOR_RING_1LINE_GETPPID);

    private static Map<String, Double> cFloorMedians() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(C_FLOOR_TIMER_OVERHEAD, 8.0);
        m.put(C_FLOOR_NATIVE_GETPPID, 50.0);
        m.put(C_FLOOR_NATIVE_GETPPID_LOOP, 44.0);
        m.put(C_FLOOR_NATIVE_GETPPID_LIBC, 60.0);
        m.put(C_FLOOR_NATIVE_GETPPID_LIBC_LOOP, 53.0);
        m.put(C_FLOOR_NATIVE_WRITE, 290.0);
        m.put(C_FLOOR_PINGPONG, 120.0);
        m.put(C_FLOOR_PIO_EXIT, 4150.0);
        m.put(C_FLOOR_PIO_EXIT_GETPPID, 4200.0);
        m.put(C_FLOOR_MMIO_EXIT, 4850.0);
        m.put(C_FLOOR_MMIO_EXIT_GETPPID, 4900.0);
        m.put(C_FLOOR_RING_1LINE, 150.0);
        m.put(C_FLOOR_RING_1LINE_GETPPID, 400.0);
        m.put(C_FLOOR_RING_1LINE_GETPPID_LIBC, 450.0);
        m.put(C_FLOOR_RING_6LINE, 210.0);
        m.put(C_FLOOR_RING_6LINE_GETPPID, 460.0);
        m.put(C_FLOOR_VM_LIFECYCLE, 600_000.0);
        m.put(C_FLOOR_VM_LIFECYCLE_COLD, 1_100_000.0);
        m.put(C_FLOOR_VM_LIFECYCLE_UNPINNED, 900_000.0);
        m.put(C_FLOOR_VM_HELLO, 690_000.0);
        return m;
    }

    /** ring's C VM lifecycle, measured around its cold VMs (ns). */
    static final double RING_LIFECYCLE_P50 = 1_600_000.0;

    /** The percentile rows of a C floor with median {@code p50}. */
    static List<MetricRow> cFloorRows(String floor, String transport, double p50) {
        Map<String, Double> factor = Map.of(P50, 1.0, P90, 1.15, P99, 1.6, P999, 4.0, MAX, 30.0);
        List<MetricRow> rows = new ArrayList<>();
        for (String s : PERCENTILE_STATISTICS) {
            rows.add(MetricRow.stat(floor, transport, LATENCY, s, p50 * factor.get(s), UNIT_NS,
                    floor.startsWith(C_FLOOR_VM_LIFECYCLE) || floor.equals(C_FLOOR_VM_HELLO) ? 200 : 200_000));
        }
        return rows;
    }

    /** Base latency of a workload natively, ns. */
    private static double nativeNs(String w) {
        return switch (w) {
            case NULLCALL -> 60;
            case WRITE -> 350;
            case FILEIO -> 900;
            case MMAP -> 1200;
            case ECHO -> 4000;
            default -> 100;
        };
    }

    /** Added cost of a transport, ns. */
    private static double overheadNs(String t) {
        return switch (t) {
            case NATIVE -> 0;
            case "pio" -> 4500;
            case "mmio" -> 5200;
            case "ring" -> 1500;
            default -> 9000;
        };
    }

    /** echo-rr's round-trip median per transport, ns (vsock has no rows). */
    static final Map<String, Double> RR_P50_NS = Map.of(NATIVE, 20_000.0, "pio", 150_000.0, "mmio", 160_000.0,
            "ring", 30_000.0);

    /** echo-rr's rows as the bench writes them: round-trip percentiles (ns) and transactions/s of a closed loop. */
    static List<MetricRow> echoRrRows(String t, double p50Ns, long transactions) {
        Map<String, Double> factor = Map.of(P50, 1.0, P90, 1.2, P99, 2.0, P999, 5.0, MAX, 40.0);
        List<MetricRow> rows = new ArrayList<>();
        for (String s : PERCENTILE_STATISTICS) {
            rows.add(MetricRow.stat(ECHO_RR, t, LATENCY, s, p50Ns * factor.get(s), UNIT_NS, transactions));
        }
        rows.add(new MetricRow(ECHO_RR, t, THROUGHPUT, MEAN, 1e9 / (p50Ns * 1.05), null, UNIT_PER_S, transactions));
        return rows;
    }

    private static boolean present(String w, String t) {
        if ("vsock".equals(t)) {
            return NULLCALL.equals(w);
        }
        return !("ring".equals(t) && (ECHO.equals(w) || FILEIO.equals(w)));
    }

    /** Transports with think-time rows (mmio and vsock: none). */
    static final List<String> THINK_TRANSPORTS = List.of(NATIVE, "pio", "ring");

    /**
     * The think workloads as the bench writes them: latency percentiles and CPU per call at each think time. The
     * think time is in every CPU figure; ring's poller spins through it (twice the think time), pio's exit does not,
     * so pio is cheaper in CPU from 1 µs on.
     */
    static List<MetricRow> thinkRows(double slowdown) {
        List<MetricRow> rows = new ArrayList<>();
        for (String t : THINK_TRANSPORTS) {
            for (long think : THINK_TIMES_NS) {
                String w = thinkWorkload(think);
                double p50 = (nativeNs(NULLCALL) + overheadNs(t)) * slowdown * ("ring".equals(t) && think > 0 ? 1.3 : 1);
                long calls = Math.max(200, Math.round(1e9 / (think + p50)));
                for (String s : PERCENTILE_STATISTICS) {
                    double f = Map.of(P50, 1.0, P90, 1.2, P99, 1.8, P999, 3.0, MAX, 20.0).get(s);
                    rows.add(MetricRow.stat(w, t, LATENCY, s, p50 * f, UNIT_NS, Math.min(calls, 200_000)));
                }
                double cpu = "ring".equals(t) ? 2 * (think + p50) : think + p50 * 1.02;
                rows.add(MetricRow.mean(w, t, CPU_PER_CALL, cpu, null, UNIT_NS, calls));
            }
        }
        return rows;
    }

    /** Serverless p50s, µs, per way (ResultsSchema, "Serverless"): ring meets the warm target, pio misses it. */
    static final Map<String, Map<String, Double>> INVOCATION_P50_US = Map.of(
            SERVE_WARM, Map.of("pio", 120.0, "mmio", 130.0, "ring", 40.0),
            SERVE_HTTP, Map.of("pio", 400.0, "mmio", 420.0, "ring", 200.0),
            HELLOWORLD, Map.of(NATIVE, 1000.0, "pio", 1500.0, "mmio", 1600.0, "ring", 1900.0),
            CLI_RUN, Map.of(NATIVE, 1100.0, "pio", 330_000.0, "mmio", 335_000.0, "ring", 120_000.0));
    /** Invocations/s by clients: ring reaches the 2,000/s target at 4 clients, pio does not. */
    static final Map<String, double[]> THROUGHPUT_PER_S = Map.of("pio", new double[] {900, 1500, 1800, 1700},
            "ring", new double[] {1200, 2100, 2600, 2500});
    /** Monitor bytes per pooled VM: ring 200 KiB (5,243 VMs/GiB, met), mmio 1.5 MiB (683/GiB, missed). */
    static final Map<String, Double> POOLED_BYTES = Map.of("pio", 220.0 * 1024, "mmio", 1536.0 * 1024, "ring", 200.0 * 1024);

    /** Invocation-latency histograms and their wall rows, throughput rows, memory-per-VM rows. */
    private static void serverless(Path dir, Random rnd, double slowdown, int samples, long start, List<MetricRow> rows,
                                   List<Path> logs) throws IOException {
        for (var w : INVOCATION_P50_US.entrySet()) {
            for (var t : w.getValue().entrySet()) {
                Histogram h = new Histogram(3);
                h.setStartTimeStamp(start);
                h.setEndTimeStamp(start + 1000);
                int n = CLI_RUN.equals(w.getKey()) ? 20 : samples / 4;
                for (int i = 0; i < n; i++) {
                    h.recordValue(Math.max(1, Math.round(t.getValue() * 1000 * slowdown * Math.exp(0.25 * rnd.nextGaussian()))));
                }
                logs.add(HdrLogs.write(dir, w.getKey(), t.getKey(), start, List.of(h)));
                for (String s : PERCENTILE_STATISTICS) {
                    double v = MAX.equals(s) ? h.getMaxValue() : h.getValueAtPercentile(PERCENTILES.get(s));
                    rows.add(MetricRow.stat(w.getKey(), t.getKey(), WALL, s, v, UNIT_NS, h.getTotalCount()));
                }
            }
        }
        for (var t : THROUGHPUT_PER_S.entrySet()) {
            for (int i = 0; i < SERVE_CLIENTS.size(); i++) {
                double v = t.getValue()[i] / slowdown;
                rows.add(MetricRow.mean(serveHttpClients(SERVE_CLIENTS.get(i)), t.getKey(), THROUGHPUT, v, null, UNIT_PER_S,
                        Math.round(v)));
            }
        }
        for (var t : POOLED_BYTES.entrySet()) {
            rows.add(MetricRow.mean(SERVE_POOL, t.getKey(), HOST_RSS_PER_VM, t.getValue() * slowdown, null, UNIT_BYTES, 128));
            rows.add(MetricRow.mean(SERVE_POOL, t.getKey(), HOST_KERNEL_PER_VM, 180.0 * 1024, null, UNIT_BYTES, 128));
            rows.add(MetricRow.mean(ECHO, t.getKey(), HOST_RSS_PER_VM, (t.getValue() + 60 * 1024) * slowdown, null, UNIT_BYTES, 16));
            rows.add(MetricRow.mean(ECHO, t.getKey(), HOST_KERNEL_PER_VM, 190.0 * 1024, null, UNIT_BYTES, 16));
        }
    }

    static Written write(Path resultsDir, long seed, double slowdown, int samplesPerPair) throws IOException {
        Random rnd = new Random(seed);
        List<MetricRow> rows = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        long start = 1_795_000_000_000L;
        // per-call latencies
        Map<String, double[]> pairs = new LinkedHashMap<>();
        for (String t : TRANSPORTS) {
            for (String w : LATENCY_WORKLOADS) {
                if (present(w, t)) {
                    pairs.put(w + "|" + t, new double[] {(nativeNs(w) + overheadNs(t)) * slowdown});
                }
            }
        }
        pairs.put(FLOOR_EXIT + "|pio", new double[] {4300 * slowdown});
        pairs.put(FLOOR_EXIT + "|mmio", new double[] {5000 * slowdown});
        pairs.put(FLOOR_PINGPONG + "|ring", new double[] {1300 * slowdown});
        for (var e : pairs.entrySet()) {
            String w = e.getKey().split("\\|")[0];
            String t = e.getKey().split("\\|")[1];
            double median = e.getValue()[0];
            boolean hdr = !"vsock".equals(t);
            Recorder rec = new Recorder(3);
            List<Histogram> intervals = new ArrayList<>();
            Histogram all = new Histogram(3);
            double sum = 0;
            int perInterval = samplesPerPair / 4;
            for (int i = 0; i < 4; i++) {
                for (int k = 0; k < perInterval; k++) {
                    double v = median * Math.exp(0.18 * rnd.nextGaussian());
                    if (rnd.nextInt(1000) == 0) {
                        v *= 5 + rnd.nextInt(30); // rare slow calls: a tail
                    }
                    long ns = Math.max(1, Math.round(v));
                    rec.recordValue(ns);
                    sum += ns;
                }
                Histogram h = rec.getIntervalHistogram();
                h.setStartTimeStamp(start + i * 1000L);
                h.setEndTimeStamp(start + (i + 1) * 1000L);
                intervals.add(h);
                all.add(h);
            }
            if (hdr) {
                Path f = hdrLog(resultsDir, w, t);
                Files.createDirectories(f.getParent());
                try (OutputStream out = Files.newOutputStream(f)) {
                    HistogramLogWriter lw = new HistogramLogWriter(out);
                    lw.outputLogFormatVersion();
                    lw.outputStartTime(start);
                    lw.setBaseTime(start);
                    lw.outputLegend();
                    for (Histogram h : intervals) {
                        lw.outputIntervalHistogram(h);
                    }
                    lw.close();
                }
                logs.add(f);
            }
            double mean = sum / all.getTotalCount();
            double error = mean * (0.01 + 0.03 * rnd.nextDouble());
            if (MMAP.equals(w) && "mmio".equals(t)) {
                error = mean * 1.4; // a noisy result: its confidence interval reaches below zero
            }
            boolean inUs = ECHO.equals(w);
            rows.add(MetricRow.mean(w, t, LATENCY, inUs ? mean / 1000 : mean, inUs ? error / 1000 : error,
                    inUs ? UNIT_US : UNIT_NS, 15));
            if (hdr) {
                for (String s : PERCENTILE_STATISTICS) {
                    double v = MAX.equals(s) ? all.getMaxValue() : all.getValueAtPercentile(PERCENTILES.get(s));
                    rows.add(MetricRow.stat(w, t, LATENCY, s, v, UNIT_NS, all.getTotalCount()));
                }
            }
        }
        // echo as request/response timed at the client (vsock: none)
        for (String t : List.of(NATIVE, "pio", "mmio", "ring")) {
            rows.addAll(echoRrRows(t, RR_P50_NS.get(t) * slowdown, 10_000));
        }
        // HelloWorld end to end
        Map<String, Double> wallMs = Map.of(NATIVE, 0.9, "pio", 38.0, "mmio", 40.5, "ring", 45.0, "vsock", 61.0);
        for (String t : TRANSPORTS) {
            double v = wallMs.get(t) * slowdown;
            rows.add(MetricRow.mean(HELLOWORLD, t, WALL, v, v * 0.05, UNIT_MS, 30));
        }
        // CPU per call
        for (String w : List.of(NULLCALL, WRITE)) {
            for (String t : List.of(NATIVE, "pio", "mmio", "ring")) {
                double v = (nativeNs(w) + overheadNs(t) * ("ring".equals(t) ? 2.1 : 1.02)) * slowdown;
                rows.add(MetricRow.mean(w, t, CPU_PER_CALL, v, null, UNIT_NS, samplesPerPair));
            }
        }
        rows.addAll(thinkRows(slowdown));
        // memory (ring: none)
        rows.add(MetricRow.stat(HELLOWORLD, NATIVE, NATIVE_PEAK_RSS, MAX, 1_150_000, UNIT_BYTES, 1));
        for (String t : List.of("pio", "mmio")) {
            rows.add(MetricRow.stat(HELLOWORLD, t, GUEST_RESIDENT, MAX, 184_320, UNIT_BYTES, 1));
            rows.add(MetricRow.mean(HELLOWORLD, t, HOST_RSS_PER_VM, 25_165_824 * slowdown, null, UNIT_BYTES, 8));
        }
        serverless(resultsDir, rnd, slowdown, samplesPerPair, start, rows, logs);
        // the C floors: every one under native, the headline ones under their transports
        StringBuilder cfloor = new StringBuilder("$ cfloor --exits 5000 --calls 200000 --vms 200\n"
                + "# tsc_hz 2445402027\n");
        for (var e : C_FLOOR_P50.entrySet()) {
            List<MetricRow> r = cFloorRows(e.getKey(), NATIVE, e.getValue() * slowdown);
            rows.addAll(r);
            cfloor.append(e.getKey());
            r.forEach(x -> cfloor.append(' ').append(x.value()));
            cfloor.append(' ').append(r.get(0).samples()).append('\n');
        }
        for (String t : List.of("pio", "mmio", "ring")) {
            String f = HEADLINE.get(t);
            rows.addAll(cFloorRows(f, t, C_FLOOR_P50.get(f) * slowdown));
        }
        // ring's cold VMs had the C VM lifecycle measured around them (the others use the probe's)
        rows.addAll(cFloorRows(C_FLOOR_VM_LIFECYCLE, "ring", RING_LIFECYCLE_P50 * slowdown));
        try (MetricsCsvWriter csv = MetricsCsvWriter.create(resultsDir)) {
            csv.writeAll(rows);
        }
        Files.writeString(resultsDir.resolve(CFLOOR_TXT), cfloor + "# exit status 0\n");
        Files.writeString(environmentJson(resultsDir), """
                {
                  "cpu_model": "Intel(R) Xeon(R) Synthetic CPU @ 2.20GHz",
                  "cores": 2,
                  "kernel": "Linux 6.1.0-synthetic x86_64",
                  "kvm_flavour": "PVM (nested)",
                  "jvm": "OpenJDK 64-Bit Server VM 17.0.15+6",
                  "jmh_version": "1.37",
                  "jmh_settings": {"forks": 3, "warmup": "5 × 1 s", "iterations": 5, "mode": "avgt"},
                  "git_commit": "abc1234",
                  "date": "2026-11-27T19:11:00Z",
                  "mode": "quick",
                  "cfloor": {"tsc_step": "24 cycles 9.8 ns", "kvm": "ok (CPL3 guest)", "truncated": "none",
                             "paired": {"ring": {"floor": "floor-c-ring-1line-getppid", "before_p50_ns": 300.0,
                                                 "after_p50_ns": 330.0, "drift": 0.1, "attempts": 2,
                                                 "pingpong_before_p50_ns": 120.0, "pingpong_after_p50_ns": 131.0},
                                        "mmio": {"floor": "floor-c-mmio-exit-getppid", "before_p50_ns": 20000.0,
                                                 "after_p50_ns": 30000.0, "drift": 0.5, "attempts": 3}}},
                  "notes": ["2 cores: the ring poller competes with the vCPU thread", "synthetic data (tests)"],
                  "pinning": "none"
                }
                """);
        Files.writeString(jmhJson(resultsDir), "[]\n");
        return new Written(resultsDir, rows, logs);
    }
}
