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
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code torovj run [options] PROGRAM.elf [ARGS...]}: exit status = the guest's.
 *
 * <p>The command is declared through picocli's programmatic API ({@link #spec()}), not its
 * annotations: reading annotations makes the JVM generate a proxy class per annotation type and
 * walk every field reflectively, about a third of a one-shot run's command-line cost. The values
 * are read back from the parsed spec when the command runs.
 */
final class RunCommand implements Callable<Integer> {

    private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);

    String transport;
    Path policyFile;
    long memory;
    Platform.Kind platform;
    SyscallEntry syscallEntry;
    List<String> env;
    List<String> transportOptions;
    Integer gdbPort;
    String gdbBind;
    boolean verbose;
    Path program;
    List<String> args;

    RunCommand() {
        spec.name("run").usageMessage().description("Run a static x86-64 ELF program as a KVM virtual machine.");
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).description("Print version information and exit.").build());
        spec.addOption(option("--transport", String.class, "NAME", "pio",
                "Syscall transport (see 'torovj transports'). Default: ${DEFAULT-VALUE}.").build());
        spec.addOption(option("--policy", Path.class, "FILE", null,
                "JSON syscall policy. Default: a minimal policy that lets HelloWorld run (no file access).").build());
        spec.addOption(option("--mem", Long.class, "SIZE", "8M",
                "Guest memory, a multiple of 2M (suffix K, M or G). Default: ${DEFAULT-VALUE}.")
                .converters(new SizeConverter()).build());
        spec.addOption(option("--platform", Platform.Kind.class, "kvm|process", "kvm",
                "Where guest code runs: kvm (default), or process (a separate host process, for hosts without /dev/kvm; functional testing only).")
                .converters(new PlatformConverter()).build());
        spec.addOption(option("--syscall-entry", SyscallEntry.class, "patch|trap", "patch",
                "For unmodified programs (the syscall instruction): patch (default) rewrites each `mov $nr,%%eax; syscall` "
                        + "site, the first time it traps, into a jump to the VM's transport; trap makes every call exit to the monitor.").build());
        spec.addOption(repeatable("--env", "NAME=VALUE",
                "Environment variable for the guest (repeatable); nothing of the host's is passed."));
        spec.addOption(repeatable("--transport-option", "NAME=VALUE",
                "A tunable of the transport (repeatable), e.g. aring's idleSpinMicros=100."));
        spec.addOption(option("--gdb", Integer.class, "PORT", null,
                "Start the guest halted at its entry point and serve the GDB remote protocol on PORT "
                        + "(then: gdb PROGRAM, target remote :PORT).").build());
        spec.addOption(option("--gdb-bind", String.class, "ADDR", "127.0.0.1",
                "Address the --gdb server listens on. Default: ${DEFAULT-VALUE} (loopback only).").build());
        spec.addOption(OptionSpec.builder("-v", "--verbose").type(boolean.class)
                .description("Print stack traces of internal errors and a summary after the run.").build());
        spec.addPositional(PositionalParamSpec.builder().index("0").arity("1").required(true).paramLabel("PROGRAM").type(Path.class)
                .description("Static, non-PIE x86-64 ELF executable.").build());
        spec.addPositional(PositionalParamSpec.builder().index("1..*").arity("0..*").paramLabel("ARGS").type(List.class)
                .auxiliaryTypes(String.class).description("Arguments for the guest program.").build());
    }

    /** The command's picocli model, for {@code CommandLine.addSubcommand}. */
    CommandSpec spec() {
        return spec;
    }

    private static OptionSpec.Builder option(String name, Class<?> type, String label, String defaultValue, String description) {
        return OptionSpec.builder(name).type(type).paramLabel(label).defaultValue(defaultValue).description(description);
    }

    private static OptionSpec repeatable(String name, String label, String description) {
        return OptionSpec.builder(name).type(List.class).auxiliaryTypes(String.class).paramLabel(label)
                .description(description).build();
    }

    /** Copies the parsed values (defaults applied, converters run) into the fields. */
    private void readParsedValues() {
        transport = value("--transport");
        policyFile = value("--policy");
        memory = this.<Long>value("--mem");
        platform = value("--platform");
        syscallEntry = value("--syscall-entry");
        env = listValue(spec.findOption("--env").getValue());
        transportOptions = listValue(spec.findOption("--transport-option").getValue());
        gdbPort = value("--gdb");
        gdbBind = value("--gdb-bind");
        verbose = Boolean.TRUE.equals(value("--verbose"));
        program = spec.positionalParameters().get(0).getValue();
        args = listValue(spec.positionalParameters().get(1).getValue());
    }

    private <T> T value(String option) {
        return spec.findOption(option).getValue();
    }

    private static List<String> listValue(List<String> parsed) {
        return parsed == null ? new ArrayList<>() : parsed;
    }

    @Override
    public Integer call() {
        readParsedValues();
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
                System.err.println("torovj: " + buildSteps(result.buildNanos()));
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

    /** "built in 1.234 ms: input 0.101, memory 0.512, ..." (milliseconds, the build's steps in order). */
    static String buildSteps(Map<String, Long> steps) {
        long total = steps.values().stream().mapToLong(Long::longValue).sum();
        StringJoiner s = new StringJoiner(", ", String.format(Locale.ROOT, "built in %.3f ms: ", total / 1e6), "");
        steps.forEach((step, nanos) -> s.add(step + String.format(Locale.ROOT, " %.3f", nanos / 1e6)));
        return s.toString();
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
