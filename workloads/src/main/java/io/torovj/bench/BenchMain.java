package io.torovj.bench;

import io.torovj.kvm.Kvm;
import io.torovj.kvm.KvmFlavour;
import io.torovj.report.MetricRow;
import io.torovj.report.ResultsSchema;
import io.torovj.serve.FunctionRegistry;
import io.torovj.serve.HttpApi;
import io.torovj.transport.TransportProvider;
import io.torovj.transport.TransportRegistry;
import io.torovj.vmm.SyscallEntry;
import io.torovj.vmm.VmResult;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code mvn -P bench}: measures every transport against native and writes
 * results/&lt;run-id&gt;/ (CSV, HdrHistogram logs, environment, JMH JSON) and
 * reports/&lt;run-id&gt;/index.html. Runs in a real JVM launched by exec:exec, so JMH's forks
 * get a proper class path.
 */
public final class BenchMain {
    private final BenchMode mode;
    private final Path repo;
    private final Path results;
    private final List<String> transports;
    private final List<String> notes = new ArrayList<>();
    private final List<MetricRow> rows = new ArrayList<>();
    private final long started = System.nanoTime();
    private final Map<String, Object> environmentExtra = new LinkedHashMap<>();
    /** Each transport's headline C floor measured around its nullcall (see {@link PairedFloor}). */
    private final Map<String, PairedFloor> pairedFloors = new LinkedHashMap<>();
    /** Timed cold VMs are measured at most this many times while the JIT was at work in them (InvocationSampler.coldWhileJitQuiet). */
    static final int COLD_JIT_ATTEMPTS = 3;

    /** Each transport's C VM lifecycle measured around its cold VMs. */
    private final Map<String, PairedFloor> lifecycleFloors = new LinkedHashMap<>();
    /** Each transport's like-for-like cold floor (the C replay of HelloWorld's boot image), measured right before and after its cold VMs. */
    private final Map<String, Map<String, Object>> likeForLike = new LinkedHashMap<>();
    /** The C parts measured around the native nullcall (cfloor.paired_native), or null. */
    private Map<String, Object> nativeBracket;
    /** environment.json's "cfloor" object, once the whole-run probe has run. */
    private Map<String, Object> cfloorEnvironment;
    private int step;
    private int steps;
    private LatencyRecorder latency;

    private BenchMain(BenchMode mode, Path repo, String runId) {
        this.mode = mode;
        this.repo = repo;
        this.results = repo.resolve(ResultsSchema.RESULTS_ROOT).resolve(runId);
        List<String> all = new ArrayList<>();
        all.add(GuestLauncher.NATIVE);
        if (GuestLauncher.platform() == io.torovj.vmm.Platform.Kind.PROCESS) {
            all.addAll(TransportRegistry.load().providers().keySet());
            notes.add("PROCESS PLATFORM (-Dbench.platform=process): transports ran in the process platform, a functional check of"
                    + " the pipeline; their numbers are NOT KVM measurements and must not be compared with native");
        } else if (Kvm.deviceExists()) {
            all.addAll(TransportRegistry.load().providers().keySet());
        } else {
            notes.add("/dev/kvm is absent on this host: only the native baseline was measured; run on a KVM host for the transports");
        }
        this.transports = List.copyOf(all);
        notes.add(Runtime.getRuntime().availableProcessors() + " CPUs: the ring's poller thread competes with the vCPU thread"
                + " and the JMH thread for them; spinning transports look worse on small machines");
        notes.add("serve-warm / serve-http: a warm HelloWorld invocation of `torovj serve` (a pool of " + ServeBench.POOL
                + " VMs, each reset in place by its worker after it answers), inside the monitor and through its HTTP API on loopback;"
                + " their native column is spawning the native process (fork+exec+wait); the cold path (build, run, close) is helloworld");
        notes.add("echo-rr: request/response timed at the client as netperf TCP_RR does: " + ResultsSchema.RR_CONNECTIONS
                + " TCP connection, TCP_NODELAY, a " + ResultsSchema.RR_MESSAGE_BYTES + "-byte request and its "
                + ResultsSchema.RR_MESSAGE_BYTES + "-byte echo, one in flight; " + mode.rrWarmup() + " warm-up then "
                + mode.rrTransactions() + " timed transactions per target (System.nanoTime around each, in the bench's JVM),"
                + " the same for native and every transport; echo's own latency rows time each recv and send inside the guest"
                + " and include waiting for the client: they are not a transport cost");
        notes.add("latency percentiles are raw closed-loop samples (rdtsc around each call, TSC calibrated against CLOCK_MONOTONIC_RAW); no coordinated-omission correction");
    }

    public static void main(String[] args) throws Exception {
        BenchMode mode = BenchMode.fromSystemProperties();
        Path repo = Path.of(System.getProperty("torovj.repo", ".")).toAbsolutePath().normalize();
        String runId = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + Environment.gitCommit(repo).map(c -> "-" + c).orElse("");
        new BenchMain(mode, repo, runId).run();
    }

    private void run() throws Exception {
        Files.createDirectories(results);
        steps = 7 + transports.size();
        progress("mode " + mode.name() + ", transports " + transports + ", results in " + results);
        latency = new LatencyRecorder(LatencyRecorder.calibrateTsc());
        runJmh();
        for (String t : transports) latencyRuns(t);
        thinkTime();
        httpd();
        floors();
        cFloors();
        serverless();
        memory();
        if (!perVmMedians.isEmpty()) {
            StringJoiner j = new StringJoiner("; ");
            perVmMedians.forEach((what, medians) -> j.add(what + ": " + medians));
            notes.add("nullcall between its floors: the samples of " + NULLCALL_VMS + " fresh VMs per transport, the calls shared"
                    + " among them (a VM's median moves from one VM to the next on this host); p50 per VM, ns: " + j);
        }
        Environment.write(results, mode, transports, notes, environmentExtra);
        Path report = ReportStep.write(repo, results, rows);
        progress("done in " + elapsed() + ": " + report);
    }

