package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The torovj command line as a user runs it: a separate JVM, real exit statuses, one-line errors. */
class CliTest {
    record Cli(int status, String stdout, String stderr) {}

    static Cli torovj(String... args) throws IOException, InterruptedException {
        return torovjInJvm(List.of(), args);
    }

    /** The command line in a JVM started with {@code jvmOptions} (e.g. a small heap). */
    static Cli torovjInJvm(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dtorovj.vcpuProcess=" + System.getProperty("torovj.vcpuProcess")));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.torovj.cli.Main"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("cli", ".out"), err = Files.createTempFile("cli", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "torovj did not finish");
            return new Cli(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String platform() {
        return io.torovj.kvm.Kvm.deviceExists() ? "kvm" : "process";
    }

    @Test
    void runsHelloWorldAndPassesTheExitStatusThrough() throws Exception {
        for (String transport : GuestRun.TRANSPORTS) {
            Cli hello = torovj("run", "--platform", platform(), "--transport", transport, GuestRun.guest("helloworld").toString());
            assertEquals(0, hello.status(), hello.stderr());
            assertEquals("Hello, World!\n", hello.stdout());
        }
        Cli fault = torovj("run", "--platform", platform(), GuestRun.guest("nullread").toString());
        assertEquals(139, fault.status());
        assertTrue(fault.stderr().contains("torovj: guest fault: #PF (page fault) at rip=0x"), fault.stderr());
        assertFalse(fault.stderr().contains("Exception"), "no Java stack trace for a guest fault");
    }

    /**
     * A 1 GiB sparse file with a valid header but a program header table beyond what a loader
     * should ever read: refused with one line, by a JVM whose heap is a sixteenth of the file
     * (the file is mapped, never read onto the heap).
     */
    @Test
    void aHugeElfIsRefusedWithOneLineWhateverTheHeap(@TempDir Path dir) throws Exception {
        byte[] elf = Files.readAllBytes(GuestRun.guest("helloworld"));
        Path huge = dir.resolve("huge.elf");
        try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(huge,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer header = java.nio.ByteBuffer.wrap(java.util.Arrays.copyOf(elf, 64)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            header.putLong(32, (1L << 30) - 56);        // e_phoff: the last 56 bytes of the 1 GiB file
            header.putShort(56, (short) 2);             // e_phnum: two entries, so the table runs past the end
            f.write(header, 0);
            f.write(java.nio.ByteBuffer.wrap(new byte[] {0}), (1L << 30) - 1);   // sparse: 1 GiB long, 8 KiB on disk
        }
        Cli c = torovjInJvm(List.of("-Xmx64m"), "run", "--platform", platform(), huge.toString());
        assertEquals(1, c.status(), c.stderr());
        assertEquals(1, c.stderr().strip().lines().count(), c.stderr());
        assertTrue(c.stderr().startsWith("torovj: " + huge + ": truncated: program header table"), c.stderr());
        assertFalse(c.stderr().contains("OutOfMemoryError"), c.stderr());
    }

    @Test
    void everythingAfterTheProgramIsTheGuestsOptionsIncluded() throws Exception {
        Cli c = torovj("run", "--platform", platform(), GuestRun.guest("args").toString(), "-l", "--transport", "ring", "--", "x");
        assertEquals(0, c.status(), c.stderr());
        assertEquals("argc=6\nargv[0]=args.elf\nargv[1]=-l\nargv[2]=--transport\nargv[3]=ring\nargv[4]=--\nargv[5]=x\n", c.stdout());
    }

    @Test
    void malformedElfGetsOneClearLineAndStatus1(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("junk.elf");
        Files.write(junk, "#!/bin/sh\necho not an ELF\n".getBytes(StandardCharsets.US_ASCII));
        Cli c = torovj("run", "--platform", platform(), junk.toString());
        assertEquals(1, c.status());
        assertEquals(1, c.stderr().strip().lines().count(), c.stderr());
        assertTrue(c.stderr().startsWith("torovj: " + junk + ": "), c.stderr());

        byte[] elf = Files.readAllBytes(GuestRun.guest("helloworld"));
        Path truncated = dir.resolve("truncated.elf");
        Files.write(truncated, java.util.Arrays.copyOf(elf, 100));
        Cli t = torovj("run", "--platform", platform(), truncated.toString());
        assertEquals(1, t.status());
        assertEquals(1, t.stderr().strip().lines().count(), t.stderr());
        assertTrue(t.stderr().contains("truncated"), t.stderr());

        Cli missing = torovj("run", dir.resolve("nope.elf").toString());
        assertEquals(1, missing.status());
        assertEquals(1, missing.stderr().strip().lines().count(), missing.stderr());
    }

    @Test
    void badOptionsArePlainUsageErrors(@TempDir Path dir) throws Exception {
        Cli unknown = torovj("run", "--transport", "carrier-pigeon", "--platform", platform(), GuestRun.guest("helloworld").toString());
        assertEquals(1, unknown.status());
        assertTrue(unknown.stderr().contains("unknown transport 'carrier-pigeon' (known: "), unknown.stderr());
        for (String t : GuestRun.TRANSPORTS) assertTrue(unknown.stderr().contains(t), "lists " + t + ": " + unknown.stderr());
        Cli mem = torovj("run", "--mem", "3M", GuestRun.guest("helloworld").toString());
        assertEquals(1, mem.status());
        assertTrue(mem.stderr().contains("multiple of 2 MiB"), mem.stderr());
        Cli bogus = torovj("run", "--frobnicate", GuestRun.guest("helloworld").toString());
        assertEquals(2, bogus.status());
        Cli badSize = torovj("run", "--mem", "lots", GuestRun.guest("helloworld").toString());
        assertEquals(2, badSize.status());
        Path policy = dir.resolve("p.json");
        Files.writeString(policy, "{\n  \"allow\": [\"write\",\n  \"wirte\"]\n}\n");
        Cli badPolicy = torovj("run", "--policy", policy.toString(), GuestRun.guest("helloworld").toString());
        assertEquals(1, badPolicy.status());
        assertTrue(badPolicy.stderr().contains("p.json:3"), badPolicy.stderr());
        assertFalse(badPolicy.stderr().contains("\tat "), "no stack trace without --verbose");
    }

    @Test
    void listsTransportsAndDescribesKvm() throws Exception {
        Cli t = torovj("transports");
        assertEquals(0, t.status());
        assertTrue(t.stdout().contains("pio") && t.stdout().contains("mmio") && t.stdout().contains("ring"), t.stdout());
        Cli info = torovj("info");
        assertEquals(0, info.status());
        assertTrue(info.stdout().startsWith("kvm: "), info.stdout());
    }

    /** --verbose says where the VM's build went, step by step in build order, in milliseconds adding up to the whole. */
    @Test
    void theVerboseSummaryTimesTheBuildStepByStep() throws Exception {
        Cli c = torovj("run", "--verbose", "--platform", platform(), GuestRun.guest("helloworld").toString());
        assertEquals(0, c.status(), c.stderr());
        String line = c.stderr().lines().filter(l -> l.startsWith("torovj: built in ")).findFirst().orElse("");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("torovj: built in (\\d+\\.\\d{3}) ms: input (\\d+\\.\\d{3}), "
                + "memory (\\d+\\.\\d{3}), boot \\S+, program \\S+, syscalls \\S+, transport \\S+, vcpu \\S+, finish (\\d+\\.\\d{3})").matcher(line);
        assertTrue(m.matches(), c.stderr());
        double total = Double.parseDouble(m.group(1)), sum = 0;
        for (String step : line.substring(line.indexOf(": ", 8) + 2).split(", ")) sum += Double.parseDouble(step.split(" ")[1]);
        assertEquals(total, sum, 0.01, "the steps add up to the build: " + line);
        assertTrue(Double.parseDouble(m.group(3)) > 0, "creating the VM's memory takes time: " + line);

        Cli quiet = torovj("run", "--platform", platform(), GuestRun.guest("helloworld").toString());
        assertFalse(quiet.stderr().contains("built in"), "only with --verbose: " + quiet.stderr());
    }

    /**
     * --verbose ends with the syscalls the program asked for that answered -ENOSYS, once, by
     * name and count: busybox's glibc asks for rseq (which it tolerates) once.
     */
    @Test
    void theVerboseSummaryListsWhatAnsweredEnosys(@TempDir Path dir) throws Exception {
        List<String> names = new ArrayList<>(io.torovj.policy.SyscallPolicy.permissive(dir).allowedNames());
        names.add("rseq");
        Path policy = dir.resolve("policy.json");
        Files.writeString(policy, "{\"allow\": [\"" + String.join("\", \"", names) + "\"], \"files\": {\"root\": \""
                + dir.toRealPath() + "\"}}");
        Cli c = torovj("run", "--verbose", "--platform", platform(), "--mem", "16M", "--policy", policy.toString(),
                "/bin/busybox", "echo", "hi");
        assertEquals(0, c.status(), c.stderr());
        assertEquals("hi\n", c.stdout());
        List<String> summary = c.stderr().lines().filter(l -> l.startsWith("torovj: unimplemented: ")).toList();
        assertEquals(List.of("torovj: unimplemented: rseq x1"), summary, c.stderr());

        Cli quiet = torovj("run", "--platform", platform(), "--mem", "16M", "--policy", policy.toString(), "/bin/busybox", "true");
        assertEquals(0, quiet.status(), quiet.stderr());
        assertFalse(quiet.stderr().contains("unimplemented: "), "only with --verbose: " + quiet.stderr());
    }
}
