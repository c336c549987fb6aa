package io.torovj.loader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real executables built with the machine's gcc the first time a test asks, once per JVM,
 * in a temporary directory removed at exit. gcc is a build requirement, so a missing gcc
 * fails the tests with a message saying so rather than skipping them.
 */
final class TestExecutables {
    /**
     * No libc: one RX text segment, an R rodata segment and an RW segment with 16 bytes of
     * data and 20000 bytes of bss, so loading has something to copy and something to zero.
     */
    private static final String TINY = """
            char message[] = "hello from data";
            char zeroes[20000];
            void _start(void) {
                zeroes[1] = message[0];
                __asm__ volatile("mov $60, %eax\\n\\txor %edi, %edi\\n\\tsyscall");
                for (;;) {}
            }
            """;
    private static final String HELLO = """
            #include <stdio.h>
            int main(void) { puts("hello"); return 0; }
            """;

    private static Path dir;
    private static byte[] tiny, staticPie, dynamic, staticGlibc, object;

    private TestExecutables() {}

    /** Static, -nostdlib, non-PIE: the one the loader must accept. Returns a fresh copy. */
    static synchronized byte[] tiny() {
        if (tiny == null) tiny = build("tiny", TINY, "-static", "-nostdlib", "-fno-pie", "-no-pie", "-O1");
        return tiny.clone();
    }

    /** -static-pie: ET_DYN. */
    static synchronized byte[] staticPie() {
        if (staticPie == null) staticPie = build("static-pie", HELLO, "-static-pie", "-O1");
        return staticPie.clone();
    }

    /** Dynamically linked against libc, non-PIE: ET_EXEC with PT_INTERP and PT_DYNAMIC. */
    static synchronized byte[] dynamic() {
        if (dynamic == null) dynamic = build("dynamic", HELLO, "-no-pie", "-O1");
        return dynamic.clone();
    }

    /** Static glibc, non-PIE: ET_EXEC with a PT_TLS segment. */
    static synchronized byte[] staticGlibc() {
        if (staticGlibc == null) staticGlibc = build("static-glibc", HELLO, "-static", "-no-pie", "-O1");
        return staticGlibc.clone();
    }

    /** A relocatable object (gcc -c): ET_REL. */
    static synchronized byte[] object() {
        if (object == null) object = build("object.o", TINY, "-c", "-fno-pie", "-O1");
        return object.clone();
    }

    /** The directory the executables are written to, for tests of parse(Path). */
    static synchronized Path directory() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("torovj-elf-test");
            } catch (IOException e) {
                throw new AssertionError("cannot create a temporary directory for test executables", e);
            }
            Path d = dir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(d)));
        }
        return dir;
    }

    private static byte[] build(String name, String source, String... flags) {
        Path d = directory();
        Path c = d.resolve(name + ".c");
        Path out = d.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("gcc"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-o", out.toString(), c.toString()));
        try {
            Files.writeString(c, source);
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new AssertionError("gcc is required by the build (to compile test executables) but could not be run: "
                        + e.getMessage(), e);
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("gcc did not finish within 60 s: " + String.join(" ", cmd));
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError("gcc failed (" + p.exitValue() + "): " + String.join(" ", cmd) + "\n" + output);
            }
            return Files.readAllBytes(out);
        } catch (IOException e) {
            throw new AssertionError("cannot build test executable " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while building " + name, e);
        }
    }

    private static void deleteTree(Path d) {
        try (var files = Files.walk(d)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort at exit
        }
    }
}