    private void runJmh() throws Exception {
        progress("JMH: HelloWorld end to end and per-syscall cost");
        String[] params = transports.toArray(String[]::new);
        ChainedOptionsBuilder opts = new OptionsBuilder()
                .include(HelloWorldBench.class.getName() + ".helloWorld$")
                .include(SyscallBench.class.getName())
                .include(ServeBench.class.getName())
                .param("transport", params)
                .forks(mode.forks()).warmupIterations(mode.warmups()).measurementIterations(mode.iterations())
                .warmupTime(TimeValue.seconds(mode.iterationSecs())).measurementTime(TimeValue.seconds(mode.iterationSecs()))
                .jvmArgsAppend("-Dtorovj.guestDir=" + System.getProperty("torovj.guestDir"),
                        "-Dtorovj.nativeDir=" + System.getProperty("torovj.nativeDir"),
                        "-Dtorovj.toolsDir=" + System.getProperty("torovj.toolsDir"),
                        "-Dtorovj.vcpuProcess=" + System.getProperty("torovj.vcpuProcess"),
                        "-Dbench.platform=" + System.getProperty("bench.platform", "kvm"))
                .addProfiler(GCProfiler.class)  // heap bytes per syscall: the hot paths' no-allocation promise
                .shouldFailOnError(true) // a benchmark that throws fails the run, with its cause
                .resultFormat(ResultFormatType.JSON).result(results.resolve(ResultsSchema.JMH_JSON).toString());
        var runResults = new Runner(opts.build()).run();
        checkJmhResults(runResults);
        for (RunResult r : runResults) {
            String bench = r.getParams().getBenchmark();
            String method = bench.substring(bench.lastIndexOf('.') + 1);
            String transport = r.getParams().getParam("transport");
            var primary = r.getPrimaryResult();
            long samples = primary.getSampleCount();
            if (SERVE_WORKLOADS.containsKey(method)) {
                rows.add(MetricRow.mean(SERVE_WORKLOADS.get(method), transport, ResultsSchema.WALL, primary.getScore(),
                        primary.getScoreError(), ResultsSchema.UNIT_MS, samples));
            } else if (method.equals("helloWorld")) {
                rows.add(MetricRow.mean(ResultsSchema.HELLOWORLD, transport, ResultsSchema.WALL, primary.getScore(),
                        primary.getScoreError(), ResultsSchema.UNIT_MS, samples));
            } else {
                rows.add(MetricRow.mean(method, transport, ResultsSchema.LATENCY, primary.getScore(),
                        primary.getScoreError(), ResultsSchema.UNIT_NS, samples));
                // JMH's bytes per operation are one invocation's (a VM built, run for CALLS calls and
                // closed; natively a process spawned) divided by its calls: reported per invocation, as
                // the per-VM cost it is; the per-call figure comes from CallAllocation (latencyRuns)
                r.getSecondaryResults().forEach((label, alloc) -> {
                    if (label.endsWith("gc.alloc.rate.norm") && Double.isFinite(alloc.getScore())) {
                        double error = Double.isFinite(alloc.getScoreError()) ? alloc.getScoreError() : 0;
                        rows.add(MetricRow.mean(method, transport, ResultsSchema.ALLOC_PER_VM,
                                Math.max(0, alloc.getScore()) * SyscallBench.CALLS, error * SyscallBench.CALLS,
                                ResultsSchema.UNIT_BYTES, alloc.getSampleCount()));
                    }
                });
            }
        }
    }

    /** The JMH benchmark methods this run includes, each run once per transport. */
    static final List<String> JMH_METHODS = List.of("helloWorld", "nullcall", "write", "mmap", "warmInvoke", "httpInvoke",
            "resetRun");

    /** ServeBench's methods and the report workloads they fill (for native: spawning the process, the baseline). */
    static final Map<String, String> SERVE_WORKLOADS = Map.of("warmInvoke", ResultsSchema.SERVE_WARM,
            "httpInvoke", ResultsSchema.SERVE_HTTP, "resetRun", ResultsSchema.SERVE_RESET);

    /**
     * Every benchmark × transport must have exactly one result: JMH leaves a benchmark out (it does
     * not fail) when a fork dies, when META-INF/BenchmarkList lacks it or when an include misses.
     */
    private void checkJmhResults(java.util.Collection<RunResult> runResults) {
        List<String> expected = new ArrayList<>();
        for (String m : JMH_METHODS) {
            for (String t : transports) expected.add(m + "[" + t + "]");
        }
        List<String> got = new ArrayList<>();
        for (RunResult r : runResults) {
            String bench = r.getParams().getBenchmark();
            got.add(bench.substring(bench.lastIndexOf('.') + 1) + "[" + r.getParams().getParam("transport") + "]");
        }
        List<String> missing = expected.stream().filter(e -> !got.contains(e)).toList();
        List<String> unexpected = got.stream().filter(g -> !expected.contains(g)).toList();
        boolean duplicated = got.stream().distinct().count() != got.size();
        if (!missing.isEmpty() || !unexpected.isEmpty() || duplicated || got.size() != expected.size()) {
            throw new IllegalStateException("JMH produced " + got.size() + " results, expected " + expected.size()
                    + (missing.isEmpty() ? "" : "; missing: " + String.join(", ", missing))
                    + (unexpected.isEmpty() ? "" : "; unexpected: " + String.join(", ", unexpected))
                    + (duplicated ? "; some more than once" : ""));
        }
        System.out.println("[torovj bench] JMH: " + got.size() + " results, as expected (" + JMH_METHODS.size()
                + " benchmarks x " + transports.size() + " transports)");
    }

    /**
     * Fresh VMs a transport's bracketed nullcall samples come from, the calls shared between them,
     * its floor measured before, between and after them (PairedFloor.interleaved). On this host a
     * VM's median moves between VMs (ring, warm: 340, 435 or 830 ns from one VM to the next, in the
     * same minute) and so does the floor's between processes (260 or 631 ns): with eight draws of
     * each, both sides' fastest is likely to be the host's least disturbed state.
     */
    static final int NULLCALL_VMS = 8;
    /** Each bracketed nullcall's p50 per VM (ns), for the notes: "nullcall ring" to "340, 435, 340, 340". */
    private final Map<String, String> perVmMedians = new LinkedHashMap<>();

    /** Unmeasured nullcall runs before a transport's latency runs: at most this many ... */
    static final int WARMUP_RUNS = 12;
    /** ... and no more once this much time has gone (an exit transport's run of 20,000 calls takes ~0.7 s). */
    static final long WARMUP_BUDGET_NANOS = 2_000_000_000L;

    /** Per-call latency distributions, guest resident memory and CPU per call, for one transport. */
    private void latencyRuns(String transport) throws Exception {
        progress("latency distributions and CPU: " + transport);
        Path root = Files.createTempDirectory("torovj-bench");
        String n = Integer.toString(mode.calls());
        Map<String, String[]> workloads = new LinkedHashMap<>();
        workloads.put(ResultsSchema.NULLCALL, new String[] {n});
        workloads.put(ResultsSchema.WRITE, new String[] {n, "64"});
        workloads.put(ResultsSchema.FILEIO, new String[] {Integer.toString(4096 * Math.max(64, mode.calls() / 50)), root.toString()});
        workloads.put(ResultsSchema.MMAP, new String[] {Integer.toString(mode.calls() / 2), "16"});
        try (GuestLauncher launcher = new GuestLauncher(root)) {
            if (!transport.equals(GuestLauncher.NATIVE)) {
                // unmeasured nullcall runs first, as JMH warms up: else the first workload times the JIT
                // compiling the monitor's exit path (measured: pio p50 27.7 us in a fresh JVM, 21.6 us warm,
                // C floor 19.9-23.9 us in the same minutes) or its poller (ring: 400-470 ns over the first
                // eight runs of 20,000 calls, 340 ns from the ninth on: each run enters the poller's loop
                // afresh); here, before nullcall's floor bracket, not inside it
                long deadline = System.nanoTime() + WARMUP_BUDGET_NANOS;
                for (int run = 0; run < WARMUP_RUNS && (run == 0 || System.nanoTime() < deadline); run++) {
                    launcher.vm(transport, 0, ResultsSchema.NULLCALL, workloads.get(ResultsSchema.NULLCALL));
                }
            }
            for (Map.Entry<String, String[]> w : workloads.entrySet()) {
                if (w.getKey().equals(ResultsSchema.NULLCALL) && pairsFloor(transport)) {
                    bracketed(launcher, transport, w.getValue());
                } else if (w.getKey().equals(ResultsSchema.NULLCALL) && transport.equals(GuestLauncher.NATIVE)) {
                    nativeBracketed(launcher, w.getValue());
                } else {
                    measure(launcher, transport, w.getKey(), w.getValue(), null);
                }
            }
            echo(launcher, transport);
            if (!transport.equals(GuestLauncher.NATIVE)) {
                unmodified(launcher, root, transport, SyscallEntry.PATCH, ResultsSchema.NULLCALL_UNMODIFIED, n);
                unmodified(launcher, root, transport, SyscallEntry.TRAP, ResultsSchema.NULLCALL_TRAPPED, n);
                callAllocation(launcher, transport);
                VmResult hello = launcher.vm(transport, 0, "helloworld");
                rows.add(new MetricRow(ResultsSchema.HELLOWORLD, transport, ResultsSchema.GUEST_RESIDENT, ResultsSchema.MAX,
                        hello.residentBytes(), null, ResultsSchema.UNIT_BYTES, 1));
            }
        } finally {
            Files.deleteIfExists(root);
        }
    }

