package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code torovj} script's class-data-sharing archive, in a copy of the repository's layout
 * (the script, and links to the built jar and vCPU process): only a run that ran a guest makes
 * it, and the runs after it load the monitor's classes from it.
 */
class LauncherScriptTest {
    @TempDir
    Path tmp;

    private Path script;

    private record Run(int status, String stdout, String stderr) {}

    @Test
    void onlyARunThatRanAGuestMakesTheArchiveAndTheNextRunsLoadTheMonitorFromIt() throws Exception {
        layout();
        Path jsa = tmp.resolve("mechanisms/target/torovj.jsa");
        String hello = GuestRun.guest("helloworld").toAbsolutePath().toString();

        Run help = run(List.of(), "run", "--help");
        assertEquals(0, help.status(), help.stderr());
        assertFalse(Files.exists(jsa), "--help runs no guest: no archive of its few classes");
        Path junk = Files.writeString(tmp.resolve("junk.elf"), "not an ELF");
        Run bad = run(List.of(), "run", "--platform", platform(), junk.toString());
        assertEquals(1, bad.status(), bad.stderr());
        assertFalse(Files.exists(jsa), "a bad ELF stops before the guest: no archive");
        assertEquals(List.of(), leftovers(), "no class list or half-made archive is left behind");

        Run first = run(List.of(), "run", "--platform", platform(), hello);
        assertEquals(0, first.status(), first.stderr());
        assertEquals("Hello, World!\n", first.stdout());
        assertTrue(Files.size(jsa) > 0, "the first run of a guest makes the archive");
        assertEquals(List.of(), leftovers());

        Path loaded = tmp.resolve("loaded.txt");
        Run next = run(List.of("TOROVJ_JAVA_OPTS=-Xlog:class+load:file=" + loaded), "run", "--platform", platform(), hello);
        assertEquals(0, next.status(), next.stderr());
        assertEquals("Hello, World!\n", next.stdout());
        for (String monitorClass : List.of("io.torovj.vmm.VmBuilder", "io.torovj.vmm.VcpuLoop", "io.torovj.syscall.SyscallDispatcher")) {
            String line = Files.readAllLines(loaded).stream().filter(l -> l.contains(" " + monitorClass + " "))
                    .findFirst().orElse("not loaded");
            assertTrue(line.endsWith("source: shared objects file"), monitorClass + ": " + line);
        }
    }

    /** The script and what it finds beside itself: the jar, jffi's unpacked library, the vCPU process. */
    private void layout() throws IOException {
        Path repo = Path.of(System.getProperty("torovj.repo", "..")).toAbsolutePath().normalize();
        script = tmp.resolve("torovj");
        Files.copy(repo.resolve("torovj"), script);
        assertTrue(script.toFile().setExecutable(true));
        for (String built : List.of("mechanisms/target/torovj.jar", "harness/target/native/torovj-vcpu-process")) {
            assertTrue(Files.exists(repo.resolve(built)), built + " is not built");
            link(repo, built);
        }
        // optional: without it jffi copies its library out of the jar, as the script says
        if (Files.exists(repo.resolve("mechanisms/target/jffi"))) link(repo, "mechanisms/target/jffi");
    }

    private void link(Path repo, String built) throws IOException {
        Path link = tmp.resolve(built);
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, repo.resolve(built));
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(tmp.resolve("mechanisms/target"))) {
            return files.filter(f -> f.getFileName().toString().matches("torovj\\.jsa\\..*")).toList();
        }
    }

    private Run run(List<String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        Path out = tmp.resolve("out.txt"), err = tmp.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("TOROVJ_JAVA_OPTS");
        for (String e : env) pb.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "torovj did not finish");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static String platform() {
        return io.torovj.kvm.Kvm.deviceExists() ? "kvm" : "process";
    }
}
