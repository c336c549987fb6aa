package io.torovj.bench;

import io.torovj.serve.FunctionPool;
import io.torovj.sys.ThreadAffinity;
import io.torovj.vmm.Vm;
import io.torovj.vmm.VmBuilder;
import io.torovj.vmm.VmResult;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.HdrHistogram.Histogram;

/**
 * HelloWorld invocation latency, one way of invoking it per method, each a fixed number of
 * back-to-back (closed-loop) samples timed by System.nanoTime into an HdrHistogram in ns, after
 * a tenth as many untimed ones (at least one) as warm-up.
 */
final class InvocationSampler {
    private static final byte[] EMPTY = new byte[0];

    private interface Invocation {
        void run() throws Exception;
    }

    private InvocationSampler() {}

    /** A warm pool, inside the monitor: admit, take a ready VM, run, collect (as ServeBench.warmInvoke). */
    static Histogram warm(FunctionPool pool, int samples) throws Exception {
        return sample(samples, () -> {
            var r = pool.submit(EMPTY).get();
            if (!r.exited() || r.status() != 0) throw new IllegalStateException("hello ended " + r.ending() + " " + r.report());
        });
    }

    /**
     * A pooled VM's cycle on this thread: reset, run, collect (as ServeBench.resetRun; issue 11's
     * "reset + run + collect").
     */
    static Histogram resetCycle(String transport, int samples) throws Exception {
        try (PooledHelloVm vm = new PooledHelloVm(transport)) {
            return sample(samples, vm::cycle);
        }
    }

