package io.torovj.e2e;

import io.torovj.kvm.Kvm;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.LibC;
import io.torovj.log.MonitorLog;
import io.torovj.transport.TransportRegistry;
import io.torovj.vmm.Platform;
import io.torovj.vmm.Vm;
import io.torovj.vmm.VmConfig;
import io.torovj.vmm.VmResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Runs the guest programs built by this module's Makefile, as VMs or natively, capturing their output. */
final class GuestRun {
    private GuestRun() {}

    /** Transports every test runs over: every registered one (a transport added to the registry is tested at once). */
    static final List<String> TRANSPORTS = TransportRegistry.load().names();

    static Path guest(String name) {
        return Path.of(System.getProperty("torovj.guestDir", "target/guest"), name + ".elf");
    }

    static Path nativeBinary(String name) {
        return Path.of(System.getProperty("torovj.nativeDir", "target/native"), name);
    }

    /**
     * A test VM's configuration for {@code program} on {@code platform}: the launcher as surefire
     * passes it, and canary pages around guest RAM (checked when it closes), so that a stray
     * host write next to guest RAM fails a test instead of going unnoticed.
     */
    static VmConfig.Builder config(Platform.Kind platform, String program) {
        return config(platform, guest(program));
    }

    /** {@link #config(Platform.Kind, String)} for any executable, e.g. a native build run unmodified. */
    static VmConfig.Builder config(Platform.Kind platform, Path executable) {
        VmConfig.Builder b = VmConfig.builder(executable).platform(platform).guardCanaries(true);
        String launcher = System.getProperty("torovj.vcpuProcess");
        if (launcher != null) b.processLauncher(Path.of(launcher));
        return b;
    }

    /** Every platform: KVM first. KVM cases skip (loudly) only where /dev/kvm is absent. */
    static Stream<Platform.Kind> platforms() {
        return Stream.of(Platform.Kind.KVM, Platform.Kind.PROCESS);
    }

    /** Every platform with every registered transport: (platform, transport) arguments. */
    static Stream<org.junit.jupiter.params.provider.Arguments> everywhere() {
        return platforms().flatMap(p -> TRANSPORTS.stream().map(t -> org.junit.jupiter.params.provider.Arguments.of(p, t)));
    }

    static void assumePlatform(Platform.Kind platform) {
        if (platform == Platform.Kind.KVM && !Kvm.deviceExists()) {
            String why = "SKIPPED KVM CASE: /dev/kvm is absent on this host, so this test cannot run a real KVM guest; "
                    + "the same scenario runs on the process platform. Run on a host with /dev/kvm to execute it.";
            System.err.println("!!!!!! " + why);
            Assumptions.abort(why);
        }
    }

    /** The outcome of one guest run plus what it printed. */
    record Outcome(VmResult vm, String stdout, String stderr, String log) {}

    static Outcome run(Platform.Kind platform, String transport, SyscallPolicy policy, String program, String... args)
            throws Exception {
        return run(platform, transport, policy, List.of(), 0, program, args);
    }

    static Outcome run(Platform.Kind platform, String transport, SyscallPolicy policy, List<String> env,
                       int latencySamples, String program, String... args) throws Exception {
        List<String> argv = new ArrayList<>();
        argv.add(program);
        argv.addAll(List.of(args));
        return run(platform, config(platform, program).argv(argv).env(env).transport(transport).policy(policy)
                .latencySamples(latencySamples));
    }

    /** Runs the VM {@code config} describes, with its stdout, stderr and the monitor's log captured. */
    static Outcome run(Platform.Kind platform, VmConfig.Builder config) throws Exception {
        return run(platform, config, null);
    }

    /**
     * {@link #run(Platform.Kind, VmConfig.Builder)} with the guest's stdin read from {@code stdin}
     * (null: the test JVM's own stdin, which is surefire's channel: a guest must not read it).
     */
    static Outcome run(Platform.Kind platform, VmConfig.Builder config, Path stdin) throws Exception {
        assumePlatform(platform);
        Path dir = Files.createTempDirectory("torovj-run");
        Path out = dir.resolve("stdout"), err = dir.resolve("stderr");
        int outFd = openForWrite(out), errFd = openForWrite(err);
        int inFd = stdin == null ? 0 : LibC.INSTANCE.open(stdin.toString(), 0x80000, 0);      // O_RDONLY | O_CLOEXEC
        if (inFd < 0) throw new IllegalStateException("cannot open " + stdin);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try {
            VmResult result = Vm.run(config.stdio(inFd, outFd, errFd)
                    .log(new MonitorLog(new PrintStream(log, true, StandardCharsets.UTF_8))).build());
            return new Outcome(result, Files.readString(out), Files.readString(err), log.toString(StandardCharsets.UTF_8));
        } finally {
            if (stdin != null) LibC.INSTANCE.close(inFd);
            LibC.INSTANCE.close(outFd);
            LibC.INSTANCE.close(errFd);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            Files.deleteIfExists(dir);
        }
    }

    private static int openForWrite(Path p) {
        int fd = LibC.INSTANCE.open(p.toString(), 0x1 | 0x40 | 0x200 | 0x80000, 0600);
        if (fd < 0) throw new IllegalStateException("cannot open " + p);
        return fd;
    }

    /** Runs the native build of {@code program}; returns {status, stdout}. */
    static Object[] runNative(String program, List<String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(nativeBinary(program).toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        for (String e : env) {
            int eq = e.indexOf('=');
            pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
        }
        Process p = pb.start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Object[] {p.waitFor(), stdout};
    }
}
