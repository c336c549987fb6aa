package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.lifecycle.Ending;
import io.torovj.policy.SyscallPolicy;
import io.torovj.vmm.Platform;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * poll and ppoll forwarded (pollcheck.c): the guest's answers, check by check, are Linux's (the
 * same program run natively prints the same lines, but for ppoll's signal mask, which a VM
 * refuses: no signal ever reaches a guest), over every transport on both platforms; and a guest
 * blocked in poll or ppoll with no timeout is ended by the VM's wall-clock limit.
 */
class PollTest {
    private static final Duration BOUND = Duration.ofSeconds(20);

    private static final List<String> SYSCALLS = List.of("socket", "setsockopt", "bind", "listen", "connect", "accept4",
            "sendto", "recvfrom", "close", "clock_gettime", "write", "exit_group", "poll", "ppoll");

    /** What pollcheck prints in a VM; natively the same but "ppoll signal mask: 1". */
    private static final List<String> EXPECTED = List.of(
            "pollcheck: empty, timeout 0: 0 revents=0",
            "pollcheck: empty, timeout 50 ms: 0 revents=0 waited>=50ms=1",
            "pollcheck: data: 2 revents=1,4",                 // POLLIN on the server's side, POLLOUT on the client's
            "pollcheck: bad fd: 2 revents=32,0,1",            // POLLNVAL for fd 99, nothing for fd -1
            "pollcheck: null array: -14",
            "pollcheck: array past the end: -14",
            "pollcheck: no fds, timeout 0: 0",
            "pollcheck: too many fds: -22",
            "pollcheck: ppoll data: 1 revents=1",
            "pollcheck: ppoll bad timespec: -22",
            "pollcheck: ppoll timespec pointer null page: -14",
            "pollcheck: ppoll signal mask: -22",
            "pollcheck: ppoll drained, 20 ms: 0 revents=0",
            "pollcheck: peer closed: 1 pollin=1");

    private static SyscallPolicy policy(int port, Optional<Duration> wallClock) {
        return SyscallPolicy.builder().allow(SYSCALLS).bindPort(port).connectPort(port)
                .limits(new SyscallPolicy.Limits(OptionalInt.empty(), OptionalLong.empty(), wallClock, Optional.empty()))
                .build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void pollAndPpollAnswerAsLinuxDoes(Platform.Kind platform, String transport) throws Exception {
        int port = freePort();
        GuestRun.Outcome o = assertTimeoutPreemptively(BOUND, () -> GuestRun.run(platform, transport,
                policy(port, Optional.empty()), "pollcheck", Integer.toString(port)));
        assertEquals(0, o.vm().status(), o.vm().report() + "\n" + o.stderr() + o.log());
        assertEquals(EXPECTED, o.stdout().lines().toList(), o.stderr() + o.log());
    }

    /** The reference: the same checks natively, on the host's own kernel. */
    @Test
    void nativeBuildAgreesButForTheSignalMask() throws Exception {
        Process p = new ProcessBuilder(GuestRun.nativeBinary("pollcheck").toString(), Integer.toString(freePort()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        List<String> expected = EXPECTED.stream()
                .map(l -> l.equals("pollcheck: ppoll signal mask: -22") ? "pollcheck: ppoll signal mask: 1" : l).toList();
        assertEquals(expected, out.lines().toList());
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void pollWithNoTimeoutEndsAtTheWallClockLimit(Platform.Kind platform, String transport) throws Exception {
        assertStoppedWhileBlocked(platform, transport, "block-poll");
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void ppollWithANullTimespecEndsAtTheWallClockLimit(Platform.Kind platform, String transport) throws Exception {
        assertStoppedWhileBlocked(platform, transport, "block-ppoll");
    }

    private static void assertStoppedWhileBlocked(Platform.Kind platform, String transport, String variant) throws Exception {
        int port = freePort();
        GuestRun.Outcome o = assertTimeoutPreemptively(BOUND, () -> GuestRun.run(platform, transport,
                policy(port, Optional.of(Duration.ofSeconds(1))), "pollcheck", Integer.toString(port), variant));
        assertEquals(Ending.TIME_LIMIT, o.vm().ending(), o.vm().report() + "\n" + o.stderr() + o.log());
        assertEquals(124, o.vm().status());
        assertTrue(o.stderr().contains("pollcheck: blocking"), "the guest reached the call: " + o.stderr());
        assertFalse(o.stdout().contains("returned"), "the guest never ran on after the stop: " + o.stdout());
    }
}
