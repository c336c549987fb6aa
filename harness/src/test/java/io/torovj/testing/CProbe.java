package io.torovj.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the machine's gcc computes for C expressions: a probe program including the given
 * headers prints each expression's value, and the test compares it with the Java constant that
 * mirrors it. So a number shared between Java and C is checked by the compiler, never by
 * reading the C source as text.
 */
public final class CProbe {
    private final Map<String, Long> values;

    private CProbe(Map<String, Long> values) {
        this.values = values;
    }

    /**
     * Compiles and runs a probe in {@code dir} that includes {@code headers} (from
     * harness/src/main/c and the system) and prints each {name, C expression} of {@code checks}.
     */
    public static CProbe run(Path dir, List<String> headers, String[][] checks) throws IOException, InterruptedException {
        return run(dir, List.of(Path.of("src/main/c")), headers, checks);
    }

    /** {@link #run(Path, List, String[][])} with the headers looked for in {@code includeDirs}. */
    public static CProbe run(Path dir, List<Path> includeDirs, List<String> headers, String[][] checks)
            throws IOException, InterruptedException {
        StringBuilder src = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n");
        for (String h : headers) src.append("#include ").append(h).append('\n');
        src.append("int main(void) {\n");
        for (String[] c : checks) {
            src.append("  printf(\"%s %llu\\n\", \"").append(c[0]).append("\", (unsigned long long)(").append(c[1]).append("));\n");
        }
        src.append("  return 0;\n}\n");
        Path c = dir.resolve("probe.c");
        Files.writeString(c, src);
        Path exe = dir.resolve("probe");
        List<String> gcc = new java.util.ArrayList<>(List.of("gcc"));
        for (Path include : includeDirs) gcc.add("-I" + include.toAbsolutePath());
        gcc.addAll(List.of("-o", exe.toString(), c.toString()));
        exec(dir, gcc.toArray(String[]::new));
        Map<String, Long> values = new HashMap<>();
        for (String line : exec(dir, exe.toString()).split("\n")) {
            String[] kv = line.trim().split(" ");
            values.put(kv[0], Long.parseUnsignedLong(kv[1]));
        }
        assertEquals(checks.length, values.size(), "one value per check");
        return new CProbe(values);
    }

    /** The C value named {@code name}. */
    public long value(String name) {
        assertTrue(values.containsKey(name), "probe did not print " + name);
        return values.get(name);
    }

    /** Asserts that the C value named {@code name} equals {@code javaValue}. */
    public void check(String name, long javaValue) {
        assertTrue(values.containsKey(name), "probe did not print " + name);
        assertEquals(values.get(name).longValue(), javaValue, name + " differs from the C compiler's value");
    }

    private static String exec(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
        assertEquals(0, p.exitValue(), "failed (gcc and linux-libc-dev are required): " + String.join(" ", cmd) + "\n" + out);
        return out;
    }
}