    /** Through the HTTP API: one POST on a kept-alive loopback connection (as ServeBench.httpInvoke). */
    static Histogram http(HttpClient client, HttpRequest request, int samples) throws Exception {
        return sample(samples, () -> {
            HttpResponse<byte[]> r = HttpThroughput.send(client, request);
            if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode());
        });
    }

    /**
     * Cold VMs' wall times, and where each VM's time went: the build's steps (VmBuilder's, as
     * {@code VmResult.buildNanos} gives them), the run, the close, in ns, one entry per timed VM;
     * the JIT's compilation time during them (-1: not measured) and their wall time, in ms; how
     * many times they were measured ({@link #coldWhileJitQuiet}).
     */
    record ColdSamples(Histogram wall, Map<String, long[]> phases, long jitMillis, long wallMillis, int attempts) {
        /** True if the JIT compiled for more than {@link #QUIET_JIT_SHARE} of the VMs' wall time. */
        boolean jitBusy() {
            return jitMillis > QUIET_JIT_SHARE * wallMillis;
        }

        /** These samples, as the {@code attempts}-th measurement. */
        ColdSamples measuredTimes(int attempts) {
            return new ColdSamples(wall, phases, jitMillis, wallMillis, attempts);
        }

        /** "input 13, memory 110, …, run 190, close 243 µs": each phase's median over the VMs. */
        String medians() {
            StringJoiner j = new StringJoiner(", ", "", " µs");
            phases.forEach((phase, nanos) -> {
                long[] sorted = nanos.clone();
                Arrays.sort(sorted);
                j.add(phase + " " + Math.round(sorted[sorted.length / 2] / 1e3));
            });
            return j.toString();
        }
    }

    /** VMs per window of {@link #warmCold}'s JIT check. */
    static final int WARM_WINDOW_VMS = 100;
    /** A window in which the JIT compiled for less than this share of the wall time counts as quiet. */
    static final double QUIET_JIT_SHARE = 0.05;
    /** The most the bench's {@link #warmCold} goes on after its minimum, waiting for a quiet window. */
    static final long MAX_EXTRA_WARMUP_NANOS = 3_000_000_000L;

    /**
     * Untimed cold VMs, what makes the JVM warm for {@link #cold}: at least {@code minVms}, then
     * windows of {@link #WARM_WINDOW_VMS} until one in which the JIT compiled for less than
     * {@link #QUIET_JIT_SHARE} of the time, for at most {@code maxExtraNanos} more. A VM's
     * build and teardown run thousands of methods once each, so C2 goes on compiling them for
     * some thousand VMs, in bursts; on 2 CPUs a compiler thread at work starves a polling
     * transport's poller or vCPU (measured: line's HelloWorld run 0.9 ms right after 1,000 VMs,
     * 0.2 ms after 1,200). Returns the VMs run.
     */
    static int warmCold(GuestLauncher launcher, String transport, int minVms, long maxExtraNanos) throws Exception {
        // pinned as the timed VMs run: see cold
        return ThreadAffinity.onLowestCpu(() -> warmColdPinned(launcher, transport, minVms, maxExtraNanos));
    }

    private static int warmColdPinned(GuestLauncher launcher, String transport, int minVms, long maxExtraNanos) {
        for (int i = 0; i < minVms; i++) launcher.vm(transport, 0, "helloworld");
        int vms = minVms;
        if (JIT == null) return vms;
        long deadline = System.nanoTime() + maxExtraNanos;
        while (System.nanoTime() < deadline) {
            long jit0 = JIT.getTotalCompilationTime(), wall0 = System.nanoTime();
            for (int i = 0; i < WARM_WINDOW_VMS; i++) launcher.vm(transport, 0, "helloworld");
            vms += WARM_WINDOW_VMS;
            double wallMillis = (System.nanoTime() - wall0) / 1e6;
            if (JIT.getTotalCompilationTime() - jit0 < QUIET_JIT_SHARE * wallMillis) break;
        }
        return vms;
    }

    /**
     * Waits until this JVM's JIT has been idle for a {@link #QUIET_JIT_WINDOW_MILLIS} window, for at
     * most {@code maxNanos}: a whole command timed right after thousands of cold VMs otherwise shares
     * the 2 CPUs with the bench's own C2 compiling them (a command measured here is its own cost).
     */
    static void awaitQuietJit(long maxNanos) throws InterruptedException {
        if (JIT == null) return;
        long deadline = System.nanoTime() + maxNanos;
        while (System.nanoTime() < deadline) {
            long jit0 = JIT.getTotalCompilationTime();
            Thread.sleep(QUIET_JIT_WINDOW_MILLIS);
            if (JIT.getTotalCompilationTime() == jit0) return;
        }
    }

    /** The JIT's compilation time so far, ms; -1 where the JVM does not measure it. */
    static long jitMillis() {
        return JIT == null ? -1 : JIT.getTotalCompilationTime();
    }

    /** How long the JIT must compile nothing before a whole command is timed. */
    static final long QUIET_JIT_WINDOW_MILLIS = 200;

    /** The JIT's compilation time, where the JVM measures it (else null: no quiet check). */
    private static final CompilationMXBean JIT = jit();

    private static CompilationMXBean jit() {
        CompilationMXBean b = ManagementFactory.getCompilationMXBean();
        return b != null && b.isCompilationTimeMonitoringSupported() ? b : null;
    }

    /**
     * Cold VMs: each built, loaded, run to the guest's exit and closed (as HelloWorldBench); in a
     * warm JVM after {@link #warmCold}. This thread, which builds, runs (pio, mmio: the vCPU is
     * this thread) and closes each VM, is pinned to one CPU meanwhile, as cfloor pins its VM
     * lifecycle's thread: KVM's per-VM worker then starts and stops on that CPU as well (see
     * ThreadAffinity; a polling transport's poller still runs wherever the scheduler puts it).
     */
    static ColdSamples cold(GuestLauncher launcher, String transport, int samples) throws Exception {
        return ThreadAffinity.onLowestCpu(() -> coldPinned(launcher, transport, samples));
    }

    private static ColdSamples coldPinned(GuestLauncher launcher, String transport, int samples) throws Exception {
        long jit0 = jitMillis(), wall0 = System.nanoTime();
        Histogram h = LatencyRecorder.newHistogram();
        Map<String, long[]> phases = new LinkedHashMap<>();
        long[] run = new long[samples], close = new long[samples];
        for (int i = 0; i < samples; i++) {
            long t0 = System.nanoTime();
            VmResult r;
            long t1, t2;
            try (Vm vm = VmBuilder.build(launcher.vmConfig(transport, "helloworld"))) {
                t1 = System.nanoTime();
                r = vm.run();
                t2 = System.nanoTime();
            }
            long t3 = System.nanoTime();
            GuestLauncher.checked(r, transport, "helloworld");
            h.recordValue(Math.max(1, Math.min(t3 - t0, h.getHighestTrackableValue())));
            final int k = i;
            r.buildNanos().forEach((step, nanos) -> phases.computeIfAbsent(step, x -> new long[samples])[k] = nanos);
            run[i] = t2 - t1;
            close[i] = t3 - t2;
        }
        phases.put("run", run);
        phases.put("close", close);
        long jitMillis = JIT == null ? -1 : jitMillis() - jit0;
        return new ColdSamples(h, phases, jitMillis, (System.nanoTime() - wall0) / 1_000_000, 1);
    }

    /**
     * {@link #cold}, measured again while the JIT compiled for more than {@link #QUIET_JIT_SHARE}
     * of the timed VMs' wall time, up to {@code attempts} times in all; the last measurement is
     * kept. The warm-up ends in a quiet window, but a method run once per VM reaches C2's
     * threshold only after thousands of VMs, and the transports' VMs share most of their code: a
     * later transport's timed VMs met that compilation (seen here: the JIT at work for 79 of the
     * 182 ms of pio's timed VMs, whose close step took 307 µs against 208 in the run before).
     */
    static ColdSamples coldWhileJitQuiet(GuestLauncher launcher, String transport, int samples, int attempts) throws Exception {
        ColdSamples c = cold(launcher, transport, samples);
        for (int attempt = 2; attempt <= attempts && c.jitBusy(); attempt++) {
            System.out.printf("[torovj bench] cold VMs %s: the JIT compiled for %d ms of their %d ms: measuring again%n",
                    transport, c.jitMillis(), c.wallMillis());
            c = cold(launcher, transport, samples).measuredTimes(attempt);
        }
        return c;
    }

    /** The native process: fork+exec+wait (as HelloWorldBench for native). */
    static Histogram nativeSpawn(int samples) throws Exception {
        return sample(samples, () -> GuestLauncher.nativeRun(List.of(), "helloworld"));
    }

    /** The whole command {@code ./torovj run --transport T helloworld.elf}: a JVM per invocation. */
    static Histogram cli(Path repo, String transport, int samples) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("torovj").toString(), "run"));
        if (GuestLauncher.platform() == io.torovj.vmm.Platform.Kind.PROCESS) cmd.addAll(List.of("--platform", "process"));
        cmd.addAll(List.of("--transport", transport, BenchPaths.guest("helloworld").toAbsolutePath().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        awaitQuietJit(MAX_EXTRA_WARMUP_NANOS);
        return sample(samples, () -> {
            int status = pb.start().waitFor();
            if (status != 0) throw new IOException(String.join(" ", cmd) + " exited " + status);
        });
    }

    /** The command line {@link #cli} runs, for the notes. */
    static String cliCommand(String transport) {
        return "./torovj run" + (GuestLauncher.platform() == io.torovj.vmm.Platform.Kind.PROCESS ? " --platform process" : "")
                + " --transport " + transport + " workloads/target/guest/helloworld.elf";
    }

    private static Histogram sample(int samples, Invocation invocation) throws Exception {
        for (int i = 0; i < Math.max(1, samples / 10); i++) invocation.run();
        Histogram h = LatencyRecorder.newHistogram();
        for (int i = 0; i < samples; i++) {
            long t0 = System.nanoTime();
            invocation.run();
            h.recordValue(Math.max(1, Math.min(System.nanoTime() - t0, h.getHighestTrackableValue())));
        }
        return h;
    }
}
