package io.torovj.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.torovj.kvm.KvmFlavour;
import io.torovj.report.ResultsSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** environment.json: what a reader needs to judge and reproduce the numbers. */
final class Environment {
    private Environment() {}

    /** {@code extra}: more top-level keys (e.g. "cfloor": how the C floors were measured), written before the notes. */
    static void write(Path results, BenchMode mode, List<String> transports, List<String> notes,
                      Map<String, Object> extra) throws IOException {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("cpu_model", cpuModel());
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
        KvmFlavour flavour = KvmFlavour.detect();
        String kvm = flavour.deviceAvailable() ? flavour.describe() : "absent (" + flavour.describe() + ")";
        env.put("kvm_flavour", GuestLauncher.platform() == io.torovj.vmm.Platform.Kind.PROCESS
                ? "not used: process platform; host KVM " + kvm : kvm);
        env.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.put("jmh_version", org.openjdk.jmh.util.Version.getPlainVersion());
        Map<String, Object> jmh = new LinkedHashMap<>();
        jmh.put("forks", mode.forks());
        jmh.put("warmup", mode.warmups() + " x " + mode.iterationSecs() + " s");
        jmh.put("iterations", mode.iterations() + " x " + mode.iterationSecs() + " s");
        jmh.put("mode", "AverageTime");
        jmh.put("syscalls_per_latency_run", mode.calls());
        env.put("jmh_settings", jmh);
        env.put("transports", transports);
        env.put("git_commit", gitCommit(Path.of(".")).orElse("unknown"));
        env.put("date", ZonedDateTime.now().toString());
        env.put("mode", mode.name());
        env.putAll(extra);
        env.put("notes", notes);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(results.resolve(ResultsSchema.ENVIRONMENT_JSON).toFile(), env);
    }

    static String cpuModel() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
        }
        return "unknown";
    }

    static Optional<String> gitCommit(Path repo) {
        try {
            Process p = new ProcessBuilder("git", "-C", repo.toString(), "rev-parse", "--short", "HEAD")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 && out.matches("[0-9a-f]{4,40}") ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