    /**
     * The native nullcall between two measurements of what it is checked against (the report's
     * "within ±10% of a plain C loop"): the timer pair alone and glibc's getppid at loop level. The
     * whole-run probe's are minutes away, and this host's syscall cost moves between minutes (the
     * plain loop: 163 ns in one run's probe against 115-130 ns minutes apart).
     */
    private void nativeBracketed(GuestLauncher launcher, String[] args) throws Exception {
        List<String> parts = List.of(ResultsSchema.C_FLOOR_TIMER_OVERHEAD, ResultsSchema.C_FLOOR_NATIVE_GETPPID_LIBC_LOOP);
        int calls = Math.min(mode.floorCalls(), Math.max(2000, mode.calls()));
        int partMillis = Math.min(mode.floorPartMillis(), 500);
        CFloorProbe.Result before;
        try {
            before = CFloorProbe.runOnly(parts, calls, 1, 1, partMillis);
        } catch (IllegalStateException e) {
            notes.add("the plain C loop around the native nullcall not measured (" + e.getMessage()
                    + "): the native check uses the whole-run probe's");
            measure(launcher, GuestLauncher.NATIVE, ResultsSchema.NULLCALL, args, null);
            return;
        }
        measure(launcher, GuestLauncher.NATIVE, ResultsSchema.NULLCALL, args, null);
        CFloorProbe.Result after = CFloorProbe.runOnly(parts, calls, 1, 1, partMillis);
        Map<String, Object> m = new LinkedHashMap<>();
        for (String part : parts) {
            Map<String, Object> sides = new LinkedHashMap<>();
            sides.put("before_p50_ns", before.line(part).p50());
            sides.put("after_p50_ns", after.line(part).p50());
            m.put(part, sides);
        }
        nativeBracket = m;
        System.out.printf("[torovj bench] nullcall native between plain C loops of %.0f ns before, %.0f ns after%n",
                before.line(ResultsSchema.C_FLOOR_NATIVE_GETPPID_LIBC_LOOP).p50(),
                after.line(ResultsSchema.C_FLOOR_NATIVE_GETPPID_LIBC_LOOP).p50());
    }

    /** Whether a transport's nullcall gets its C floor measured around it: on KVM, where cfloor's VM parts run. */
    private boolean pairsFloor(String transport) {
        return !transport.equals(GuestLauncher.NATIVE) && GuestLauncher.platform() != io.torovj.vmm.Platform.Kind.PROCESS;
    }

    /**
     * nullcall in {@link #NULLCALL_VMS} fresh VMs, the transport's headline C floor measured before,
     * between and after them (PairedFloor.interleaved), judged best against best; an undecided
     * bracket is measured again, the last one kept.
     */
    private void bracketed(GuestLauncher launcher, String transport, String[] args) throws Exception {
        String[] perVmArgs = {Integer.toString(Math.max(1, Integer.parseInt(args[0]) / NULLCALL_VMS))};
        String floor = CFloorProbe.headlineFloor(TransportRegistry.load().provider(transport).floor());
        int calls = Math.min(mode.floorCalls(), Math.max(2000, mode.calls()));
        int exits = Math.min(mode.floorExits(), Math.max(1000, mode.calls() / 4));
        int partMillis = Math.min(mode.floorPartMillis(), 500);
        // the first transport's warm-up is the JVM's first pass through the monitor's paths, and a
        // compiler thread still at work shares the 2 CPUs with the vCPU and the spinning poller
        InvocationSampler.awaitQuietJit(InvocationSampler.MAX_EXTRA_WARMUP_NANOS);
        long jit0 = InvocationSampler.jitMillis();
        var bracket = PairedFloor.interleaved(floor, () -> PairedFloor.measure(floor, calls, exits, mode.floorVms(), partMillis),
                NULLCALL_VMS, round -> runVm(launcher, transport, ResultsSchema.NULLCALL, perVmArgs),
                vm -> vm.latency().getValueAtPercentile(50), (pair, again) -> System.out.printf(
                        "[torovj bench] nullcall %s, %d VMs between its floor %s: VMs %s, floors %s ns; best against best"
                        + " %.2f×%s; the JIT compiled for %d ms meanwhile%n", transport, pair.rounds(), floor,
                        whole(pair.roundP50s()), whole(pair.sideP50s()), pair.bestRatio(), drifted(pair, again),
                        InvocationSampler.jitMillis() - jit0));
        pooled(ResultsSchema.NULLCALL, transport, bracket.measured(), null);
        if (bracket.pair() == null) {
            notes.add("C floor around " + transport + "'s nullcall not measured (" + bracket.unmeasured()
                    + "): its distance to the floor uses the floor of the whole-run probe");
            return;
        }
        pairedFloors.put(transport, bracket.pair());
    }

    /** The end of a bracket's progress line: nothing when it decides, else what follows. */
    private static String drifted(PairedFloor pair, boolean again) {
        return pair.steady() ? "" : again ? ": undecided, measuring again" : ": undecided, kept";
    }

    private static List<String> whole(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList();
    }

