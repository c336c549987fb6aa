package io.torovj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/** A native run under the peakrss tool: exit status, peak RSS and CPU time from wait4's rusage. */
record NativeUsage(int status, long peakRssBytes, long cpuNanos) {

    /** A native run with its per-call latency samples (written by its runtime to a file). */
    record Sampled(NativeUsage usage, Histogram latency) {
    }

    /** Runs {@code program} natively with its runtime's latency file on; throws if it does not exit 0. */
    static Sampled sampled(LatencyRecorder latency, String program, String... args) throws IOException, InterruptedException {
        Path samples = Files.createTempFile("torovj-lat", ".bin");
        Path usage = Files.createTempFile("torovj-usage", ".txt");
        try {
            NativeUsage u = run(usage, List.of("TOROVJ_LATENCY_FILE=" + samples), program, args);
            return new Sampled(u, latency.fromNativeFile(samples));
        } finally {
            Files.deleteIfExists(samples);
            Files.deleteIfExists(usage);
        }
    }

    static NativeUsage run(Path usageFile, List<String> env, String program, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(BenchPaths.tool("peakrss").toString());
        cmd.add(usageFile.toString());
        cmd.add(BenchPaths.nativeBinary(program).toString());
        cmd.addAll(List.of(args));
        int status = GuestLauncher.quietProcess(cmd, env).start().waitFor();
        String[] f = Files.readString(usageFile).trim().split(" ");
        if (status != 0 || f.length != 4 || !f[0].equals("0")) {
            throw new IllegalStateException(program + " natively failed: status " + status + ", peakrss said '" + String.join(" ", f) + "'");
        }
        return new NativeUsage(0, Long.parseLong(f[1]) * 1024, (Long.parseLong(f[2]) + Long.parseLong(f[3])) * 1000);
    }
}
