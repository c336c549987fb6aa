package io.torovj.cli;

import io.torovj.kvm.KvmFlavour;
import io.torovj.sys.BindingWarmUp;
import io.torovj.transport.TransportProvider;
import io.torovj.transport.TransportRegistry;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
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
        // Numbers in the monitor's output read the same on every host; and jffi's start-up formats
        // its library's name with String.format, which for any format locale but en-US loads the
        // JDK's CLDR locale data first: ~40 ms of CPU of a one-shot run's ~240 (perf stat, 2-core host).
        Locale.setDefault(Locale.Category.FORMAT, Locale.US);
        if (args.length > 0 && args[0].equals("run")) BindingWarmUp.start();     // beside the parse: see its doc
        System.exit(execute(args));
    }

    /** The subcommands, in the order the usage lists them. */
    private static final List<String> SUBCOMMANDS = List.of("run", "serve", "transports", "info");

    /**
     * The command object of subcommand {@code name}, or null for none. picocli reads a command's
     * annotations (a reflective walk over every option and field) when the command is added, so
     * {@link #execute} adds only the one the arguments name; help, a bare {@code torovj} and an
     * unknown name get all. A switch, not a map of lambdas: a one-shot run links no call site it
     * does not need.
     */
    private static Object subcommand(String name) {
        return switch (name) {
            case "run" -> new RunCommand().spec();
            case "serve" -> new ServeCommand();
            case "transports" -> new Transports();
            case "info" -> new Info();
            default -> null;
        };
    }

    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main().spec);
        Object named = args.length == 0 ? null : subcommand(args[0]);
        if (named != null) {
            cli.addSubcommand(args[0], named);
        } else {
            for (String name : SUBCOMMANDS) cli.addSubcommand(name, subcommand(name));
        }
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        // everything after PROGRAM is the guest's, options included (as for env, timeout, strace)
        CommandLine run = cli.getSubcommands().get("run");
        if (run != null) run.setStopAtPositional(true);
        cli.setParameterExceptionHandler(new UsageError());
        return cli.execute(args);
    }

    /** A usage error: one line saying what is wrong, one saying where help is; status 2. */
    private static final class UsageError implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException ex, String[] args) {
            System.err.println("torovj: " + ex.getMessage());
            System.err.println("Try 'torovj --help' or 'torovj run --help'.");
            return 2;
        }
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
