package io.torovj.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Invocations per second through serve's HTTP API with {@code clients} concurrent closed-loop
 * clients, each a thread sending POSTs back to back over one shared java.net.http client (HTTP/1.1:
 * one kept-alive connection per client in flight). A warm-up of a fifth of the duration is not counted.
 *
 * @param clients     concurrent clients
 * @param invocations invocations completed in the measured interval
 * @param seconds     the measured interval
 */
record HttpThroughput(int clients, long invocations, double seconds) {
    /** Sends retried after the client's own pool lost their response (see {@link #send}), this JVM's total. */
    private static final AtomicLong RETRIED = new AtomicLong();
    /** A send that still fails after this many retries is a failure. */
    static final int MAX_RETRIES = 2;

    /**
     * {@code client.send}, retried when JDK 17's HTTP/1.1 client loses the response to a race of its
     * own: the idle-connection watcher it keeps on a pooled connection can read the response of the
     * next exchange and close the connection ("connection closed locally", then "HTTP/1.1 header
     * parser received no bytes"; JDK-8336655, fixed in JDK 24). Seen here once in a bench run, in its serve part; the
     * server had answered. Any other failure, and a third such, is thrown.
     */
    static HttpResponse<byte[]> send(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                if (attempt >= MAX_RETRIES || !lostToThePool(e)) throw e;
                RETRIED.incrementAndGet();
            }
        }
    }

    /** True for the pool's race: the cause chain ends in "connection closed locally". */
    static boolean lostToThePool(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException && "connection closed locally".equals(t.getMessage())) return true;
        }
        return false;
    }

    /** How many sends this JVM retried (for the notes). */
    static long retried() {
        return RETRIED.get();
    }

    double perSecond() {
        return invocations / seconds;
    }

    static HttpThroughput measure(HttpClient client, HttpRequest request, int clients, long millis) throws Exception {
        long warmUpEnd = System.nanoTime() + millis * 1_000_000L / 5;
        long end = warmUpEnd + millis * 1_000_000L;
        long[] counts = new long[clients];
        AtomicReference<Exception> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(clients);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                try {
                    long n = 0;
                    for (long now = System.nanoTime(); now < end && failure.get() == null; now = System.nanoTime()) {
                        HttpResponse<byte[]> r = send(client, request);
                        if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode() + " with " + clients + " clients");
                        if (now >= warmUpEnd) n++;
                    }
                    counts[id] = n;
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }, "http-client-" + c);
            threads.add(t);
            t.start();
        }
        done.await();
        for (Thread t : threads) t.join();
        if (failure.get() != null) throw failure.get();
        long total = 0;
        for (long n : counts) total += n;
        return new HttpThroughput(clients, total, millis / 1000.0);
    }
}