    /** JVM heap bytes per forwarded call, the VM's set-up and teardown left out (CallAllocation), per JMH workload. */
    private void callAllocation(GuestLauncher launcher, String transport) {
        CallAllocation allocation = new CallAllocation(launcher);
        Map<String, java.util.function.IntFunction<String[]>> workloads = new LinkedHashMap<>();
        workloads.put(ResultsSchema.NULLCALL, calls -> new String[] {Integer.toString(calls)});
        workloads.put(ResultsSchema.WRITE, calls -> new String[] {Integer.toString(calls), "64"});
        workloads.put(ResultsSchema.MMAP, calls -> new String[] {Integer.toString(calls / 2), "16"});
        for (var w : workloads.entrySet()) {
            CallAllocation.Bytes b = allocation.measure(transport, w.getKey(), w.getValue());
            rows.add(MetricRow.mean(w.getKey(), transport, ResultsSchema.ALLOC_PER_CALL, b.perCall(), null,
                    ResultsSchema.UNIT_BYTES, CallAllocation.REPEATS));
            System.out.printf("[torovj bench] allocation %s %s: %.3f B per call, %d B per VM of %d calls%n", w.getKey(),
                    transport, b.perCall(), b.perVm(), CallAllocation.SMALL);
        }
    }

    /** echo's messages per run: every transaction, warm-up included; the server stops at the client's close. */
    private int echoMessages() {
        return mode.rrWarmup() + mode.rrTransactions();
    }

    /**
     * The echo workload under the client-timed request/response measurement (EchoClient): its
     * round trips and transactions per second as echo-rr, and the guest's own per-call samples as
     * echo (which include waiting for the client, see ResultsSchema).
     */
    private void echo(GuestLauncher launcher, String transport) throws Exception {
        long began = System.nanoTime();
        int port = EchoClient.freePort();
        CompletableFuture<EchoClient.RoundTrips> client = EchoClient.start(port, mode.rrWarmup(), mode.rrTransactions());
        // a message split over two recv calls counts twice in the guest: room for that, the close ends it
        String maxMessages = Integer.toString(2 * echoMessages() + 16);
        measure(launcher, transport, ResultsSchema.ECHO, new String[] {Integer.toString(port), maxMessages}, client);
        EchoClient.RoundTrips r = client.get(30, TimeUnit.SECONDS);
        addPercentiles(ResultsSchema.ECHO_RR, transport, r.roundTrips());
        rows.add(new MetricRow(ResultsSchema.ECHO_RR, transport, ResultsSchema.THROUGHPUT, ResultsSchema.MEAN, r.perSecond(),
                null, ResultsSchema.UNIT_PER_S, r.transactions()));
        LatencyRecorder.writeLog(r.roundTrips(), results.resolve(ResultsSchema.HDR_DIR)
                .resolve(ResultsSchema.ECHO_RR + "-" + transport + ResultsSchema.HDR_SUFFIX), ResultsSchema.ECHO_RR + " " + transport);
        System.out.printf("[torovj bench] echo-rr %s: p50 %.1f us, p99 %.1f us, %.0f transactions/s (echo run %.1f s)%n", transport,
                r.roundTrips().getValueAtPercentile(50) / 1e3, r.roundTrips().getValueAtPercentile(99) / 1e3, r.perSecond(),
                (System.nanoTime() - began) / 1e9);
    }

    /**
     * One workload's rows for one transport: its per-call latency percentiles, CPU per call and
     * resident memory, from one fresh VM (or the native process); {@code peer} (may be null) is
     * the client the workload serves, waited for before the rows.
     */
    private void measure(GuestLauncher launcher, String transport, String workload, String[] args,
                         CompletableFuture<?> peer) throws Exception {
        if (!transport.equals(GuestLauncher.NATIVE)) {
            pooled(workload, transport, List.of(runVm(launcher, transport, workload, args)), peer);
            return;
        }
        NativeUsage.Sampled sampled = NativeUsage.sampled(latency, workload, args);
        Histogram h = sampled.latency();
        if (peer == null) {
            // peak RSS from a second run without the latency buffer, which would dominate it
            Path usage = Files.createTempFile("torovj-usage", ".txt");
            try {
                NativeUsage plain = NativeUsage.run(usage, List.of(), workload, args);
                rows.add(new MetricRow(workload, transport, ResultsSchema.NATIVE_PEAK_RSS, ResultsSchema.MAX,
                        plain.peakRssBytes(), null, ResultsSchema.UNIT_BYTES, 1));
            } finally {
                Files.deleteIfExists(usage);
            }
        }
        latencyRows(workload, transport, h, Math.max(1, h.getTotalCount()), sampled.usage().cpuNanos(), peer);
    }

    /** One fresh VM's run of a workload: its per-call samples (ns), and what it cost. */
    private record VmSample(Histogram latency, long syscalls, double cpuNanos, long residentBytes) {}

    private VmSample runVm(GuestLauncher launcher, String transport, String workload, String[] args) {
        long cpu0 = processCpuNanos();
        VmResult r = launcher.vm(transport, Math.max(mode.calls() * 2 + 16, echoMessages() * 2 + 16), workload, args);
        double cpu = processCpuNanos() - cpu0;
        return new VmSample(latency.fromCycles(r.latencyCycles()), r.syscalls(), cpu, r.residentBytes());
    }

    /** The rows of a workload run in one or more fresh VMs: their samples in one histogram. */
    private void pooled(String workload, String transport, List<VmSample> vms, CompletableFuture<?> peer) throws Exception {
        Histogram h = LatencyRecorder.newHistogram();
        long calls = 0, resident = 0;
        double cpuNanos = 0;
        StringJoiner perVm = new StringJoiner(", ");
        for (VmSample v : vms) {
            h.add(v.latency());
            calls += v.syscalls();
            cpuNanos += v.cpuNanos();
            resident = Math.max(resident, v.residentBytes());
            perVm.add(Long.toString(v.latency().getValueAtPercentile(50)));
        }
        if (vms.size() > 1) perVmMedians.put(workload + " " + transport, perVm.toString());
        rows.add(new MetricRow(workload, transport, ResultsSchema.GUEST_RESIDENT, ResultsSchema.MAX,
                resident, null, ResultsSchema.UNIT_BYTES, 1));
        latencyRows(workload, transport, h, Math.max(1, calls), cpuNanos, peer);
    }

    /** A workload's latency percentiles and CPU per call (after its peer, if any, is done), and its HdrHistogram log. */
    private void latencyRows(String workload, String transport, Histogram h, long calls, double cpuNanos, CompletableFuture<?> peer)
            throws Exception {
        if (peer != null) peer.get(30, TimeUnit.SECONDS);
        addPercentiles(workload, transport, h);
        rows.add(new MetricRow(workload, transport, ResultsSchema.CPU_PER_CALL, ResultsSchema.MEAN, cpuNanos / calls,
                null, ResultsSchema.UNIT_NS, calls));
        LatencyRecorder.writeLog(h, results.resolve(ResultsSchema.HDR_DIR).resolve(workload + "-" + transport + ResultsSchema.HDR_SUFFIX),
                workload + " " + transport);
    }

