package io.torovj.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What every benchmark is parameterised by: the transport (set at run time by {@link BenchMain}
 * to every registered transport plus {@code native}), and a launcher that runs a workload under
 * it with output to /dev/null.
 */
@State(Scope.Benchmark)
public class TransportState {
    @Param({GuestLauncher.NATIVE})
    public String transport;

    private GuestLauncher launcher;
    private Path root;

    @Setup
    public void setUp() throws Exception {
        root = Files.createTempDirectory("torovj-bench");
        launcher = new GuestLauncher(root);
    }

    @TearDown
    public void tearDown() throws Exception {
        launcher.close();
        Files.deleteIfExists(root);
    }

    /** Runs {@code program} to completion under the transport; returns its exit status (always 0). */
    int run(String program, String... args) {
        if (GuestLauncher.NATIVE.equals(transport)) {
            GuestLauncher.nativeRun(List.of(), program, args);
            return 0;
        }
        return launcher.vm(transport, 0, program, args).status();
    }
}
