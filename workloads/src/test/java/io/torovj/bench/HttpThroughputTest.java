package io.torovj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;

/** The HTTP client's retry: only the JDK pool's own lost response, and only so often. */
class HttpThroughputTest {
    @Test
    void onlyTheResponseTheClientsPoolLostIsSentAgain() {
        IOException race = new IOException("HTTP/1.1 header parser received no bytes",
                new IOException("HTTP/1.1 header parser received no bytes", new IOException("connection closed locally")));
        assertTrue(HttpThroughput.lostToThePool(race));
        assertFalse(HttpThroughput.lostToThePool(new IOException("Connection refused")));
        assertFalse(HttpThroughput.lostToThePool(new IOException("connection closed locally, or not")));
        assertFalse(HttpThroughput.lostToThePool(new IllegalStateException("connection closed locally")), "an IOException's");
    }

    @Test
    void aServerThatAnswersIsMeasuredAndOneThatIsGoneFails() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", x -> {
            x.getRequestBody().readAllBytes();
            x.sendResponseHeaders(200, 2);
            x.getResponseBody().write("ok".getBytes());
            x.close();
        });
        server.start();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        try {
            HttpThroughput r = HttpThroughput.measure(client, request, 2, 200);
            assertEquals(2, r.clients());
            assertTrue(r.invocations() > 0 && r.perSecond() > 0, r.toString());
        } finally {
            server.stop(0);
        }
        assertThrows(IOException.class, () -> HttpThroughput.send(client, request), "nothing listens any more: not retried");
    }
}
