package io.torovj.bench;

import io.torovj.report.ResultsSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The host side of the echo workload, and the measurement it makes: request/response timed at
 * the client, as netperf's TCP_RR does. One TCP connection with TCP_NODELAY; each transaction
 * sends a {@link ResultsSchema#RR_MESSAGE_BYTES}-byte request and reads the echo back in full
 * (checked byte for byte), with {@link System#nanoTime()} taken before the write and after the
 * last byte is read, so a round trip is everything between the two: both directions of loopback
 * TCP and the server's receive and send however it makes them (natively, or forwarded by a VM's
 * transport). Warm-up transactions come first and are not recorded. Closing the connection at
 * the end is what ends the server (it echoes until end of file).
 *
 * <p>Closed loop: one transaction in flight, the next sent as soon as the previous came back, so
 * transactions per second is the inverse of the mean round trip (no coordinated-omission
 * correction: nothing is sent on a schedule). The timed loop allocates nothing.
 */
public final class EchoClient {
    /** Round trips beyond this are recorded as this (the histogram's range); none is expected near it. */
    static final long MAX_ROUND_TRIP_NANOS = TimeUnit.SECONDS.toNanos(30);

    /**
     * Every port {@link #freePort} has returned in this JVM. The kernel may give a closed port
     * out again at once, and a probe that starts 16 servers before any of them binds would then
     * hand one port to two of them (the second fails in bind).
     */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private EchoClient() {}

    /**
     * The client-timed measurement of one target.
     *
     * @param roundTrips   every timed round trip, in nanoseconds
     * @param elapsedNanos wall time of the timed transactions, from the first send to the last byte back
     */
    public record RoundTrips(Histogram roundTrips, long elapsedNanos) {
        /** The number of timed transactions. */
        public long transactions() { return roundTrips.getTotalCount(); }

        /** Transactions completed per second of the timed part. */
        public double perSecond() { return elapsedNanos <= 0 ? 0 : transactions() * 1e9 / elapsedNanos; }
    }

    /** A loopback port that no socket holds now and that this JVM has not handed out before. */
    public static int freePort() throws IOException {
        while (true) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            if (HANDED_OUT.add(port)) return port;
        }
    }

    /**
     * Starts a client of the echo server on 127.0.0.1:{@code port} (retrying the connect for up to
     * 30 s while a VM boots): {@code warmup} untimed transactions, then {@code transactions} timed.
     */
    public static CompletableFuture<RoundTrips> start(int port, int warmup, int transactions) {
        if (warmup < 0 || transactions <= 0) throw new IllegalArgumentException("warm-up " + warmup + ", transactions " + transactions);
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = connect(port)) {
                return measure(s, warmup, transactions);
            } catch (IOException e) {
                throw new IllegalStateException("echo client on port " + port + ": " + e, e);
            }
        });
    }

    private static Socket connect(int port) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (;;) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setTcpNoDelay(true);
                s.setSoTimeout(30_000);
                return s;
            } catch (IOException e) {
                s.close();
                if (System.nanoTime() > deadline) throw new IOException("echo server on port " + port + " never answered: " + e, e);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while connecting", ie);
                }
            }
        }
    }

    private static RoundTrips measure(Socket s, int warmup, int transactions) throws IOException {
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        byte[] request = new byte[ResultsSchema.RR_MESSAGE_BYTES];
        byte[] response = new byte[ResultsSchema.RR_MESSAGE_BYTES];
        Histogram h = new Histogram(MAX_ROUND_TRIP_NANOS, 3);
        for (int i = 0; i < warmup; i++) transaction(out, in, request, response, i);
        long start = System.nanoTime();
        for (int i = 0; i < transactions; i++) {
            long t0 = System.nanoTime();
            transaction(out, in, request, response, warmup + i);
            long t1 = System.nanoTime();
            h.recordValue(Math.min(t1 - t0, MAX_ROUND_TRIP_NANOS));
        }
        long elapsed = System.nanoTime() - start;
        return new RoundTrips(h, elapsed);
    }

    /** One request out, its echo back in full and checked. */
    private static void transaction(OutputStream out, InputStream in, byte[] request, byte[] response, int i) throws IOException {
        Arrays.fill(request, (byte) ('a' + i % 26));
        out.write(request);
        int got = in.readNBytes(response, 0, response.length);
        if (got != response.length) throw new IOException("the server closed after " + got + " bytes of transaction " + i);
        if (!Arrays.equals(request, response)) throw new IOException("echo mismatch at transaction " + i);
    }
}
