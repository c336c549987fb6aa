package io.torovj.cli;

import io.torovj.log.MonitorLog;
import io.torovj.serve.DefinitionException;
import io.torovj.serve.DefinitionReader;
import io.torovj.serve.FunctionDefinition;
import io.torovj.serve.FunctionRegistry;
import io.torovj.serve.HttpApi;
import io.torovj.serve.PoolSettings;
import io.torovj.transport.TransportRegistry;
import io.torovj.vmm.Platform;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code torovj serve}: a long-running monitor serving functions over HTTP, each from a pool of
 * VMs built ahead. SIGTERM (or SIGINT) drains: no new invocations, the admitted ones finish and
 * are answered, then it exits.
 */
@Command(name = "serve", description = "Serve functions (programs run as VMs from a warm pool) over an HTTP API.",
        mixinStandardHelpOptions = true)
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--listen", defaultValue = "127.0.0.1:8080", paramLabel = "HOST:PORT",
            description = "Address of the HTTP API (port 0: any free port). Default: ${DEFAULT-VALUE} (loopback only).")
    String listen;

    @Option(names = "--functions", paramLabel = "FILE",
            description = "JSON file of function definitions, {\"functions\": [...]}, served from the start.")
    Path functionsFile;

    @Option(names = "--platform", defaultValue = "kvm", paramLabel = "kvm|process", converter = PlatformConverter.class,
            description = "Where guest code runs: kvm (default), or process (functional testing only).")
    Platform.Kind platform;

    @Option(names = "--vm-reuse", defaultValue = "reset", paramLabel = "reset|rebuild",
            description = "How a used VM is made ready again: reset (in place, from an image of the built VM; default) "
                    + "or rebuild (close it and build a new one).")
    io.torovj.serve.VmReuse reuse;

    @Override
    public Integer call() {
        InetSocketAddress address;
        try {
            address = parseListen(listen);
        } catch (IllegalArgumentException e) {
            System.err.println("torovj: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        }
        TransportRegistry transports = TransportRegistry.load();
        PoolSettings settings = new PoolSettings(platform,
                platform == Platform.Kind.PROCESS ? Main.processLauncher() : null, transports, MonitorLog.stderr(), reuse);
        FunctionRegistry registry = new FunctionRegistry(settings);
        HttpApi api;
        try {
            if (functionsFile != null) {
                List<FunctionDefinition> defs = DefinitionReader.readFile(functionsFile, transports);
                for (FunctionDefinition d : defs) registry.define(d);
            }
            api = HttpApi.start(address, registry, Path.of("").toAbsolutePath());
        } catch (DefinitionException e) {
            registry.close();
            System.err.println("torovj: " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        } catch (IOException e) {
            registry.close();
            System.err.println("torovj: cannot listen on " + listen + ": " + e.getMessage());
            return Main.EXIT_BAD_INPUT;
        }
        CountDownLatch drained = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            int inFlight = registry.inFlight();
            System.err.println("torovj: draining " + inFlight + " in-flight invocation(s)");
            registry.close();       // refuses new invocations (503), answers the admitted ones
            api.close();
            System.err.println("torovj: drained, exiting");
            drained.countDown();
        }, "torovj-drain"));
        InetSocketAddress bound = api.address();
        System.err.println("torovj: serving " + registry.pools().size() + " function(s) on http://"
                + bound.getHostString() + ":" + bound.getPort());
        try {
            drained.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    static InetSocketAddress parseListen(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0) throw new IllegalArgumentException("--listen needs HOST:PORT, not '" + s + "'");
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--listen: bad port in '" + s + "'");
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        return new InetSocketAddress(host, port);
    }
}
