package io.torovj.cli;

import io.torovj.gdb.GdbServer;
import io.torovj.kvm.KvmException;
import io.torovj.loader.ElfLoadException;
import io.torovj.policy.PolicyException;
import io.torovj.policy.PolicyFile;
import io.torovj.policy.SyscallPolicy;
import io.torovj.log.MonitorLog;
import io.torovj.transport.TransportRegistry;
import io.torovj.vmm.DebugHook;
import io.torovj.vmm.Platform;
import io.torovj.vmm.SyscallEntry;
import io.torovj.vmm.Vm;
import io.torovj.vmm.VmConfig;
import io.torovj.vmm.VmResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code torovj run [options] PROGRAM.elf [ARGS...]}: exit status = the guest's. */
@Command(name = "run", description = "Run a static x86-64 ELF program as a KVM virtual machine.",
        mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {

    @Option(names = "--transport", defaultValue = "pio", paramLabel = "NAME",
            description = "Syscall transport (see 'torovj transports'). Default: ${DEFAULT-VALUE}.")
    String transport;

    @Option(names = "--policy", paramLabel = "FILE", description = "JSON syscall policy. Default: a minimal policy that lets HelloWorld run (no file access).")
    Path policyFile;

    @Option(names = "--mem", defaultValue = "8M", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Guest memory, a multiple of 2M (suffix K, M or G). Default: ${DEFAULT-VALUE}.")
    long memory;

    @Option(names = "--platform", defaultValue = "kvm", paramLabel = "kvm|process", converter = PlatformConverter.class,
            description = "Where guest code runs: kvm (default), or process (a separate host process, for hosts without /dev/kvm; functional testing only).")
    Platform.Kind platform;

    @Option(names = "--syscall-entry", defaultValue = "patch", paramLabel = "patch|trap",
            description = "For unmodified programs (the syscall instruction): patch (default) rewrites each `mov $nr,%%eax; syscall` "
                    + "site, the first time it traps, into a jump to the VM's transport; trap makes every call exit to the monitor.")
    SyscallEntry syscallEntry;

    @Option(names = "--env", paramLabel = "NAME=VALUE", description = "Environment variable for the guest (repeatable); nothing of the host's is passed.")
    List<String> env = new ArrayList<>();

    @Option(names = "--transport-option", paramLabel = "NAME=VALUE",
            description = "A tunable of the transport (repeatable), e.g. aring's idleSpinMicros=100.")
    List<String> transportOptions = new ArrayList<>();

    @Option(names = "--gdb", paramLabel = "PORT",
            description = "Start the guest halted at its entry point and serve the GDB remote protocol on PORT "
                    + "(then: gdb PROGRAM, target remote :PORT).")
    Integer gdbPort;

    @Option(names = "--gdb-bind", defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "Address the --gdb server listens on. Default: ${DEFAULT-VALUE} (loopback only).")
    String gdbBind;

    @Option(names = {"-v", "--verbose"}, description = "Print stack traces of internal errors and a summary after the run.")
    boolean verbose;

    @Parameters(index = "0", paramLabel = "PROGRAM", description = "Static, non-PIE x86-64 ELF executable.")
    Path program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for the guest program.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        try {
            SyscallPolicy policy = policyFile == null ? SyscallPolicy.defaultPolicy() : PolicyFile.load(policyFile);
            for (String e : env) {
                if (!e.contains("=")) throw new IllegalArgumentException("--env needs NAME=VALUE, not '" + e + "'");
            }
            VmConfig.Builder builder = VmConfig.builder(program).args(args).transport(transport).policy(policy)
                    .memorySize(memory).env(env).log(MonitorLog.stderr()).platform(platform).syscallEntry(syscallEntry);
            for (String o : transportOptions) {
                int eq = o.indexOf('=');
                if (eq <= 0) throw new IllegalArgumentException("--transport-option needs NAME=VALUE, not '" + o + "'");
                builder.transportOption(o.substring(0, eq), o.substring(eq + 1));
            }
            if (platform == Platform.Kind.PROCESS) builder.processLauncher(Main.processLauncher());
            VmConfig config = builder.build();
            VmResult result;
            if (gdbPort == null) {
                result = Vm.run(config);
            } else {
                try (GdbServer gdb = listenForGdb()) {
                    DebugHook.Factory announce = (memory, vcpu, control) -> {
                        DebugHook hook = gdb.attach(memory, vcpu, control);
                        System.err.println("torovj: waiting for gdb on " + gdb.address());
                        return hook;
                    };
                    result = Vm.run(config, TransportRegistry.load(), announce);
                }
            }
            if (!result.exited()) System.err.println("torovj: " + result.report());
            if (verbose) {
                System.err.printf("torovj: %s after %.3f ms, %d syscalls, %d VM exits, %d KiB guest RAM resident%n",
                        result.ending(), result.nanos() / 1e6, result.syscalls(), result.vcpuExits(), result.residentBytes() / 1024);
                Long traps = result.transportCounters().get("syscallTraps");
                if (traps != null) {
                    System.err.printf("torovj: syscall instruction: %d calls trapped, %d call sites patched into the shim%n",
                            traps, result.transportCounters().getOrDefault("syscallSitesPatched", 0L));
                }
                if (!result.unimplemented().isEmpty()) {
                    System.err.println("torovj: unimplemented: " + result.unimplemented());
                }
            }
            return result.status();
        } catch (ElfLoadException e) {
            return fail(program + ": " + e.getMessage(), e);
        } catch (PolicyException | KvmException | IllegalArgumentException e) {
            return fail(e.getMessage(), e);
        } catch (RuntimeException e) {
            return fail("internal error: " + e, e);
        }
    }

    private GdbServer listenForGdb() {
        try {
            return GdbServer.listen(gdbBind, gdbPort);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot listen for gdb on " + gdbBind + ":" + gdbPort + ": " + e.getMessage(), e);
        }
    }

    private int fail(String message, Exception e) {
        System.err.println("torovj: " + message);
        if (verbose) e.printStackTrace();
        return Main.EXIT_BAD_INPUT;
    }
}
