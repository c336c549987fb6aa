package io.torovj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The monitor's host memory per VM: the JVM's RSS growth while {@code k} VMs are alive at once
 * (each an echo guest waiting in accept), divided by {@code k}.
 */
final class HostMemoryProbe {
    private HostMemoryProbe() {}

    static double rssPerVm(String transport, int k) throws Exception {
        Path root = Files.createTempDirectory("torovj-bench");
        List<Integer> ports = new ArrayList<>();
        List<CompletableFuture<Void>> vms = new ArrayList<>();
        try (GuestLauncher launcher = new GuestLauncher(root)) {
            System.gc();
            long before = rssBytes();
            for (int i = 0; i < k; i++) {
                int port = EchoClient.freePort();
                ports.add(port);
                vms.add(CompletableFuture.runAsync(() -> launcher.vm(transport, 0, "echo", Integer.toString(port), "1")));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!allListening(ports)) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("echo guests did not all start listening");
                Thread.sleep(5);
            }
            long during = rssBytes();
            for (int port : ports) EchoClient.start(port, 0, 1).get(30, TimeUnit.SECONDS);
            for (CompletableFuture<Void> vm : vms) vm.get(30, TimeUnit.SECONDS);
            return Math.max(0, (double) (during - before) / k);
        } finally {
            Files.deleteIfExists(root);
        }
    }

    static long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
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
