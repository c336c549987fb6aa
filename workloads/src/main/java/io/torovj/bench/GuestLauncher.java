package io.torovj.bench;

import static io.torovj.linux.OpenFlags.O_CLOEXEC;
import static io.torovj.linux.OpenFlags.O_WRONLY;

import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.HostFiles;
import io.torovj.log.MonitorLog;
import io.torovj.vmm.Platform;
import io.torovj.vmm.SyscallEntry;
import io.torovj.vmm.Vm;
import io.torovj.vmm.VmConfig;
import io.torovj.vmm.VmResult;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one workload under a transport (as a VM) or natively (as a host process), with the
 * guest's output sent to /dev/null, the way every benchmark runs it.
 */
final class GuestLauncher implements AutoCloseable {
    static final String NATIVE = "native";

    private final int devNull;
    private final SyscallPolicy policy;
    private final Platform.Kind platform = platform();

    /**
     * Where VMs run: KVM, unless -Dbench.platform=process asks for the process platform (a
     * functional check of the pipeline on hosts without /dev/kvm; not a measurement of KVM).
     */
    static Platform.Kind platform() {
        return "process".equalsIgnoreCase(System.getProperty("bench.platform", "kvm")) ? Platform.Kind.PROCESS : Platform.Kind.KVM;
    }

    /** A benchmark VM's configuration: output discarded, on the bench's platform (the launcher from -Dtorovj.vcpuProcess). */
    static VmConfig.Builder config(String program) {
        return config(BenchPaths.guest(program));
    }

    /**
     * Where every benchmark VM's diagnostics go: one stream for all of them, as `torovj run` and
     * `serve` share stderr. A PrintStream of its own per VM (its 8 KiB of chars and 8 KiB encoder)
     * was 24 KiB of each live VM's measured Java heap that no monitor outside the bench has.
     */
    private static final PrintStream DISCARDED = new PrintStream(OutputStream.nullOutputStream());

    private static VmConfig.Builder config(Path elf) {
        VmConfig.Builder b = VmConfig.builder(elf).log(new MonitorLog(DISCARDED)).platform(platform());
        String launcher = System.getProperty("torovj.vcpuProcess");
        if (launcher != null) b.processLauncher(Path.of(launcher));
        return b;
    }

    GuestLauncher(Path fileRoot) {
        devNull = HostFiles.open("/dev/null", O_WRONLY | O_CLOEXEC, 0);
        if (devNull < 0) throw new IllegalStateException("cannot open /dev/null");
        policy = SyscallPolicy.permissive(fileRoot);
    }

    /** Runs {@code program} as a VM over {@code transport}; throws if it does not exit 0. */
    VmResult vm(String transport, int latencySamples, String program, String... args) {
        return run(config(program).latencySamples(latencySamples), transport, program, args);
    }

    /**
     * Runs the native build of {@code program}, unmodified, as a VM over {@code transport}, its
     * {@code syscall} instructions entering as {@code entry} says. Its runtime writes its per-call
     * samples, as natively, to {@code samplesFile}: a name relative to the file root. 32 MiB of
     * guest RAM: the native runtime's sample buffer is 8 MiB.
     */
    VmResult unmodified(String transport, SyscallEntry entry, String samplesFile, String program, String... args) {
        return run(config(BenchPaths.nativeBinary(program)).syscallEntry(entry).memorySize(32L << 20)
                .env(List.of("TOROVJ_LATENCY_FILE=" + samplesFile)), transport, program, args);
    }

    private VmResult run(VmConfig.Builder builder, String transport, String program, String... args) {
        VmResult result;
        try {
            result = Vm.run(complete(builder, transport, program, args));
        } catch (io.torovj.loader.ElfLoadException e) {
            throw new IllegalStateException(program + ": " + e.getMessage(), e);
        }
        return checked(result, transport, program);
    }

    /** The configuration {@link #vm} runs {@code program} with (no latency samples): to build the VM oneself. */
    VmConfig vmConfig(String transport, String program, String... args) {
        return complete(config(program), transport, program, args);
    }

    private VmConfig complete(VmConfig.Builder builder, String transport, String program, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(program);
        argv.addAll(List.of(args));
        return builder.argv(argv).transport(transport).policy(policy).stdio(0, devNull, devNull).build();
    }

    /** {@code result}, if the guest exited 0; else throws. */
    static VmResult checked(VmResult result, String transport, String program) {
        if (!result.exited() || result.status() != 0) {
            throw new IllegalStateException(program + " under " + transport + " failed: status " + result.status() + " " + result.report());
        }
        return result;
    }

    /** Runs the native twin of {@code program}; throws if it does not exit 0. */
    static void nativeRun(List<String> env, String program, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(BenchPaths.nativeBinary(program).toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = quietProcess(cmd, env);
        try {
            int status = pb.start().waitFor();
            if (status != 0) throw new IllegalStateException(program + " natively exited " + status);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A process with output discarded and exactly {@code env} (NAME=VALUE) as its environment. */
    static ProcessBuilder quietProcess(List<String> cmd, List<String> env) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        for (String e : env) pb.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        return pb;
    }

    @Override
    public void close() {
        HostFiles.close(devNull);
    }
}