    /**
     * The native build of nullcall, unmodified (the same bytes as the native run), as a VM: its
     * samples come from its own runtime's file, written through the VM's transport at its exit.
     */
    private void unmodified(GuestLauncher launcher, Path root, String transport, SyscallEntry entry, String workload, String calls)
            throws Exception {
        Path samples = root.resolve("latency-" + workload + ".bin");
        try {
            long cpu0 = processCpuNanos();
            VmResult r = launcher.unmodified(transport, entry, samples.getFileName().toString(), ResultsSchema.NULLCALL, calls);
            double cpuNanos = processCpuNanos() - cpu0;
            Histogram h = latency.fromNativeFile(samples);
            addPercentiles(workload, transport, h);
            rows.add(new MetricRow(workload, transport, ResultsSchema.CPU_PER_CALL, ResultsSchema.MEAN, cpuNanos / Math.max(1, r.syscalls()),
                    null, ResultsSchema.UNIT_NS, Math.max(1, r.syscalls())));
            LatencyRecorder.writeLog(h, results.resolve(ResultsSchema.HDR_DIR).resolve(workload + "-" + transport + ResultsSchema.HDR_SUFFIX),
                    workload + " " + transport);
        } finally {
            Files.deleteIfExists(samples);
        }
    }

    private void addPercentiles(String workload, String transport, Histogram h) {
        rows.addAll(LatencyRecorder.percentileRows(workload, transport, h));
    }

    /**
     * The price of polling: latency and host CPU per call against the guest's think time between calls, natively
     * and for {@link ThinkTimeRuns#TRANSPORTS} (after the latency runs: each point's call count comes from the
     * transport's nullcall median).
     */
    private void thinkTime() throws Exception {
        List<String> ts = transports.stream()
                .filter(t -> t.equals(GuestLauncher.NATIVE) || ThinkTimeRuns.TRANSPORTS.contains(t)).toList();
        progress("think time: " + ResultsSchema.THINK_TIMES_NS + " ns between calls, " + ts + ", ~"
                + mode.thinkPointMillis() + " ms per point");
        notes.add("think-<ns>: getppid calls with <ns> of guest computation (a TSC spin) between them; host CPU per call"
                + " is all the monitor JVM's threads over the whole run (the vCPU thread running the guest's think time"
                + " too, pollers, the VM's set-up and teardown, JIT, GC) divided by the calls; native: the process's"
                + " user+system time, think time included");
        Path root = Files.createTempDirectory("torovj-bench");
        try (GuestLauncher launcher = new GuestLauncher(root)) {
            ThinkTimeRuns runs = new ThinkTimeRuns(latency, launcher, mode.thinkPointMillis());
            for (String t : ts) {
                double callNanos = rows.stream().filter(r -> r.workload().equals(ResultsSchema.NULLCALL)
                                && r.transport().equals(t) && r.metric().equals(ResultsSchema.LATENCY)
                                && r.statistic().equals(ResultsSchema.P50))
                        .mapToDouble(MetricRow::baseValue).findFirst().orElse(1000);
                for (long think : ResultsSchema.THINK_TIMES_NS) {
                    ThinkTimeRuns.Point p = runs.measure(t, think, ThinkTimeRuns.calls(mode.thinkPointMillis() * 1_000_000L,
                            think, callNanos));
                    rows.addAll(p.rows());
                    System.out.printf("[torovj bench] think %d ns %s: %d calls, p50 %.0f ns, host CPU %.0f ns per call%n",
                            think, t, p.calls(), p.p50Nanos(), p.cpuPerCallNanos());
                }
            }
        } finally {
            Files.deleteIfExists(root);
        }
    }

    /** The httpd workload under wrk, native and every transport: requests/s and latency percentiles. */
    private void httpd() throws Exception {
        if (!HttpdLoad.wrkAvailable()) {
            notes.add("httpd: wrk is not installed (Debian package wrk): no httpd rows");
            progress("httpd under wrk: skipped, wrk is not installed");
            return;
        }
        Path root = Files.createTempDirectory("torovj-bench");
        try {
            HttpdLoad load = new HttpdLoad(mode, root);
            progress("httpd under wrk: " + load.describe());
            notes.add("httpd: " + load.describe() + "; wrk's thread competes with the vCPU and any poller thread for the"
                    + " CPUs, and a ring guest spins on its completion queue while the monitor waits in epoll_wait");
            for (String t : transports) {
                WrkRun r = t.equals(GuestLauncher.NATIVE) ? load.runNative() : load.runVm(t);
                rows.addAll(HttpdRows.of(t, r));
                System.out.printf("[torovj bench] httpd %s: %.0f requests/s, p50 %.0f us, p99 %.0f us%n", t,
                        r.requestsPerSecond(), r.percentilesMicros().get(50), r.percentilesMicros().get(99));
            }
        } finally {
            Files.deleteIfExists(root);
        }
    }

    /**
     * The distance to the physical limit, as each transport's provider names it: a bare exit
     * through the null doorbell for the exit-based ones, a cache-line ping-pong for the rings.
     */
    private void floors() throws Exception {
        progress("floors: empty exit round trip and cache-line ping-pong");
        TransportRegistry registry = TransportRegistry.load();
        Histogram pingPong = null;
        Path root = Files.createTempDirectory("torovj-bench");
        try (GuestLauncher launcher = new GuestLauncher(root)) {
            for (String transport : transports) {
                if (transport.equals(GuestLauncher.NATIVE)) continue;
                TransportProvider.Floor floor = registry.provider(transport).floor();
                Histogram h;
                String workload;
                if (floor.isExit()) {
                    // the null doorbell of the transport's kind, rung from a VM over that transport
                    launcher.vm(transport, 0, "floor", floor.nullDoorbell(), Integer.toString(mode.calls()));   // warm-up, as above
                    VmResult r = launcher.vm(transport, mode.calls() + 16, "floor", floor.nullDoorbell(), Integer.toString(mode.calls()));
                    h = latency.fromCycles(r.latencyCycles());
                    workload = ResultsSchema.FLOOR_EXIT;
                } else {
                    // one ping-pong measurement is the floor of every ring transport in this run
                    if (pingPong == null) pingPong = RingFloor.measure(Math.max(200, mode.calls() / 20));
                    h = pingPong;
                    workload = ResultsSchema.FLOOR_PINGPONG;
                }
                addPercentiles(workload, transport, h);
                LatencyRecorder.writeLog(h, results.resolve(ResultsSchema.HDR_DIR)
                        .resolve(workload + "-" + transport + ResultsSchema.HDR_SUFFIX), floor.name().toLowerCase(java.util.Locale.ROOT));
            }
        } finally {
            Files.deleteIfExists(root);
        }
    }

