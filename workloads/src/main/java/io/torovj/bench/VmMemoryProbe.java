package io.torovj.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.torovj.serve.FunctionRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link MemoryProbeRun}: for one transport, the monitor's memory against the
 * number of VMs alive, in two shapes, each from its own baseline:
 * <ul>
 *   <li><b>pooled</b>: idle HelloWorld VMs of a `torovj serve` pool (built, loaded, booted, each
 *       waiting on its worker thread), at 0, n/2 and n VMs: the density of a serverless host;</li>
 *   <li><b>live</b>: echo guests in the middle of a run, blocked in accept (each with its vCPU
 *       thread and, for the ring transports, its poller thread), at 0, k/2 and k VMs.</li>
 * </ul>
 * Before either, a few VMs of each shape are built, run and closed (HelloWorld, a pool, and an
 * echo guest served to its end), so that the classes, the native bindings, the JIT's code and the
 * allocator's arenas the first VM brings are not counted per VM. Prints one JSON object.
 */
public final class VmMemoryProbe {
    private static final long START_SECONDS = 60;

    private VmMemoryProbe() {}

    /** {@code transport pooled live}. */
    public static void main(String[] args) throws Exception {
        if (args.length != 3) throw new IllegalArgumentException("usage: VmMemoryProbe TRANSPORT POOLED LIVE");
        String transport = args[0];
        int pooled = Integer.parseInt(args[1]), live = Integer.parseInt(args[2]);
        warmUp(transport);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("transport", transport);
        out.put("pooled", points(pooled(transport, pooled)));
        out.put("live", points(live(transport, live)));
        System.out.println(new ObjectMapper().writeValueAsString(out));
    }

    private static void warmUp(String transport) throws Exception {
        Path root = Files.createTempDirectory("torovj-bench");
        try (GuestLauncher launcher = new GuestLauncher(root); FunctionRegistry registry = HelloFunction.registry()) {
            for (int i = 0; i < 3; i++) launcher.vm(transport, 0, "helloworld");
            // the live shape's path once, end to end: its socket bindings (jnr-ffi generates them at
            // their first call) and classes are the first echo guest's cost, not each live VM's
            for (int i = 0; i < 2; i++) {
                int port = EchoClient.freePort();
                CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> launcher.vm(transport, 0, "echo", Integer.toString(port), "1"));
                EchoClient.start(port, 0, 1).get(START_SECONDS, TimeUnit.SECONDS);
                echo.get(START_SECONDS, TimeUnit.SECONDS);
            }
            registry.define(HelloFunction.definition("warm", transport, 2));
            registry.pool("warm").orElseThrow().submit(new byte[0]).get(START_SECONDS, TimeUnit.SECONDS);
            registry.delete("warm");
        } finally {
            Files.deleteIfExists(root);
        }
    }

    /** Two pools of n/2 each: the point after each is defined (define returns once its VMs are built). */
    static List<MemoryGrowth.Point> pooled(String transport, int n) throws Exception {
        List<MemoryGrowth.Point> points = new ArrayList<>();
        try (FunctionRegistry registry = HelloFunction.registry()) {
            points.add(new MemoryGrowth.Point(0, MemorySnapshot.take()));
            int half = n / 2;
            for (int i = 0; i < 2; i++) {
                registry.define(HelloFunction.definition("idle" + i, transport, half));
                var pool = registry.pool("idle" + i).orElseThrow();
                waitUntil(() -> pool.ready() == half, "the pool's " + half + " VMs were not all ready");
                points.add(new MemoryGrowth.Point((i + 1) * half, MemorySnapshot.take()));
            }
        }
        return points;
    }

    /** k echo guests on threads of their own, each blocked in accept until a client connects and ends it. */
    static List<MemoryGrowth.Point> live(String transport, int k) throws Exception {
        List<MemoryGrowth.Point> points = new ArrayList<>();
        Path root = Files.createTempDirectory("torovj-bench");
        List<Integer> ports = new ArrayList<>();
        List<CompletableFuture<Void>> vms = new ArrayList<>();
        try (GuestLauncher launcher = new GuestLauncher(root)) {
            points.add(new MemoryGrowth.Point(0, MemorySnapshot.take()));
            int half = k / 2;
            try {
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < half; j++) {
                        int port = EchoClient.freePort();
                        ports.add(port);
                        CompletableFuture<Void> vm = new CompletableFuture<>();
                        Thread t = new Thread(() -> {
                            try {
                                launcher.vm(transport, 0, "echo", Integer.toString(port), "1");
                                vm.complete(null);
                            } catch (RuntimeException e) {
                                vm.completeExceptionally(e);
                            }
                        }, "echo-" + port);
                        t.setDaemon(true);
                        t.start();
                        vms.add(vm);
                    }
                    waitUntil(() -> allListening(ports) || vms.stream().anyMatch(CompletableFuture::isDone),
                            "the echo guests did not all start listening");
                    for (CompletableFuture<Void> vm : vms) {
                        if (vm.isDone()) vm.join(); // one that ended early: its failure, not a wrong figure
                    }
                    points.add(new MemoryGrowth.Point((i + 1) * half, MemorySnapshot.take()));
                }
            } finally {
                endAll(ports, vms);
            }
        } finally {
            Files.deleteIfExists(root);
        }
        return points;
    }

    /**
     * Ends every echo guest still running with one transaction of its own client, then waits for
     * all of them. The first failure is thrown with the later ones attached: a guest that ended
     * early (one that failed in bind, say) is not connected to, so its own error is the one seen,
     * not the client's "connection refused" half a minute later.
     */
    private static void endAll(List<Integer> ports, List<CompletableFuture<Void>> vms) throws Exception {
        Exception first = null;
        for (int i = 0; i < vms.size(); i++) {
            try {
                if (!vms.get(i).isDone()) EchoClient.start(ports.get(i), 0, 1).get(START_SECONDS, TimeUnit.SECONDS);
                vms.get(i).get(START_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }

    private static List<long[]> points(List<MemoryGrowth.Point> points) {
        List<long[]> out = new ArrayList<>();
        for (MemoryGrowth.Point p : points) {
            out.add(new long[] {p.vms(), p.memory().rssBytes(), p.memory().heapLiveBytes(), p.memory().kernelBytes()});
        }
        return out;
    }

    private interface Condition {
        boolean holds() throws IOException;
    }

    private static void waitUntil(Condition c, String failure) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (!c.holds()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException(failure + " within " + START_SECONDS + " s");
            Thread.sleep(5);
        }
    }

    /** True when every port has a TCP socket in LISTEN state (/proc/net/tcp, state 0A). */
    private static boolean allListening(List<Integer> ports) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/tcp"));
        for (int port : ports) {
            String local = ":" + String.format(Locale.ROOT, "%04X", port);
            boolean found = false;
            for (String l : lines) {
                String[] f = l.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(local) && f[3].equals("0A")) {
                    found = true;
                    break;
                }
            }
            if (!found) return false;
        }
        return true;
    }
}
