package io.torovj.bench;

import io.torovj.log.MonitorLog;
import io.torovj.policy.SyscallPolicy;
import io.torovj.serve.FunctionDefinition;
import io.torovj.serve.FunctionRegistry;
import io.torovj.serve.PoolSettings;
import io.torovj.transport.TransportRegistry;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** HelloWorld as a `torovj serve` function, the way every serve benchmark defines it: 8 MiB of guest RAM, the default policy. */
final class HelloFunction {
    /** The guest RAM of each pooled VM (only the pages it touches are resident). */
    static final long MEMORY = 8L << 20;

    private HelloFunction() {}

    /** A registry on the bench's platform, its log discarded. */
    static FunctionRegistry registry() {
        String launcher = System.getProperty("torovj.vcpuProcess");
        return new FunctionRegistry(new PoolSettings(GuestLauncher.platform(), launcher == null ? null : Path.of(launcher),
                TransportRegistry.load(), new MonitorLog(new PrintStream(OutputStream.nullOutputStream()))));
    }

    /** HelloWorld named {@code name} over {@code transport}, {@code pool} VMs built ahead. */
    static FunctionDefinition definition(String name, String transport, int pool) {
        return new FunctionDefinition(name, BenchPaths.guest("helloworld").toAbsolutePath(), List.of(), List.of(),
                SyscallPolicy.defaultPolicy(), "default", transport, Map.of(), MEMORY, pool, FunctionDefinition.Limits.DEFAULT);
    }
}