    /**
     * The floors measured by plain C (the cfloor tool), independent of the monitor: every one
     * under {@code native}, and each transport's headline floor again under its name (see
     * ResultsSchema, "Floors").
     */
    private void cFloors() throws Exception {
        boolean processPlatform = GuestLauncher.platform() == io.torovj.vmm.Platform.Kind.PROCESS;
        Path image = processPlatform ? null : helloImage();
        List<String> args = CFloorProbe.arguments(mode, !processPlatform, image);
        progress("C floors (cfloor " + String.join(" ", args) + ")");
        CFloorProbe.Result r = CFloorProbe.run(mode, !processPlatform, image);
        CFloorProbe.writeRaw(results, r);
        Map<String, Object> cfloor = CFloorProbe.environment(r, args);
        if (!pairedFloors.isEmpty()) {
            Map<String, Object> paired = new LinkedHashMap<>();
            pairedFloors.forEach((t, p) -> paired.put(t, p.environment()));
            cfloor.put("paired", paired);
            notes.add("distance to the floor: each transport's C floor (under its name) was measured with cfloor --only right"
                    + " before its first nullcall VM, between every two of its " + NULLCALL_VMS + " VMs and after the last, and is"
                    + " the mean of those (per percentile); the floors of the whole-run probe are under native. The target is"
                    + " judged best against best (what the host adds only ever adds time): the fastest VM's p50 over the fastest"
                    + " floor's; a bracket where a side's fastest had no second draw within " + Math.round(100 * PairedFloor.MAX_DRIFT)
                    + "% of it, or whose ratio was below " + PairedFloor.MIN_BEST_RATIO + " (the floors missed a placement the VMs"
                    + " met) was measured again, up to " + PairedFloor.MAX_ATTEMPTS + " times");
        }
        if (nativeBracket != null) cfloor.put("paired_native", nativeBracket);
        environmentExtra.put("cfloor", cfloor);
        cfloorEnvironment = cfloor;
        for (CFloorProbe.Line l : r.lines()) rows.addAll(CFloorProbe.rows(l, GuestLauncher.NATIVE));
        if (processPlatform) {
            notes.add("C floors: the probe's KVM parts were not run (process platform): only the native and thread"
                    + " floors were measured");
        } else if (r.kvmProblem() != null) {
            notes.add("C floors: " + r.kvmProblem() + "; only the native and thread floors were measured");
            System.out.println("[torovj bench] WARNING: " + r.kvmProblem());
        }
        if (!processPlatform) {
            TransportRegistry registry = TransportRegistry.load();
            for (String transport : transports) {
                if (transport.equals(GuestLauncher.NATIVE)) continue;
                PairedFloor pair = pairedFloors.get(transport);
                CFloorProbe.Line headline = pair != null ? pair.combined()
                        : r.line(CFloorProbe.headlineFloor(registry.provider(transport).floor()));
                if (headline != null) rows.addAll(CFloorProbe.rows(headline, transport));
            }
        }
        for (String f : r.facts()) {
            if (f.startsWith("truncated")) notes.add("C floors: " + f + ": fewer samples than asked");
        }
        System.out.println("[torovj bench] C floors, p50: " + CFloorProbe.summary(r));
    }

    /**
     * The monitor's memory per VM for every transport, in a JVM of its own (MemoryProbeRun): idle
     * pooled HelloWorld VMs (the density) and live echo VMs, each a least-squares fit over 0, n/2
     * and n VMs alive; and the native HelloWorld's peak RSS.
     */
    private void memory() throws Exception {
        BenchMode.Serverless s = mode.serverless();
        progress("memory per VM: 0, " + s.pooledVms() / 2 + ", " + s.pooledVms() + " pooled idle and 0, " + s.liveVms() / 2
                + ", " + s.liveVms() + " live VMs per transport, in a JVM of their own (" + String.join(" ", MemoryProbeRun.JVM_OPTIONS) + ")");
        notes.add("memory per VM: least-squares slope of the monitor's memory against VMs alive, in a JVM of its own with a fixed,"
                + " pre-touched heap (" + String.join(" ", MemoryProbeRun.JVM_OPTIONS) + "), after a full GC at each point; host_rss_per_vm ="
                + " the RSS slope (smaps_rollup: guest RAM pages touched, kvm_run and ring pages, thread stacks of the vCPU, pool-worker"
                + " and poller threads, malloc arenas) + the live Java heap slope (the VM's Java objects); host_kernel_per_vm ="
                + " the host's Slab + PageTables + SecPageTables + KernelStack slope (KVM's own structures and shadow page tables; host-wide,"
                + " so other processes move it: see R²). Not included in either: nothing the kernel does not account to them."
                + (GuestLauncher.platform() == io.torovj.vmm.Platform.Kind.PROCESS
                        ? " PROCESS PLATFORM: each VM is a child process whose memory is not in the monitor's RSS" : ""));
        for (String transport : transports) {
            if (transport.equals(GuestLauncher.NATIVE)) continue;
            MemoryProbeRun.Result r = MemoryProbeRun.run(transport, s.pooledVms(), s.liveVms());
            memoryRows(ResultsSchema.SERVE_POOL, transport, r.pooled());
            memoryRows(ResultsSchema.ECHO, transport, r.live());
            notes.add(MemoryProbeRun.describe("pooled idle HelloWorld VMs", transport, r.pooled()));
            notes.add(MemoryProbeRun.describe("live echo VMs", transport, r.live()));
            System.out.printf("[torovj bench] memory %s: pooled %.1f KiB/VM (%.0f VMs/GiB), live %.1f KiB/VM%n", transport,
                    r.pooled().monitorBytesPerVm() / 1024, (1L << 30) / r.pooled().monitorBytesPerVm(), r.live().monitorBytesPerVm() / 1024);
        }
        Path usage = Files.createTempFile("torovj-usage", ".txt");
        try {
            NativeUsage u = NativeUsage.run(usage, List.of(), ResultsSchema.HELLOWORLD);
            rows.add(new MetricRow(ResultsSchema.HELLOWORLD, GuestLauncher.NATIVE, ResultsSchema.NATIVE_PEAK_RSS, ResultsSchema.MAX,
                    u.peakRssBytes(), null, ResultsSchema.UNIT_BYTES, 1));
        } finally {
            Files.deleteIfExists(usage);
        }
    }

    private void memoryRows(String workload, String transport, MemoryGrowth g) {
        rows.add(MetricRow.mean(workload, transport, ResultsSchema.HOST_RSS_PER_VM, g.monitorBytesPerVm(), null,
                ResultsSchema.UNIT_BYTES, g.maxVms()));
        rows.add(MetricRow.mean(workload, transport, ResultsSchema.HOST_KERNEL_PER_VM, g.kernel().slope(), null,
                ResultsSchema.UNIT_BYTES, g.maxVms()));
    }

