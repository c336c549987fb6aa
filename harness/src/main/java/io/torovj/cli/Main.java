package io.torovj.cli;

import io.torovj.kvm.KvmFlavour;
import io.torovj.sys.BindingWarmUp;
import io.torovj.transport.TransportProvider;
import io.torovj.transport.TransportRegistry;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code torovj} command line. Its model is built with picocli's programmatic API (see
 * {@link RunCommand}: annotations cost a one-shot run a proxy class per annotation type).
 */
public final class Main implements Callable<Integer> {
    /** Exit status for bad input (ELF, policy, options) and monitor errors; usage errors give 2. */
    public static final int EXIT_BAD_INPUT = 1;

    private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);

    private Main() {
        spec.name("torovj").version("ToroV/J 0.1.0").usageMessage()
                .description("A kernel in user space: run a program as a KVM VM whose system calls the monitor performs.");
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).description("Print version information and exit.").build());
    }

    /** System property naming the process platform's launcher (the torovj script sets it). */
    public static final String LAUNCHER_PROPERTY = "torovj.vcpuProcess";
    /** The launcher's file name, looked for beside the CLI's jar when the property is not set. */
    static final String LAUNCHER_NAME = "torovj-vcpu-process";

    /**
     * The process platform's launcher binary: {@link #LAUNCHER_PROPERTY}, else beside the jar the
     * CLI runs from. The command line decides this; the monitor's library code is told.
     */
    public static Path processLauncher() {
        String configured = System.getProperty(LAUNCHER_PROPERTY);
        if (configured != null) return Path.of(configured);
        try {
            Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.resolveSibling(LAUNCHER_NAME);
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of(LAUNCHER_NAME);
        }
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("run")) BindingWarmUp.start();     // beside the parse: see its doc
        System.exit(execute(args));
    }

    /**
     * The subcommands, in the order the usage lists them. picocli reads a command's annotations (a
     * reflective walk over every option and field) when the command is added, so {@link #execute}
     * adds only the one the arguments name; help, a bare {@code torovj} and an unknown name get all.
     */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = new LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("run", () -> new RunCommand().spec());
        SUBCOMMANDS.put("serve", ServeCommand::new);
        SUBCOMMANDS.put("transports", Transports::new);
        SUBCOMMANDS.put("info", Info::new);
    }

    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main().spec);
        Supplier<Object> named = args.length == 0 ? null : SUBCOMMANDS.get(args[0]);
        if (named != null) {
            cli.addSubcommand(args[0], named.get());
        } else {
            SUBCOMMANDS.forEach((name, command) -> cli.addSubcommand(name, command.get()));
        }
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        // everything after PROGRAM is the guest's, options included (as for env, timeout, strace)
        CommandLine run = cli.getSubcommands().get("run");
        if (run != null) run.setStopAtPositional(true);
        cli.setParameterExceptionHandler((ex, a) -> {
            System.err.println("torovj: " + ex.getMessage());
            System.err.println("Try 'torovj --help' or 'torovj run --help'.");
            return 2;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return 2;
    }

    @Command(name = "transports", description = "List the syscall transports.")
    static final class Transports implements Callable<Integer> {
        @Override
        public Integer call() {
            for (TransportProvider p : TransportRegistry.load().providers().values()) {
                System.out.printf("%-8s %s%n", p.name(), p.description());
            }
            return 0;
        }
    }

    @Command(name = "info", description = "Show what KVM this host offers.")
    static final class Info implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println("kvm: " + KvmFlavour.detect().describe());
            return 0;
        }
    }
}
