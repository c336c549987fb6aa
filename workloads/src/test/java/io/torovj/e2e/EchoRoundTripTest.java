package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.bench.EchoClient;
import io.torovj.policy.SyscallPolicy;
import io.torovj.report.ResultsSchema;
import io.torovj.vmm.Platform;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bench's request/response measurement (EchoClient, TCP_RR style) against the echo guest,
 * over every transport on both platforms, and against its native build: every transaction is
 * echoed byte for byte (the client checks), exactly the asked number is timed, the server sees
 * every byte of warm-up and timed transactions and ends at the client's close, and the figures
 * are those of a closed loop (the round trips fit in the elapsed time; transactions/s is the
 * count over it).
 */
class EchoRoundTripTest {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final int WARMUP = 50, TRANSACTIONS = 400;
    /** What echo prints: the bytes it echoed, warm-up included. */
    private static final String ECHOED = "echo: " + (WARMUP + TRANSACTIONS) * ResultsSchema.RR_MESSAGE_BYTES + " bytes";
    /** echo's limit on messages, never reached: the client's close ends it. */
    private static final String MAX_MESSAGES = Integer.toString(4 * (WARMUP + TRANSACTIONS));

    private static SyscallPolicy policy(int port) {
        return SyscallPolicy.builder().allow(List.of("socket", "setsockopt", "bind", "listen", "accept4", "recvfrom",
                "sendto", "close", "write", "exit_group")).bindPort(port).build();
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void roundTripsTimedAtTheClientAgainstAVm(Platform.Kind platform, String transport) throws Exception {
        GuestRun.assumePlatform(platform);
        int port = EchoClient.freePort();
        CompletableFuture<EchoClient.RoundTrips> client = EchoClient.start(port, WARMUP, TRANSACTIONS);
        GuestRun.Outcome o = assertTimeoutPreemptively(BOUND,
                () -> GuestRun.run(platform, transport, policy(port), "echo", Integer.toString(port), MAX_MESSAGES));
        assertEquals(0, o.vm().status(), o.vm().report() + "\n" + o.stderr() + o.log());
        assertEquals(ECHOED, o.stdout().strip());
        assertClosedLoop(client.get(30, TimeUnit.SECONDS));
    }

    @Test
    void roundTripsTimedAtTheClientAgainstTheNativeBuild() throws Exception {
        int port = EchoClient.freePort();
        CompletableFuture<EchoClient.RoundTrips> client = EchoClient.start(port, WARMUP, TRANSACTIONS);
        Process server = new ProcessBuilder(GuestRun.nativeBinary("echo").toString(), Integer.toString(port), MAX_MESSAGES)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(server.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(server.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, server.exitValue());
        assertEquals(ECHOED, out.strip());
        assertClosedLoop(client.get(30, TimeUnit.SECONDS));
    }

    private static void assertClosedLoop(EchoClient.RoundTrips r) {
        Histogram h = r.roundTrips();
        assertEquals(TRANSACTIONS, r.transactions(), "every timed transaction recorded, the warm-up not");
        assertTrue(h.getMinValue() > 0, "a round trip takes time");
        assertTrue(h.getValueAtPercentile(50) <= h.getValueAtPercentile(99.9) && h.getValueAtPercentile(99.9) <= h.getMaxValue());
        // one transaction in flight: the round trips add up to at most the elapsed time (histogram precision 0.1%)
        assertTrue(h.getMean() * TRANSACTIONS <= r.elapsedNanos() * 1.001,
                "sum of round trips " + h.getMean() * TRANSACTIONS + " ns within elapsed " + r.elapsedNanos() + " ns");
        assertEquals(TRANSACTIONS * 1e9 / r.elapsedNanos(), r.perSecond(), 1e-6);
    }
}