    /**
     * HelloWorld invoked the serverless ways, per transport: a warm pool in the monitor and through
     * the HTTP API, a cold VM, the whole `torovj run` command, and natively (fork+exec); then the
     * HTTP throughput against concurrent clients with a pool of 4.
     */
    private void serverless() throws Exception {
        BenchMode.Serverless s = mode.serverless();
        progress("serverless: invocation latency (" + s.warmInvocations() + " warm, " + s.coldRuns() + " cold, " + s.cliRuns()
                + " `torovj run` per transport) and HTTP throughput with " + ResultsSchema.SERVE_CLIENTS + " clients");
        notes.add("invocation latency: closed-loop samples (System.nanoTime) after a tenth as many untimed: " + s.warmInvocations()
                + " reset + run + collect cycles of one pooled VM on one thread (serve-reset), as many warm-pool invocations in the"
                + " monitor (serve-warm: the worker resets the VM after answering) and through the HTTP API (serve-http) per"
                + " transport, pool of "
                + ServeBench.POOL + "; " + s.coldRuns() + " cold VMs (helloworld wall: build, run, close; native: fork+exec+wait); "
                + s.cliRuns() + " whole commands per transport (cli-run: " + InvocationSampler.cliCommand("T")
                + ", a JVM each, timed once this JVM's JIT had compiled nothing for " + InvocationSampler.QUIET_JIT_WINDOW_MILLIS
                + " ms (at most " + InvocationSampler.MAX_EXTRA_WARMUP_NANOS / 1_000_000_000L + " s of waiting); native: the native binary spawned)");
        notes.add("HTTP throughput: serve-http-cN = invocations/s through the HTTP API with N concurrent closed-loop clients (one"
                + " java.net.http client, HTTP/1.1 keep-alive, one connection per client), a pool of " + ResultsSchema.SERVE_THROUGHPUT_POOL
                + ", " + s.throughputMillis() + " ms per level after " + s.throughputMillis() / 5 + " ms of warm-up; the clients, the pool"
                + " workers and the HTTP server share the " + Runtime.getRuntime().availableProcessors() + " CPUs");
        Path root = Files.createTempDirectory("torovj-bench");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (GuestLauncher launcher = new GuestLauncher(root)) {
            for (String t : transports) {
                if (t.equals(GuestLauncher.NATIVE)) {
                    invocationRows(ResultsSchema.HELLOWORLD, t, InvocationSampler.nativeSpawn(s.coldRuns()));
                    invocationRows(ResultsSchema.CLI_RUN, t, InvocationSampler.nativeSpawn(s.cliRuns()));
                    continue;
                }
                try (FunctionRegistry registry = HelloFunction.registry()) {
                    registry.define(HelloFunction.definition("hello", t, ServeBench.POOL));
                    registry.define(HelloFunction.definition("hello4", t, ResultsSchema.SERVE_THROUGHPUT_POOL));
                    try (HttpApi api = HttpApi.start(new InetSocketAddress("127.0.0.1", 0), registry, root)) {
                        invocationRows(ResultsSchema.SERVE_RESET, t, InvocationSampler.resetCycle(t, s.warmInvocations()));
                        invocationRows(ResultsSchema.SERVE_WARM, t, InvocationSampler.warm(registry.pool("hello").orElseThrow(), s.warmInvocations()));
                        invocationRows(ResultsSchema.SERVE_HTTP, t, InvocationSampler.http(client, invokeRequest(api, "hello"), s.warmInvocations()));
                        StringBuilder line = new StringBuilder();
                        for (int clients : ResultsSchema.SERVE_CLIENTS) {
                            HttpThroughput r = HttpThroughput.measure(client, invokeRequest(api, "hello4"), clients, s.throughputMillis());
                            rows.add(MetricRow.mean(ResultsSchema.serveHttpClients(clients), t, ResultsSchema.THROUGHPUT, r.perSecond(),
                                    null, ResultsSchema.UNIT_PER_S, r.invocations()));
                            line.append(String.format(" %d: %.0f/s", clients, r.perSecond()));
                        }
                        System.out.println("[torovj bench] serve " + t + " HTTP throughput by clients:" + line);
                    }
                }
                coldBracketed(launcher, t, s);
                invocationRows(ResultsSchema.CLI_RUN, t, InvocationSampler.cli(repo, t, s.cliRuns()));
            }
        } finally {
            Files.deleteIfExists(root);
        }
        if (HttpThroughput.retried() > 0) {
            notes.add("HTTP: " + HttpThroughput.retried() + " request(s) sent again after the JDK 17 client's connection pool"
                    + " lost the response (\"connection closed locally\", JDK-8336655); each counts once");
        }
        if (!lifecycleFloors.isEmpty()) {
            Map<String, Object> paired = new LinkedHashMap<>();
            lifecycleFloors.forEach((t, p) -> paired.put(t, p.environment()));
            if (cfloorEnvironment != null) cfloorEnvironment.put("paired_lifecycle", paired);
            if (cfloorEnvironment != null && !likeForLike.isEmpty()) cfloorEnvironment.put("like_for_like", likeForLike);
            notes.add("cold VMs against the C VM lifecycle: each transport's " + ResultsSchema.C_FLOOR_VM_LIFECYCLE
                    + " (under its name) was measured right before and right after its " + s.coldRuns() + " timed cold VMs"
                    + " (which follow at least " + s.coldWarmup() + " untimed ones, then more until the JIT is quiet: a fresh VM in a"
                    + " warm JVM), with cfloor --only, and is"
                    + " the mean of the two; the thread that builds, runs (pio, mmio: the vCPU is that thread) and closes"
                    + " each cold VM was pinned to one CPU meanwhile, as cfloor pins its lifecycle's thread (KVM's per-VM"
                    + " worker inherits the creating thread's CPUs; unpinned, it starts and stops across CPUs:"
                    + " " + ResultsSchema.C_FLOOR_VM_LIFECYCLE_UNPINNED + " in the whole-run probe is the C lifecycle so);"
                    + " a bracket whose floors differed by more than "
                    + Math.round(100 * PairedFloor.MAX_DRIFT) + "% was measured again, up to " + PairedFloor.MAX_ATTEMPTS + " times");
        }
    }

    /**
     * HelloWorld's cold VMs per transport, after the warm-up, between two measurements of the C VM
     * lifecycle (PairedFloor) on KVM; a bracket whose floors drift apart is measured again, the
     * last one kept. Where each VM's time went (build steps, run, close) goes into the notes.
     */
    private void coldBracketed(GuestLauncher launcher, String transport, BenchMode.Serverless s) throws Exception {
        String floor = ResultsSchema.C_FLOOR_VM_LIFECYCLE;
        int warmed = InvocationSampler.warmCold(launcher, transport, s.coldWarmup(), InvocationSampler.MAX_EXTRA_WARMUP_NANOS);
        CFloorProbe.Result replayBefore = pairsFloor(transport) ? measureReplay() : null;
        PairedFloor.Measurement<InvocationSampler.ColdSamples> coldVms =
                () -> InvocationSampler.coldWhileJitQuiet(launcher, transport, s.coldRuns(), COLD_JIT_ATTEMPTS);
        var bracket = pairsFloor(transport)
                ? PairedFloor.bracket(floor, this::measureLifecycle, coldVms, (pair, again) -> System.out.printf(
                        "[torovj bench] cold VMs %s between %s: %.0f us before, %.0f us after (drift %.0f%%)%s%n", transport, floor,
                        pair.before().p50() / 1e3, pair.after().p50() / 1e3, 100 * pair.drift(), drifted(pair, again)))
                : new PairedFloor.Bracketed<>(coldVms.run(), null, null);
        if (bracket.unmeasured() != null) {
            notes.add("C VM lifecycle around " + transport + "'s cold VMs not measured (" + bracket.unmeasured()
                    + "): its ratio uses the floor of the whole-run probe");
        }
        InvocationSampler.ColdSamples cold = bracket.measured();
        PairedFloor pair = bracket.pair();
        invocationRows(ResultsSchema.HELLOWORLD, transport, cold.wall());
        if (pair != null) {
            lifecycleFloors.put(transport, pair);
            rows.addAll(CFloorProbe.rows(pair.combined(), transport));
        }
        if (replayBefore != null) likeForLike(transport, cold, replayBefore, measureReplay());
        notes.add("cold VM " + transport + ", where the time goes (median per phase over the " + s.coldRuns()
                + " VMs; the build's steps are VmBuilder's): " + cold.medians() + "; after " + warmed + " untimed VMs; the JIT"
                + " compiled for " + cold.jitMillis() + " ms of their " + cold.wallMillis() + " ms"
                + (cold.attempts() > 1 ? " (measured " + cold.attempts() + " times: the JIT was at work in the VMs before)" : "")
                + (pair != null && pair.stepsBefore() != null && pair.stepsAfter() != null
                        ? "; the C lifecycle's steps (median) right before: " + pair.stepsBefore() + ", right after: " + pair.stepsAfter()
                        : ""));
    }

