package io.torovj.report;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code report [--out DIR] RESULTS_DIR...}: (re)generates the HTML report of one or several results folders;
 * with several, also their side-by-side comparison. Exit status 0 on success, 1 on bad input (one line on stderr),
 * 2 on a usage error.
 *
 * <pre>
 * java -jar workloads/target/torovj-report.jar results/20261127-191100-abc1234
 * </pre>
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false, version = "ToroV/J report",
        description = "Write reports/<run-id>/index.html (and reports/latest/) from results folders; "
                + "several folders also give a side-by-side comparison.")
public final class ReportCommand implements Callable<Integer> {

    @Option(names = {"-o", "--out"}, paramLabel = "DIR",
            description = "Folder of the reports (default: reports/ beside the results/ folder of the first "
                    + "RESULTS_DIR).")
    Path out;

    @Option(names = "--verbose", description = "Print stack traces of internal errors.")
    boolean verbose;

    @Parameters(arity = "1..*", paramLabel = "RESULTS_DIR", description = "results/<run-id> folders.")
    List<Path> results = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter outw = spec.commandLine().getOut();
        List<ResultSet> runs = new ArrayList<>();
        try {
            for (Path p : results) {
                runs.add(ResultSet.read(p));
            }
        } catch (ResultsException e) {
            err.println("report: " + e.getMessage());
            err.flush();
            return 1;
        }
        Path root = out != null ? out : ReportWriter.defaultReportsRoot(results.get(0));
        try {
            ReportWriter writer = new ReportWriter(root);
            for (Path index : writer.writeAll(runs)) {
                outw.println("report: wrote " + index);
            }
            for (ResultSet r : runs) {
                for (String w : r.warnings()) {
                    err.println("report: warning: " + r.runId() + ": " + w);
                }
            }
            outw.flush();
            err.flush();
            return 0;
        } catch (Exception | LinkageError e) {
            err.println("report: cannot write the report into " + root + ": " + e);
            if (verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return 1;
        }
    }

    /** A command line for this command, with one-line usage errors. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new ReportCommand());
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("report: " + ex.getMessage() + " (usage: report [--out DIR] RESULTS_DIR...)");
            c.getErr().flush();
            return 2;
        });
        return cl;
    }

    /** Runs the command; returns the exit status. */
    public static int run(String... args) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        return commandLine().execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
