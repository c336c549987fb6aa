package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.lifecycle.Ending;
import io.torovj.log.MonitorLog;
import io.torovj.policy.PolicyFile;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.MemoryStdio;
import io.torovj.vmm.Platform;
import io.torovj.vmm.Vm;
import io.torovj.vmm.VmBuilder;
import io.torovj.vmm.VmResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code Vm.reset()}: one VM, run again and again on every transport and platform, is each time
 * the VM its build made. Nothing written in a run survives into the next (data, bss, heap,
 * stack, mmap area, xmm15, an fd), each run counts its own syscalls and exits, each gets fresh
 * AT_RANDOM bytes, and a reset VM answers exactly as a fresh one.
 */
class VmResetTest {
    private static final int RUNS = 4;
    private static final String POLICY = "{\"allow\": [\"read\", \"write\", \"close\", \"fstat\", \"lseek\", \"exit\","
            + " \"exit_group\", \"brk\", \"mmap\", \"munmap\", \"clock_gettime\", \"socket\"]}";

    /** A reusable VM of serveprobe with memfds as its stdio, as a pool worker holds it. */
    private static final class ReusableProbe implements AutoCloseable {
        final MemoryStdio stdio = MemoryStdio.create("test", 1 << 16, 1 << 16);
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final Vm vm;

        ReusableProbe(Platform.Kind platform, String transport, String mode) throws Exception {
            SyscallPolicy policy = PolicyFile.parse(POLICY, "test policy");
            vm = VmBuilder.build(GuestRun.config(platform, "serveprobe").args(List.of(mode)).transport(transport)
                    .policy(policy).stdio(stdio.stdinFd(), stdio.stdoutFd(), stdio.stderrFd()).reusable(true)
                    .log(new MonitorLog(new PrintStream(log, true, StandardCharsets.UTF_8))).build());
        }

        /** One run with {@code input} as stdin; the VM is reset afterwards (as a pool does). */
        VmResult runOnce(String input) {
            stdio.fillStdin(input.getBytes(StandardCharsets.UTF_8));
            return vm.run();
        }

        String out() { return new String(stdio.stdoutBytes(), StandardCharsets.UTF_8); }
        String err() { return new String(stdio.stderrBytes(), StandardCharsets.UTF_8); }

        void reset() {
            vm.reset();
            stdio.renew();
        }

        @Override
        public void close() {
            vm.close();
            stdio.close();
        }
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void everyRunOfOneVmFindsNothingTheLastOneLeft(Platform.Kind platform, String transport) throws Exception {
        GuestRun.assumePlatform(platform);
        try (ReusableProbe p = new ReusableProbe(platform, transport, "secret")) {
            long firstSyscalls = -1;
            for (int i = 0; i < RUNS; i++) {
                if (i > 0) p.reset();
                VmResult r = p.runOnce("SECRET-" + i + "-" + transport);
                assertEquals(Ending.EXITED, r.ending(), r.report() + " " + p.log);
                assertEquals(0, r.status(), p.err());
                assertEquals("clean\n", p.out(), "run " + i + ": " + p.err());
                assertTrue(p.err().startsWith("planted "), p.err());
                // fd 3 is the socket each run opens: the fd table was emptied, so it is fd 3 every time
                assertTrue(p.err().contains("fd 3"), p.err());
                if (i == 0) {
                    // the first run's result says where its build's time went, step by step, in build order
                    assertEquals(List.of("input", "memory", "boot", "program", "syscalls", "transport", "vcpu", "finish"),
                            List.copyOf(r.buildNanos().keySet()));
                    assertTrue(r.buildNanos().values().stream().allMatch(n -> n >= 0), r.buildNanos().toString());
                    assertTrue(r.buildNanos().get("memory") > 0, "creating guest memory and the VM takes time: " + r.buildNanos());
                } else {
                    assertTrue(r.buildNanos().isEmpty(), "a run after a reset has no build: " + r.buildNanos());
                }
                if (firstSyscalls < 0) firstSyscalls = r.syscalls();
                assertEquals(firstSyscalls, r.syscalls(), "run " + i + " counts its own syscalls");
            }
            assertEquals(RUNS - 1, p.vm.resets());
        }
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void aResetVmAnswersAsAFreshOneWithFreshRandomBytes(Platform.Kind platform, String transport) throws Exception {
        GuestRun.assumePlatform(platform);
        Set<String> canaries = new HashSet<>();
        try (ReusableProbe p = new ReusableProbe(platform, transport, "canary")) {
            for (int i = 0; i < RUNS; i++) {
                if (i > 0) p.reset();
                VmResult r = p.runOnce("");
                assertEquals(Ending.EXITED, r.ending(), r.report() + " " + p.log);
                String hex = p.out().trim();
                assertEquals(32, hex.length(), p.out());
                canaries.add(hex);
            }
        }
        assertEquals(RUNS, canaries.size(), "every run has its own AT_RANDOM bytes: " + canaries);
        try (ReusableProbe p = new ReusableProbe(platform, transport, "echo")) {
            for (int i = 0; i < RUNS; i++) {
                if (i > 0) p.reset();
                String input = "run " + i + " " + "x".repeat(i * 1000);
                VmResult r = p.runOnce(input);
                assertEquals(0, r.status(), p.err());
                assertEquals(input, p.out());
                assertEquals("echo: " + input.length() + " bytes\n", p.err());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void onlyAReusableVmIsResetAndAFaultedOneStaysEnded(Platform.Kind platform) throws Exception {
        GuestRun.assumePlatform(platform);
        try (Vm vm = VmBuilder.build(GuestRun.config(platform, "helloworld").transport("pio")
                .log(new MonitorLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))).build())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, vm::reset);
            assertTrue(e.getMessage().contains("not built reusable"), e.getMessage());
        }
        try (ReusableProbe p = new ReusableProbe(platform, "ring", "spin")) {
            p.vm.stop(Ending.TIME_LIMIT, "stopped by the test");
            VmResult r = p.runOnce("");
            assertEquals(Ending.TIME_LIMIT, r.ending());
            // a reset after a stop gives a VM that runs again from the start, not one still stopped
            p.reset();
            Thread stopper = new Thread(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ignored) {
                    // the stop below comes anyway
                }
                p.vm.stop(Ending.TIME_LIMIT, "second stop");
            });
            stopper.start();
            VmResult again = p.runOnce("");
            stopper.join();
            assertEquals(Ending.TIME_LIMIT, again.ending());
            assertEquals("second stop", again.report(), "the first run's stop did not carry over into the second");
        }
    }
}
