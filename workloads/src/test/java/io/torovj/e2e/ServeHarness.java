package io.torovj.e2e;

import io.torovj.log.MonitorLog;
import io.torovj.serve.FunctionRegistry;
import io.torovj.serve.HttpApi;
import io.torovj.serve.PoolSettings;
import io.torovj.transport.TransportRegistry;
import io.torovj.vmm.Platform;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A `torovj serve` in this JVM on a free loopback port, and an HTTP client for it. */
final class ServeHarness implements AutoCloseable {
    final FunctionRegistry registry;
    final HttpApi api;
    /**
     * One client for every test in this JVM, never dropped: a dropped HttpClient closes its
     * selector's epoll and eventfd when the collector gets to it, possibly while another test
     * (HostileGuestTest) checks that the JVM's fds are those it had before a VM.
     */
    static final HttpClient SHARED_CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    final HttpClient client = SHARED_CLIENT;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    ServeHarness(Platform.Kind platform) throws Exception {
        this(platform, io.torovj.serve.VmReuse.RESET);
    }

    ServeHarness(Platform.Kind platform, io.torovj.serve.VmReuse reuse) throws Exception {
        GuestRun.assumePlatform(platform);
        String launcher = System.getProperty("torovj.vcpuProcess");
        registry = new FunctionRegistry(new PoolSettings(platform, launcher == null ? null : Path.of(launcher),
                TransportRegistry.load(), new MonitorLog(new PrintStream(log, true, StandardCharsets.UTF_8)), reuse));
        api = HttpApi.start(new InetSocketAddress("127.0.0.1", 0), registry, Path.of("").toAbsolutePath());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + api.address().getPort() + path);
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return client.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<String>> sendAsync(String method, String path, String body) {
        return client.sendAsync(request(method, path, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String method, String path, String body) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    HttpResponse<String> invoke(String function, String body) throws Exception {
        return send("POST", "/functions/" + function + "/invoke", body);
    }

    /** PUTs {@code json} as function {@code name}'s definition. */
    HttpResponse<String> define(String name, String json) throws Exception {
        return send("PUT", "/functions/" + name, json);
    }

    /** A definition of test guest {@code program} with {@code extra} JSON members (each starting with a comma). */
    static String definition(String program, String transport, String extra) {
        return "{\"program\": \"" + GuestRun.guest(program).toAbsolutePath() + "\", \"transport\": \"" + transport + "\"" + extra + "}";
    }

    /** The value of the metric sample {@code series} (name and labels, as exposed) in /metrics, 0 if absent. */
    double metric(String series) throws Exception {
        for (String line : send("GET", "/metrics", null).body().split("\n")) {
            if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1).trim());
        }
        return 0;
    }

    /** An inline policy letting serveprobe's modes run. */
    static final String PROBE_POLICY = probePolicy("");

    /** {@link #PROBE_POLICY} with policy {@code limits} (JSON members, each starting with a comma; may be empty). */
    static String probePolicy(String limits) {
        return ", \"policy\": {\"allow\": [\"read\", \"write\", \"close\", \"fstat\", \"lseek\", \"exit\","
                + " \"exit_group\", \"brk\", \"mmap\", \"munmap\", \"clock_gettime\", \"socket\"]" + limits + "}";
    }

    @Override
    public void close() {
        api.close();
        registry.close();
    }
}
