package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.lifecycle.Ending;
import io.torovj.policy.SyscallPolicy;
import io.torovj.vmm.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The httpd workload (one epoll loop, non-blocking sockets) served from a VM over every
 * transport on both platforms, against clients on raw sockets: keep-alive on one connection and
 * on several at once, pipelined requests with a half-close, a malformed request; every byte the
 * clients receive is the same as from the native build of the same source.
 */
class HttpdTest {
    /** Requests per keep-alive connection, and how many such connections run at once. */
    private static final int PER_CONNECTION = 10, CONCURRENT = 3, PIPELINED = 5;
    /** Everything {@link #session} sends: the server exits once it has answered this many. */
    private static final int REQUESTS = PER_CONNECTION * (1 + CONCURRENT) + PIPELINED + 1;
    private static final int CONNECTIONS = 1 + CONCURRENT + 1 + 1;

    private static final List<String> SYSCALLS = List.of("read", "write", "close", "fstat", "exit_group", "clock_gettime",
            "brk", "mmap", "munmap", "socket", "setsockopt", "bind", "listen", "accept4", "recvfrom", "sendto",
            "epoll_create1", "epoll_ctl", "epoll_wait");

    private static SyscallPolicy policy(Optional<Duration> wallClock) {
        return SyscallPolicy.builder().allow(SYSCALLS).bindPorts(1024, SyscallPolicy.MAX_PORT)
                .limits(new SyscallPolicy.Limits(OptionalInt.empty(), OptionalLong.empty(), wallClock, Optional.empty()))
                .build();
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void servesKeepAlivePipelinedAndConcurrentRequestsLikeTheNativeBuild(Platform.Kind platform, String transport)
            throws Exception {
        GuestRun.assumePlatform(platform);
        int port = freePort();
        CompletableFuture<List<byte[]>> client = CompletableFuture.supplyAsync(() -> session(port));
        GuestRun.Outcome vm = GuestRun.run(platform, transport, policy(Optional.empty()), "httpd",
                Integer.toString(port), Integer.toString(REQUESTS));
        List<byte[]> fromVm = client.get(60, TimeUnit.SECONDS);
        assertEquals(0, vm.vm().status(), vm.vm().report() + vm.stderr() + vm.log());
        assertEquals("httpd: " + REQUESTS + " requests, " + CONNECTIONS + " connections\n", vm.stdout());

        int nativePort = freePort();
        CompletableFuture<List<byte[]>> nativeClient = CompletableFuture.supplyAsync(() -> session(nativePort));
        Object[] nativeRun = GuestRun.runNative("httpd", List.of(), Integer.toString(nativePort), Integer.toString(REQUESTS));
        List<byte[]> fromNative = nativeClient.get(60, TimeUnit.SECONDS);
        assertEquals(0, (int) nativeRun[0], "httpd natively");
        assertEquals(nativeRun[1], vm.stdout());
        assertEquals(fromNative.size(), fromVm.size());
        for (int i = 0; i < fromNative.size(); i++) {
            assertArrayEquals(fromNative.get(i), fromVm.get(i), "connection " + i + ": the same bytes as natively");
        }
        String first = new String(fromVm.get(0), StandardCharsets.US_ASCII);
        assertTrue(first.startsWith("HTTP/1.1 200 OK\r\n") && first.contains("\r\n\r\nHello from ToroV/J\n"), first);
        String bad = new String(fromVm.get(fromVm.size() - 1), StandardCharsets.US_ASCII);
        assertTrue(bad.startsWith("HTTP/1.1 400 Bad Request\r\n") && bad.contains("Connection: close\r\n"), bad);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void closesAnIdleConnection(Platform.Kind platform) throws Exception {
        GuestRun.assumePlatform(platform);
        int port = freePort();
        CompletableFuture<String> client = CompletableFuture.supplyAsync(() -> {
            try (Socket idle = connect(port)) {
                // nothing sent: the server closes it after IDLE_MS (200 ms), well before this timeout
                idle.setSoTimeout(20_000);
                int first = idle.getInputStream().read();
                try (Socket s = connect(port)) {
                    return first + " " + exchange(s, "GET /bytes/3 HTTP/1.1\r\n\r\n");
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        GuestRun.Outcome vm = GuestRun.run(platform, "pio", policy(Optional.empty()), "httpd", Integer.toString(port), "1", "200");
        assertEquals(0, vm.vm().status(), vm.vm().report() + vm.stderr() + vm.log());
        String seen = client.get(30, TimeUnit.SECONDS);
        assertTrue(seen.startsWith("-1 HTTP/1.1 200 OK\r\n") && seen.endsWith("\r\n\r\nabc"), seen);
        assertEquals("httpd: 1 requests, 2 connections\n", vm.stdout());
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void wallClockLimitEndsTheVmWhileItWaitsInEpoll(Platform.Kind platform, String transport) throws Exception {
        int port = freePort();
        // a request limit never reached and no client: the guest sits in epoll_wait until the limit
        GuestRun.Outcome o = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> GuestRun.run(platform, transport,
                policy(Optional.of(Duration.ofMillis(1500))), "httpd", Integer.toString(port), "1000000"));
        assertEquals(Ending.TIME_LIMIT, o.vm().ending(), o.vm().report());
        assertTrue(o.vm().report().contains("wall-clock"), o.vm().report());
        assertTrue(o.stderr().contains("httpd: listening on 127.0.0.1:" + port), o.stderr());
    }

    /**
     * One client session against the server on {@code port}; what each connection received, in
     * order: a keep-alive connection with {@value #PER_CONNECTION} requests one after the other,
     * {@value #CONCURRENT} such connections at once, {@value #PIPELINED} requests in one write (one
     * answer 8 MiB long, read late) followed by a half-close (the server answers them all, then
     * closes), and a malformed request (400, then the server closes).
     */
    private static List<byte[]> session(int port) {
        try {
            List<byte[]> received = new ArrayList<>();
            try (Socket s = connect(port)) {
                received.add(keepAlive(s));
            }
            List<CompletableFuture<byte[]>> parallel = new ArrayList<>();
            for (int c = 0; c < CONCURRENT; c++) {
                parallel.add(CompletableFuture.supplyAsync(() -> {
                    try (Socket s = connect(port)) {
                        return keepAlive(s);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (CompletableFuture<byte[]> f : parallel) received.add(f.get(60, TimeUnit.SECONDS));
            try (Socket s = connect(port)) {
                StringBuilder pipelined = new StringBuilder();
                for (int i = 0; i < PIPELINED; i++) {
                    // 8 MiB, more than a socket's send buffer grows to here (tcp_wmem's 4 MiB), read late
                    // (below): the server's send fails with EAGAIN mid-answer and it waits for EPOLLOUT
                    String big = i == 3 ? "/bytes/8388608" : "/bytes/" + (7000 * i);
                    pipelined.append(i % 2 == 0 ? "GET / HTTP/1.1\r\nHost: x\r\n\r\n" : "GET " + big + " HTTP/1.1\r\n\r\n");
                }
                s.getOutputStream().write(pipelined.toString().getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                Thread.sleep(300);
                received.add(s.getInputStream().readAllBytes());
            }
            try (Socket s = connect(port)) {
                s.getOutputStream().write("GET / HTTP/1.1\r\nno colon here\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                received.add(s.getInputStream().readAllBytes());
            }
            return received;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@value #PER_CONNECTION} requests on {@code s}, each answered before the next is sent. */
    private static byte[] keepAlive(Socket s) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < PER_CONNECTION; i++) {
            String request = i % 3 == 0 ? "GET /bytes/" + (i * 1000) + " HTTP/1.1\r\nHost: x\r\n\r\n"
                    : i % 3 == 1 ? "GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n" : "HEAD / HTTP/1.1\r\n\r\n";
            all.writeBytes(exchange(s, request).getBytes(StandardCharsets.ISO_8859_1));
        }
        return all.toByteArray();
    }

    /** Sends {@code request} and reads one response: its head, then Content-Length bytes (none for HEAD). */
    private static String exchange(Socket s, String request) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed inside a response head: " + head);
            head.append((char) b);
        }
        int at = head.indexOf("Content-Length: ");
        int length = Integer.parseInt(head.substring(at + 16, head.indexOf("\r\n", at)));
        byte[] body = request.startsWith("HEAD") ? new byte[0] : in.readNBytes(length);
        return head + new String(body, StandardCharsets.ISO_8859_1);
    }

    /** Connects, retrying while the guest starts. */
    private static Socket connect(int port) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (;;) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(30_000);
                return s;
            } catch (IOException e) {
                s.close();
                if (System.nanoTime() > deadline) throw e;
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException(ie);
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
