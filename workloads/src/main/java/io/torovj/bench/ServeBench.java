package io.torovj.bench;

import io.torovj.serve.FunctionPool;
import io.torovj.serve.FunctionRegistry;
import io.torovj.serve.HttpApi;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A warm HelloWorld invocation of `torovj serve`: inside the monitor (admit, take a pooled VM,
 * run, collect stdout and counters; the used VM is reset in place by its worker after
 * answering), through the HTTP API on loopback, and the pooled VM's own cycle on one thread
 * (reset, run, collect: {@link #resetRun}). For {@code native} each is the baseline it is
 * compared with: spawning the native process (fork+exec+wait). The cold path (build a VM, run,
 * close) is {@link HelloWorldBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ServeBench {
    private static final byte[] EMPTY = new byte[0];
    /** VMs built ahead: two workers, so one resets (or rebuilds) its VM while the other serves. */
    static final int POOL = 2;

    @State(Scope.Benchmark)
    public static class Server {
        @Param({GuestLauncher.NATIVE})
        public String transport;

        FunctionRegistry registry;
        FunctionPool pool;
        HttpApi api;
        HttpClient client;
        HttpRequest request;

        @Setup(Level.Trial)
        public void start() throws Exception {
            if (GuestLauncher.NATIVE.equals(transport)) return;
            registry = HelloFunction.registry();
            registry.define(HelloFunction.definition("hello", transport, POOL));
            pool = registry.pool("hello").orElseThrow();
            api = HttpApi.start(new InetSocketAddress("127.0.0.1", 0), registry, Path.of("").toAbsolutePath());
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.address().getPort() + "/functions/hello/invoke"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build();
        }

        @TearDown(Level.Trial)
        public void stop() {
            if (api != null) api.close();
            if (registry != null) registry.close();
        }
    }

    /** One reusable HelloWorld VM, built on the benchmark's thread (its vCPU's thread). */
    @State(Scope.Thread)
    public static class PooledVm {
        @Param({GuestLauncher.NATIVE})
        public String transport;

        PooledHelloVm vm;

        @Setup(Level.Trial)
        public void build() throws Exception {
            if (!GuestLauncher.NATIVE.equals(transport)) vm = new PooledHelloVm(transport);
        }

        @TearDown(Level.Trial)
        public void close() {
            if (vm != null) vm.close();
        }
    }

    /**
     * A pooled VM's whole cycle on one thread, the reset included: reset to the built state
     * (guest RAM from its image, registers, fds, stdio), run HelloWorld, collect its stdout. What
     * a warm invocation costs a worker, without the pool's queue and thread hand-offs.
     */
    @Benchmark
    public int resetRun(PooledVm p) {
        return p.vm == null ? spawnNative() : p.vm.cycle();
    }

    /** Inside the monitor: admission, a ready VM, the run, the output; the worker resets the VM afterwards. */
    @Benchmark
    public int warmInvoke(Server s) throws Exception {
        if (s.pool == null) return spawnNative();
        var r = s.pool.submit(EMPTY).get();
        if (!r.exited() || r.status() != 0) throw new IllegalStateException("hello ended " + r.ending() + " " + r.report());
        return r.stdout().length;
    }

    /** Through the HTTP API: one POST on a kept-alive loopback connection. */
    @Benchmark
    public int httpInvoke(Server s) throws Exception {
        if (s.pool == null) return spawnNative();
        HttpResponse<byte[]> r = s.client.send(s.request, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode());
        return r.body().length;
    }

    private static int spawnNative() {
        GuestLauncher.nativeRun(List.of(), "helloworld");
        return 0;
    }
}
