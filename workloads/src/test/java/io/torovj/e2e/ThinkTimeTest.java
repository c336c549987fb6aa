package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.policy.SyscallPolicy;
import io.torovj.vmm.Platform;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The think workload (the bench's price-of-polling runs): every call made and sampled, and the think time spent
 * between calls, as the guest's own clocks and the host's wall clock see it. Lower bounds only: the think time is a
 * floor the guest cannot go under, whatever the host's load.
 */
class ThinkTimeTest {
    private static final Pattern REPORT = Pattern.compile(
            "think: (\\d+) calls, think (\\d+) ns, thought (\\d+) ns, wall (\\d+) ns, tsc_hz (\\d+)\n");
    private static final int CALLS = 40;
    private static final long THINK_NS = 250_000;

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void everyCallIsSampledAndTheThinkTimeIsSpent(Platform.Kind platform, String transport) throws Exception {
        long start = System.nanoTime();
        GuestRun.Outcome o = GuestRun.run(platform, transport, SyscallPolicy.defaultPolicy(), List.of(), CALLS, "think",
                Integer.toString(CALLS), Long.toString(THINK_NS));
        long hostWall = System.nanoTime() - start;
        assertEquals(0, o.vm().status(), o.vm().report() + o.stderr() + o.log());
        assertEquals(CALLS, o.vm().latencyCycles().length, "one sample per getppid");
        assertEquals(0, o.vm().latencyDropped());
        assertTrue(o.vm().syscalls() >= CALLS, "syscalls: " + o.vm().syscalls());
        for (long cycles : o.vm().latencyCycles()) assertTrue(cycles > 0, "a timed call takes some cycles");

        Matcher m = report(o.stdout());
        assertEquals(CALLS, Long.parseLong(m.group(1)));
        assertEquals(THINK_NS, Long.parseLong(m.group(2)));
        long pauses = (CALLS - 1) * THINK_NS;
        // the TSC spin's own measure, then two clocks it does not use: CLOCK_MONOTONIC through the monitor, and the host's
        assertTrue(Long.parseLong(m.group(3)) >= pauses, "thought " + m.group(3) + " ns for " + pauses + " ns of pauses");
        assertTrue(Long.parseLong(m.group(4)) >= pauses, "guest wall " + m.group(4) + " ns for " + pauses + " ns of pauses");
        assertTrue(hostWall >= pauses, "host wall " + hostWall + " ns for " + pauses + " ns of pauses");
        assertTrue(Long.parseLong(m.group(5)) > 0, "the calibrated TSC frequency");
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void noThinkTimeIsBackToBackCalls(Platform.Kind platform, String transport) throws Exception {
        GuestRun.Outcome o = GuestRun.run(platform, transport, SyscallPolicy.defaultPolicy(), List.of(), 1000, "think",
                "1000", "0", "2500000000");
        assertEquals(0, o.vm().status(), o.vm().report() + o.stderr() + o.log());
        assertEquals(1000, o.vm().latencyCycles().length);
        Matcher m = report(o.stdout());
        assertEquals("0", m.group(3), "no pause at all with think 0");
        assertEquals("2500000000", m.group(5), "the TSC frequency given is the one used");
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void aTimeLimitEndsTheRunEarlyAndTheCallsMadeAreCounted(Platform.Kind platform, String transport) throws Exception {
        // 10^6 calls of 1 ms think time cannot fit in 20 ms: the run stops after the call that finds the limit passed
        GuestRun.Outcome o = GuestRun.run(platform, transport, SyscallPolicy.defaultPolicy(), List.of(), 1000, "think",
                "1000000", "1000000", "0", "20000000");
        assertEquals(0, o.vm().status(), o.vm().report() + o.stderr() + o.log());
        Matcher m = report(o.stdout());
        long calls = Long.parseLong(m.group(1));
        // each pause is at least 1 ms of the same TSC the limit is counted in: at most 20 pauses fit before it
        assertTrue(calls >= 1 && calls <= 21, "calls made: " + calls);
        assertEquals(calls, o.vm().latencyCycles().length, "one sample per call made");
        assertEquals(0, o.vm().latencyDropped());
    }

    @Test
    void nativeBuildReportsTheSameWay() throws Exception {
        Object[] r = GuestRun.runNative("think", List.of(), "20", "100000");
        assertEquals(0, (int) r[0]);
        Matcher m = report((String) r[1]);
        assertEquals("20", m.group(1));
        assertTrue(Long.parseLong(m.group(3)) >= 19 * 100_000L, "thought " + m.group(3));
    }

    @Test
    void badArgumentsAreRefusedWithUsage() throws Exception {
        for (List<String> args : List.<List<String>>of(List.of(), List.of("10"), List.of("0", "1000"), List.of("10", "-1"),
                List.of("10", "2000000000"), List.of("10", "1000", "-5"), List.of("10", "1000", "1", "-1"),
                List.of("10", "1000", "1", "1", "extra"))) {
            Object[] r = GuestRun.runNative("think", List.of(), args.toArray(String[]::new));
            assertEquals(2, (int) r[0], "think " + args);
        }
        GuestRun.Outcome o = GuestRun.run(Platform.Kind.PROCESS, "pio", SyscallPolicy.defaultPolicy(), "think", "0", "1000");
        assertEquals(2, o.vm().status());
        assertTrue(o.stderr().startsWith("usage: think"), o.stderr());
    }

    private static Matcher report(String stdout) {
        Matcher m = REPORT.matcher(stdout);
        assertTrue(m.matches(), "think's report line: '" + stdout + "'");
        return m;
    }
}
