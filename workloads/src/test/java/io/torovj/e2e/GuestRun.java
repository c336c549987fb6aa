package io.torovj.e2e;

import io.torovj.kvm.Kvm;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.LibC;
import io.torovj.syscall.MonitorLog;
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

    /** Transports every test runs over. */
    static final List<String> TRANSPORTS = List.of("pio", "mmio", "ring", "aring");

    static Path guest(String name) {
        return Path.of(System.getProperty("torovj.guestDir", "target/guest"), name + ".elf");
    }

    static Path nativeBinary(String name) {
        return Path.of(System.getProperty("torovj.nativeDir", "target/native"), name);
    }

    /** Every platform: KVM first. KVM cases skip (loudly) only where /dev/kvm is absent. */
    static Stream<Platform.Kind> platforms() {
        return Stream.of(Platform.Kind.KVM, Platform.Kind.PROCESS);
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
        assumePlatform(platform);
        Path dir = Files.createTempDirectory("torovj-run");
        Path out = dir.resolve("stdout"), err = dir.resolve("stderr");
        int outFd = openForWrite(out), errFd = openForWrite(err);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try {
            List<String> argv = new ArrayList<>();
            argv.add(program);
            argv.addAll(List.of(args));
            VmConfig config = new VmConfig(guest(program), argv, env, VmConfig.DEFAULT_MEMORY, transport, policy,
                    0, outFd, errFd, latencySamples, new MonitorLog(new PrintStream(log, true, StandardCharsets.UTF_8)),
                    platform);
            VmResult result = Vm.run(config);
            return new Outcome(result, Files.readString(out), Files.readString(err), log.toString(StandardCharsets.UTF_8));
        } finally {
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
