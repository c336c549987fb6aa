package io.torovj.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The host side of the echo workload: connects (retrying while the guest starts), sends, checks. */
final class EchoClient {
    private EchoClient() {}

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts a client that sends {@code messages} 64-byte messages to 127.0.0.1:{@code port}. */
    static CompletableFuture<Void> start(int port, int messages) {
        return CompletableFuture.runAsync(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    s.setTcpNoDelay(true);
                    s.setSoTimeout(30_000);
                    OutputStream out = s.getOutputStream();
                    InputStream in = s.getInputStream();
                    byte[] msg = new byte[64];
                    for (int i = 0; i < messages; i++) {
                        Arrays.fill(msg, (byte) ('a' + i % 26));
                        out.write(msg);
                        byte[] back = in.readNBytes(msg.length);
                        if (!Arrays.equals(msg, back)) throw new IllegalStateException("echo mismatch at message " + i);
                    }
                    return;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("echo server on port " + port + " never answered: " + e, e);
                    }
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        });
    }

}
