package io.torovj.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
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
                        HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
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
