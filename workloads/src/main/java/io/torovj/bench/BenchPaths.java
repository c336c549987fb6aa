package io.torovj.bench;

import java.nio.file.Path;

/**
 * Where the benchmark finds what the build made: guest ELFs, their native twins, host tools.
 * Set by the bench profile as system properties (forked JMH JVMs inherit them).
 */
final class BenchPaths {
    private BenchPaths() {}

    static Path guest(String program) {
        return Path.of(System.getProperty("torovj.guestDir", "workloads/target/guest"), program + ".elf");
    }

    static Path nativeBinary(String program) {
        return Path.of(System.getProperty("torovj.nativeDir", "workloads/target/native"), program);
    }

    static Path tool(String name) {
        return Path.of(System.getProperty("torovj.toolsDir", "workloads/target/tools"), name);
    }
}
