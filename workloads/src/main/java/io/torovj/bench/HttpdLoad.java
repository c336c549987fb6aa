package io.torovj.bench;

import static io.torovj.linux.OpenFlags.O_CLOEXEC;
import static io.torovj.linux.OpenFlags.O_NONBLOCK;
import static io.torovj.linux.OpenFlags.O_RDONLY;
import static io.torovj.linux.OpenFlags.O_WRONLY;

import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.HostFiles;
import io.torovj.vmm.Vm;
import io.torovj.vmm.VmConfig;
import io.torovj.vmm.VmResult;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The httpd workload under load from {@code wrk} (Debian's package; nobody here wrote it): the
 * guest's server over one transport, or its native build, answering {@code GET /} on keep-alive
 * connections. The server runs with no request limit and stops cleanly when its stdin, a pipe
 * (natively) or a FIFO (the VM's), reaches end of file; a run that does not end with status 0
 * fails the bench. Each target gets a short warm-up run of wrk (the monitor's JIT), then the
 * measured one, with the same threads, connections and duration for every target.
 */
final class HttpdLoad {
    /** wrk's threads and connections: one client thread, four keep-alive connections. */
    static final int THREADS = 1, CONNECTIONS = 4;

    private final int seconds;
    private final int warmupSeconds;
    private final Path scratch;

    /**
     * @param mode quick: 2 s per target, default: 3 s (over 100,000 requests for the ring transports
     *             here, and it keeps the default run within its 10 minutes now that .ci/run installs
     *             wrk), full: 10 s (plus a 1 s warm-up, 2 s in full)
     */
    HttpdLoad(BenchMode mode, Path scratch) {
        this.seconds = switch (mode.name()) {
            case "quick" -> 2;
            case "full" -> 10;
            default -> 3;
        };
        this.warmupSeconds = mode.name().equals("full") ? 2 : 1;
        this.scratch = scratch;
    }

    /** True if wrk can be run here. */
    static boolean wrkAvailable() {
        try {
            Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(10, TimeUnit.SECONDS);
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The wrk command line of a measured run against {@code port}. */
    List<String> wrkCommand(int port, int secs) {
        return List.of("wrk", "-t" + THREADS, "-c" + CONNECTIONS, "-d" + secs + "s", "--latency", "http://127.0.0.1:" + port + "/");
    }

    /** Describes the load, for the environment's notes. */
    String describe() {
        return String.join(" ", wrkCommand(0, seconds)).replace("127.0.0.1:0", "127.0.0.1:PORT")
                + " after a " + warmupSeconds + " s warm-up, against each target in turn";
    }

    /** Serves with the native build and measures it. */
    WrkRun runNative() throws Exception {
        int port = EchoClient.freePort();
        ProcessBuilder pb = GuestLauncher.quietProcess(List.of(BenchPaths.nativeBinary("httpd").toString(), Integer.toString(port)), List.of());
        Process server = pb.redirectInput(ProcessBuilder.Redirect.PIPE).start();
        try {
            WrkRun run = load(port);
            server.getOutputStream().close();          // end of stdin: the server exits 0
            if (!server.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("native httpd did not stop");
            if (server.exitValue() != 0) throw new IllegalStateException("native httpd exited " + server.exitValue());
            return run;
        } finally {
            server.destroyForcibly();
        }
    }

    /** Serves from a VM over {@code transport} and measures it. */
    WrkRun runVm(String transport) throws Exception {
        int port = EchoClient.freePort();
        Path fifo = scratch.resolve("httpd-stdin-" + transport);
        mkfifo(fifo);
        // the read end first (non-blocking: a FIFO's blocking open waits for a writer), then the writer
        int stdin = HostFiles.open(fifo.toString(), O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
        int writer = stdin < 0 ? -1 : HostFiles.open(fifo.toString(), O_WRONLY | O_CLOEXEC, 0);
        int devNull = HostFiles.open("/dev/null", O_WRONLY | O_CLOEXEC, 0);
        try {
            if (stdin < 0 || writer < 0 || devNull < 0) throw new IllegalStateException("cannot open " + fifo + " or /dev/null");
            VmConfig config = GuestLauncher.config("httpd").argv(List.of("httpd", Integer.toString(port)))
                    .transport(transport).policy(SyscallPolicy.permissive(scratch)).stdio(stdin, devNull, devNull).build();
            CompletableFuture<VmResult> vm = CompletableFuture.supplyAsync(() -> {
                try {
                    return Vm.run(config);
                } catch (Exception e) {
                    throw new IllegalStateException("httpd under " + transport + ": " + e.getMessage(), e);
                }
            });
            WrkRun run;
            try {
                run = load(port);
            } finally {
                HostFiles.close(writer);              // end of stdin: the guest exits 0
                writer = -1;
            }
            VmResult r = vm.get(60, TimeUnit.SECONDS);
            if (!r.exited() || r.status() != 0) {
                throw new IllegalStateException("httpd under " + transport + " failed: status " + r.status() + " " + r.report());
            }
            return run;
        } finally {
            if (writer >= 0) HostFiles.close(writer);
            if (stdin >= 0) HostFiles.close(stdin);
            if (devNull >= 0) HostFiles.close(devNull);
            Files.deleteIfExists(fifo);
        }
    }

    /** Waits for the server to answer, warms it up, then the measured wrk run. */
    private WrkRun load(int port) throws Exception {
        awaitServer(port);
        wrk(port, warmupSeconds);
        String out = wrk(port, seconds);
        WrkRun run = WrkRun.parse(out).orElseThrow(() -> new IllegalStateException("cannot read wrk's output:\n" + out));
        WrkRun.problems(out).ifPresent(p -> {
            throw new IllegalStateException("wrk saw errors against httpd: " + p + "\n" + out);
        });
        return run;
    }

    private String wrk(int port, int secs) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(wrkCommand(port, secs)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(secs + 30L, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("wrk failed:\n" + out);
        }
        return out;
    }

    /** One GET / answered (retrying while a VM boots): the server is up. */
    private static void awaitServer(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (;;) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write("GET / HTTP/1.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                if (new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200 ")) return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("httpd on port " + port + " never answered", e);
            }
            Thread.sleep(20);
        }
    }

    private static void mkfifo(Path p) throws IOException, InterruptedException {
        Files.deleteIfExists(p);
        List<String> cmd = new ArrayList<>(List.of("mkfifo", "-m", "600", p.toString()));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (proc.waitFor() != 0) throw new IOException("mkfifo " + p + " failed: " + out);
    }
}