    /**
     * The boot image of a cold pio HelloWorld, the VM the serverless part times cold (same program and
     * configuration), written once into the results folder for cfloor's {@link ResultsSchema#C_FLOOR_VM_HELLO}.
     */
    private Path helloImage() throws Exception {
        Path file = results.resolve(ResultsSchema.HELLO_BOOT_IMAGE);
        if (Files.exists(file)) return file;
        Path root = Files.createTempDirectory("torovj-image");
        try (GuestLauncher launcher = new GuestLauncher(root);
             io.torovj.vmm.Vm vm = io.torovj.vmm.VmBuilder.build(launcher.vmConfig(HELLO_IMAGE_TRANSPORT, "helloworld"))) {
            vm.writeBootImage(file);
        } finally {
            Files.deleteIfExists(root);
        }
        return file;
    }

    /** The transport of the boot image cfloor replays: its C VMM serves I/O-port requests. */
    private static final String HELLO_IMAGE_TRANSPORT = "pio";

    /**
     * The C lifecycle and the C replay of pio HelloWorld's boot image, back to back in one cfloor
     * run: their difference is HelloWorld's own guest work whatever the host's placement.
     */
    private CFloorProbe.Result measureReplay() throws Exception {
        return CFloorProbe.runOnly(List.of(ResultsSchema.C_FLOOR_VM_LIFECYCLE, ResultsSchema.C_FLOOR_VM_HELLO),
                mode.floorCalls(), mode.floorExits(), mode.floorVms(), Math.min(mode.floorPartMillis(), 500), helloImage());
    }

    /**
     * A transport's cold VMs against the like-for-like floor, {@link #measureReplay} right before the
     * timed cold VMs and right after them (the placement can change between the two: each
     * percentile is their mean, and their drift is noted): into the notes beside the cold VMs' p50,
     * and the replay's rows under the transport's name (the floor the report sets beside the target).
     */
    private void likeForLike(String transport, InvocationSampler.ColdSamples cold, CFloorProbe.Result before,
                             CFloorProbe.Result after) {
        PairedFloor hello = pair(ResultsSchema.C_FLOOR_VM_HELLO, before, after);
        PairedFloor lifecycle = pair(ResultsSchema.C_FLOOR_VM_LIFECYCLE, before, after);
        double helloP50 = hello.combined().p50(), lifecycleP50 = lifecycle.combined().p50();
        double coldP50 = cold.wall().getValueAtPercentile(50);
        rows.addAll(CFloorProbe.rows(hello.combined(), transport));
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("hello", hello.environment());
        facts.put("lifecycle", lifecycle.environment());
        facts.put("cold_p50_ns", coldP50);
        likeForLike.put(transport, facts);
        notes.add(String.format(java.util.Locale.ROOT, "cold VM %s against the like-for-like floor, measured right before and right after"
                        + " its cold VMs, each time in one cfloor run with the lifecycle: %s (pio HelloWorld's boot image, as the monitor"
                        + " built it, replayed by C; steps after: %s) p50 %.0f and %.0f µs (drift %.0f%%), %s (steps after: %s) p50 %.0f"
                        + " and %.0f µs; HelloWorld's own guest work (its pages and its second exit) adds %.0f µs (%.2f×) to the lifecycle"
                        + " (means); the cold VMs' p50 %.0f µs is %.2f× the replay's mean: the monitor's own share is %.0f µs",
                transport, ResultsSchema.C_FLOOR_VM_HELLO, hello.stepsAfter(), hello.before().p50() / 1e3, hello.after().p50() / 1e3,
                100 * hello.drift(), ResultsSchema.C_FLOOR_VM_LIFECYCLE, lifecycle.stepsAfter(), lifecycle.before().p50() / 1e3,
                lifecycle.after().p50() / 1e3, (helloP50 - lifecycleP50) / 1e3, helloP50 / lifecycleP50, coldP50 / 1e3,
                coldP50 / helloP50, (coldP50 - helloP50) / 1e3));
    }

    /** Part {@code floor} of two cfloor runs as one bracket (its mean and drift). */
    private static PairedFloor pair(String floor, CFloorProbe.Result before, CFloorProbe.Result after) {
        return PairedFloor.of(floor, new PairedFloor.Side(before.line(floor), null, before.steps(floor)),
                new PairedFloor.Side(after.line(floor), null, after.steps(floor)), 1);
    }

    private PairedFloor.Side measureLifecycle() throws IOException, InterruptedException {
        return PairedFloor.measure(ResultsSchema.C_FLOOR_VM_LIFECYCLE, mode.floorCalls(), mode.floorExits(), mode.floorVms(),
                Math.min(mode.floorPartMillis(), 500));
    }

    private static HttpRequest invokeRequest(HttpApi api, String function) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.address().getPort() + "/functions/" + function + "/invoke"))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
    }

    /** Wall-time percentiles of one way of invoking HelloWorld, and its HdrHistogram log. */
    private void invocationRows(String workload, String transport, Histogram h) throws IOException {
        for (String stat : ResultsSchema.PERCENTILE_STATISTICS) {
            double value = stat.equals(ResultsSchema.MAX) ? h.getMaxValue() : h.getValueAtPercentile(ResultsSchema.PERCENTILES.get(stat));
            rows.add(new MetricRow(workload, transport, ResultsSchema.WALL, stat, value, null, ResultsSchema.UNIT_NS, h.getTotalCount()));
        }
        LatencyRecorder.writeLog(h, results.resolve(ResultsSchema.HDR_DIR).resolve(workload + "-" + transport + ResultsSchema.HDR_SUFFIX),
                workload + " " + transport + " wall per invocation");
        System.out.printf("[torovj bench] %s %s: p50 %.1f us, p99 %.1f us (n=%d)%n", workload, transport,
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getTotalCount());
    }

    /** CPU time of this JVM, every thread (vCPU threads, pollers, JIT, GC), ns. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private void progress(String what) {
        step++;
        System.out.printf("[torovj bench %d/%d, %s elapsed] %s%n", Math.min(step, steps), steps, elapsed(), what);
        System.out.flush();
    }

    private String elapsed() {
        long s = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        return String.format("%d:%02d", s / 60, s % 60);
    }
}
