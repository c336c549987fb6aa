package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.torovj.vmm.Platform;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real gdb (Debian's, in batch mode) against {@code torovj run --gdb}, as a user runs it:
 * the command line in its own JVM, gdb in its own process, the guest built with -g. Break at
 * main, continue, next, print a local, break in a function called in a loop (with a system call
 * in every round) and hit it three times checking its argument, info registers rip, delete,
 * continue to the guest's exit. Every transport, every platform (KVM skipped loudly where
 * /dev/kvm is absent).
 */
class GdbTest {
    private static final Pattern WAITING = Pattern.compile("torovj: waiting for gdb on 127\\.0\\.0\\.1:(\\d+)");


    @ParameterizedTest
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void gdbBreaksStepsPrintsAndContinuesToTheGuestsExit(Platform.Kind platform, String transport, @TempDir Path dir)
            throws Exception {
        GuestRun.assumePlatform(platform);
        requireGdb();
        assertTimeoutPreemptively(Duration.ofSeconds(150), () -> {
            Path elf = GuestRun.guest("gdbtarget").toAbsolutePath();
            Path guestOut = dir.resolve("guest.out");
            Process torovj = cli(guestOut, "run", "--platform", platform.name().toLowerCase(Locale.ROOT),
                    "--transport", transport, "--gdb", "0", elf.toString());
            Process gdb = null;
            try {
                StringBuilder cliErr = new StringBuilder();
                int port = awaitPort(torovj, cliErr);
                Path script = dir.resolve("session.gdb");
                Files.writeString(script, String.join("\n",
                        "set pagination off",
                        "set confirm off",
                        "set width 0",
                        "file " + elf,
                        "target remote 127.0.0.1:" + port,
                        "break main",
                        "continue",
                        "next",
                        "print rounds",
                        "break tick",
                        "continue",
                        "print i",
                        "continue",
                        "print i",
                        "continue",
                        "print i",
                        "info registers rip",
                        "delete",
                        "continue",
                        ""));
                ProcessBuilder pb = new ProcessBuilder("gdb", "-batch", "-nx", "-x", script.toString())
                        .redirectErrorStream(true);
                pb.environment().remove("DEBUGINFOD_URLS");
                gdb = pb.start();
                String transcript = new String(gdb.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(gdb.waitFor(30, TimeUnit.SECONDS), "gdb did not finish");
                System.out.println("---- gdb transcript (" + platform + ", " + transport + ") ----\n" + transcript);

                assertInOrder(transcript,
                        "Breakpoint 1 at 0x[0-9a-f]+: file \\S*gdbtarget\\.c, line \\d+\\.",
                        "Breakpoint 1, main \\(argc=1, argv=0x[0-9a-f]+\\) at \\S*gdbtarget\\.c:\\d+",
                        "\\d+\\s+int rounds = 5;",
                        "\\n\\d+\\s+int total = 0;",                        // next: one line further
                        "\\$1 = 5",                                          // print rounds
                        "Breakpoint 2 at 0x[0-9a-f]+: file \\S*gdbtarget\\.c, line \\d+\\.",
                        "Breakpoint 2, tick \\(i=0\\) at \\S*gdbtarget\\.c:\\d+",
                        "\\$2 = 0",
                        "Breakpoint 2, tick \\(i=1\\) at \\S*gdbtarget\\.c:\\d+",
                        "\\$3 = 1",
                        "Breakpoint 2, tick \\(i=2\\) at \\S*gdbtarget\\.c:\\d+",
                        "\\$4 = 2",
                        "rip\\s+0x([0-9a-f]+)\\s+0x\\1 <tick\\+\\d+>",
                        "\\[Inferior 1 \\(Remote target\\) exited with code 03\\]");
                assertFalse(transcript.contains("warning: Architecture rejected"), transcript);
                assertFalse(transcript.contains("Remote connection closed"), transcript);

                assertTrue(torovj.waitFor(30, TimeUnit.SECONDS), "torovj did not end after the guest's exit");
                assertEquals(3, torovj.exitValue(), cliErr.toString());
                assertEquals("tick 0\ntick 1\ntick 2\ntick 3\ntick 4\ngdbtarget: total=100 calls=5\n",
                        Files.readString(guestOut));
                assertFalse(cliErr.toString().contains("Exception"), cliErr.toString());
            } finally {
                if (gdb != null) gdb.destroyForcibly();
                torovj.destroyForcibly();
            }
        });
    }

    @Test
    void aBusyPortOrABadOneIsAOneLineError() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CliTest.Cli c = CliTest.torovj("run", "--platform", "process", "--gdb", Integer.toString(busy.getLocalPort()),
                    GuestRun.guest("gdbtarget").toString());
            assertEquals(1, c.status(), c.stderr());
            assertTrue(c.stderr().startsWith("torovj: cannot listen for gdb on 127.0.0.1:" + busy.getLocalPort() + ": "),
                    c.stderr());
            assertEquals(1, c.stderr().strip().lines().count(), c.stderr());
        }
        CliTest.Cli bad = CliTest.torovj("run", "--platform", "process", "--gdb", "70000", GuestRun.guest("gdbtarget").toString());
        assertEquals(1, bad.status(), bad.stderr());
        assertTrue(bad.stderr().contains("--gdb port must be 0..65535"), bad.stderr());
    }

    /** gdb is a test requirement here (.ci/run installs Debian's gdb): its absence fails, loudly. */
    private static void requireGdb() {
        try {
            Process p = new ProcessBuilder("gdb", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) return;
        } catch (IOException | InterruptedException e) {
            // reported below
        }
        fail("gdb is not installed: the GDB stub tests need it (.ci/run installs Debian's gdb package)");
    }

    /** The command line in its own JVM, like {@link CliTest}; guest stdout to a file, stderr read here. */
    private static Process cli(Path stdout, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dtorovj.vcpuProcess=" + System.getProperty("torovj.vcpuProcess"),
                "-cp", System.getProperty("java.class.path"), "io.torovj.cli.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
    }

    /** Reads the CLI's stderr (all of it, on a thread) and returns the port of its "waiting for gdb" line. */
    private static int awaitPort(Process torovj, StringBuilder err) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(torovj.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (err) {
                        err.append(line).append('\n');
                    }
                    Matcher m = WAITING.matcher(line);
                    if (m.matches()) port.complete(Integer.parseInt(m.group(1)));
                }
            } catch (IOException e) {
                // the process ended
            }
            port.completeExceptionally(new IllegalStateException("torovj ended without waiting for gdb: " + err));
        }, "torovj-stderr");
        reader.setDaemon(true);
        reader.start();
        return port.get(60, TimeUnit.SECONDS);
    }

    /** Each pattern matches somewhere after the previous one's match. */
    private static void assertInOrder(String text, String... patterns) {
        int from = 0;
        for (String p : patterns) {
            Matcher m = Pattern.compile(p).matcher(text);
            if (!m.find(from)) fail("expected /" + p + "/ after offset " + from + " in the gdb transcript:\n" + text);
            from = m.end();
        }
    }
}
