package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.mechanisms.AdaptiveRingTransport;
import io.torovj.policy.SyscallPolicy;
import io.torovj.lifecycle.Ending;
import io.torovj.vmm.Platform;
import io.torovj.vmm.VmConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The guest is hostile: whatever it passes or scribbles, the monitor must answer with an errno
 * or end that VM with a report - never crash, hang, leak a host fd, touch files outside the
 * policy or memory outside guest RAM. Every VM here runs with canary pages around guest RAM
 * ({@code VmConfig.Builder.guardCanaries}, set by {@link GuestRun#config}); a run that damages one
 * fails when its VM closes.
 *
 * <p>Fuzzing: {@code fuzz} (src/test/guest/fuzz.c) makes {@link #FUZZ_CALLS} random system
 * calls per transport and platform (seed per transport below; override with
 * -Dtorovj.fuzz.calls=N and -Dtorovj.fuzz.seed=S). On the process platform on a 2-core
 * machine 100,000 calls take about 5 s over pio and mmio, and over the ring from 1 s (idle
 * machine) to 45 s (other builds running: its two spinning threads, guest and poller, suffer
 * most when other work shares the cores).
 */
class HostileGuestTest {
    static final long RAM = VmConfig.DEFAULT_MEMORY;
    static final long FUZZ_CALLS = Long.getLong("torovj.fuzz.calls", 100_000);
    /** Upper bound for one VM run; a hang fails the test instead of stalling the build. */
    static final Duration RUN_LIMIT = Duration.ofSeconds(20);
    static final Duration FUZZ_LIMIT = Duration.ofSeconds(Math.max(120, FUZZ_CALLS / 800));


    private static long seed(String transport) {
        long base = Long.getLong("torovj.fuzz.seed", 0x70B0_5EEDL);
        return base + GuestRun.TRANSPORTS.indexOf(transport);
    }

    /** A policy root with neighbours worth attacking: a sibling directory, files next to the root, symlinks out. */
    record Sandbox(Path parent, Path root, Path sibling) {
        static Sandbox create() throws Exception {
            Path parent = Files.createTempDirectory("torovj-hostile").toRealPath();
            Path root = Files.createDirectory(parent.resolve("root"));
            Path sibling = Files.createDirectory(parent.resolve("sibling"));
            Files.writeString(sibling.resolve("victim"), "must not change\n");
            Files.writeString(parent.resolve("victim"), "must not change either\n");
            Files.writeString(parent.resolve("x"), "nor this\n");
            Files.createSymbolicLink(root.resolve("link"), Path.of("../sibling/victim"));
            Files.createSymbolicLink(root.resolve("dirlink"), Path.of("../sibling"));
            Files.writeString(root.resolve("f1"), "a file of the guest's own\n");
            return new Sandbox(parent, root, sibling);
        }

        /** Absolute paths the fuzzer also tries: outside the root, and one inside it. */
        List<String> hostileAbsolutePaths() {
            return List.of(sibling.resolve("victim").toString(), parent.resolve("victim").toString(),
                    root + "/../sibling/victim", root + "/link", root + "/f5", parent.toString());
        }

        /** Everything outside the root: the parent with its files and the sibling, plus /etc/passwd. */
        Map<String, String> outside() throws Exception {
            Map<String, String> s = HostileRun.snapshot(parent, root);
            s.put("/etc/passwd", HostileRun.describe(Path.of("/etc/passwd")));
            return s;
        }

        void delete() throws Exception {
            HostileRun.deleteTree(parent);
        }
    }

    /** The monitor still runs a VM normally afterwards. */
    private static void assertMonitorAlive(Platform.Kind platform, String transport) throws Exception {
        GuestRun.Outcome o = assertTimeoutPreemptively(RUN_LIMIT,
                () -> GuestRun.run(platform, transport, SyscallPolicy.defaultPolicy(), "helloworld"));
        assertEquals(Ending.EXITED, o.vm().ending(), o.vm().report());
        assertEquals("Hello, World!\n", o.stdout(), "the monitor runs the next VM normally");
    }

    // ------------------------------------------------------------------ fuzzing

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void fuzzedSyscallsGetErrnosAndLeaveNoTrace(Platform.Kind platform, String transport) throws Exception {
        GuestRun.assumePlatform(platform);
        assertMonitorAlive(platform, transport);          // also loads every class a run needs before fds are counted
        Sandbox box = Sandbox.create();
        try {
            SyscallPolicy policy = SyscallPolicy.permissive(box.root());
            Map<String, String> outsideBefore = box.outside();
            int port = HostileRun.freePortPair();
            List<String> args = new ArrayList<>(List.of(Long.toString(seed(transport)), Long.toString(FUZZ_CALLS),
                    Long.toString(RAM), Integer.toString(port)));
            args.addAll(box.hostileAbsolutePaths());
            List<String> fdsBefore = HostileRun.openFds();
            long started = System.nanoTime();

            GuestRun.Outcome o = assertTimeoutPreemptively(FUZZ_LIMIT,
                    () -> HostileRun.run(platform, transport, policy, RAM, "fuzz", args));

            double seconds = (System.nanoTime() - started) / 1e9;
            System.err.printf("HostileGuestTest: fuzz %s/%s seed %d: %d calls in %.1f s, %d syscalls dispatched%n",
                    platform, transport, seed(transport), FUZZ_CALLS, seconds, o.vm().syscalls());
            assertEquals(Ending.EXITED, o.vm().ending(), o.vm().report() + "\n" + o.log());
            assertEquals(0, o.vm().status(), "the fuzzer exits 0 iff every result was a Linux return value; stderr tail: "
                    + tail(o.stderr()));
            Matcher m = Pattern.compile("\nfuzz: (\\d+) calls, (\\d+) errors\n$").matcher(o.stdout());
            assertTrue(m.find(), "summary line at the end of stdout: " + tail(o.stdout()));
            assertEquals(FUZZ_CALLS, Long.parseLong(m.group(1)));
            assertTrue(o.vm().syscalls() >= FUZZ_CALLS, "every fuzzed call reached the dispatcher");
            assertFalse(o.log().contains("internal error"), "no handler failed inside the monitor:\n" + o.log());
            assertEquals("", HostileRun.fdDifference(fdsBefore), "the JVM holds the same fds after the VM as before");
            assertEquals(outsideBefore, box.outside(), "nothing outside the policy root was created or changed");
            assertMonitorAlive(platform, transport);
        } finally {
            box.delete();
        }
    }

    private static String tail(String s) {
        return s.length() <= 400 ? s : "..." + s.substring(s.length() - 400);
    }

    // ------------------------------------------------------------------ ring abuse

    /** Variants that break the ring protocol: the monitor must end the VM, naming the corrupt ring. */
    static final List<String> RING_CORRUPT = List.of("seq-ahead", "seq-behind", "seq-huge", "seq-random");
    /**
     * Variants that stay within what the monitor can serve: garbage in, errnos out, spurious
     * doorbells ignored (or, for aring, spurious wake-ups), the guest exits 0.
     */
    static final List<String> RING_SERVED = List.of("garbage-sqe", "sqe-race", "header-scribble", "doorbell-spam");
    /** The transports sharing the ring layout: the busy-polling ring and the adaptive one. */
    static final List<String> RINGS = List.of("ring", "aring");

    static Stream<Arguments> ringAbuse() {
        return GuestRun.platforms().flatMap(p -> RINGS.stream().flatMap(t ->
                Stream.concat(RING_CORRUPT.stream(), RING_SERVED.stream()).map(v -> Arguments.of(p, t, v))));
    }

    @ParameterizedTest(name = "{0}/{1}: {2}")
    @MethodSource("ringAbuse")
    void ringAbuseEndsWithAReportOrIsServed(Platform.Kind platform, String transport, String variant) throws Exception {
        GuestRun.assumePlatform(platform);
        assertMonitorAlive(platform, transport);
        List<String> fdsBefore = HostileRun.openFds();

        GuestRun.Outcome o = assertTimeoutPreemptively(RUN_LIMIT,
                () -> HostileRun.run(platform, transport, SyscallPolicy.defaultPolicy(), RAM, "ringabuse", List.of(variant)));

        assertTrue(o.stdout().startsWith("ringabuse: " + variant + "\n"), o.stdout() + o.stderr());
        if (RING_CORRUPT.contains(variant)) {
            assertEquals(Ending.UNEXPECTED_EXIT, o.vm().ending(), o.vm().report());
            assertNotNull(o.vm().report());
            assertTrue(o.vm().report().startsWith(transport + " transport: corrupt ring from the guest: "), o.vm().report());
            assertEquals(134, o.vm().status());
        } else {
            assertEquals(Ending.EXITED, o.vm().ending(), o.vm().report());
            assertEquals(0, o.vm().status());
            assertTrue(o.stdout().endsWith("ringabuse: " + variant + " ok\n"), o.stdout());
        }
        assertEquals("", HostileRun.fdDifference(fdsBefore), "the JVM holds the same fds after the VM as before");
        assertMonitorAlive(platform, transport);
    }

    /**
     * aring: a guest that submits while the poller sleeps and never rings the doorbell stalls
     * itself, but the VM still ends at its limit, promptly, and the monitor releases the poller's
     * eventfd (the stop wakes the sleeping poller).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void sleepingPollerWithoutADoorbellStillEndsAtTheLimit(Platform.Kind platform) throws Exception {
        GuestRun.assumePlatform(platform);
        assertMonitorAlive(platform, "aring");
        List<String> fdsBefore = HostileRun.openFds();
        SyscallPolicy policy = SyscallPolicy.builder().allow(List.of("write", "getppid", "exit_group"))
                .limits(new SyscallPolicy.Limits(OptionalInt.empty(), OptionalLong.empty(),
                        Optional.of(Duration.ofSeconds(1)), Optional.empty()))
                .build();
        long started = System.nanoTime();

        GuestRun.Outcome o = assertTimeoutPreemptively(RUN_LIMIT,
                () -> HostileRun.run(platform, "aring", policy, RAM, "ringabuse", List.of("no-doorbell")));

        long millis = (System.nanoTime() - started) / 1_000_000;
        assertEquals("ringabuse: no-doorbell\n", o.stdout(), o.stderr());
        assertEquals(Ending.TIME_LIMIT, o.vm().ending(), o.vm().report());
        assertTrue(millis < 5_000, "the VM ended " + millis + " ms after it started, with a 1 s limit");
        assertTrue(o.vm().transportCounters().get(AdaptiveRingTransport.POLLER_SLEEPS) > 0, "the poller slept (and the end woke it)");
        assertEquals("", HostileRun.fdDifference(fdsBefore), "the JVM holds the same fds after the VM as before");
        assertMonitorAlive(platform, "aring");
    }

    // ------------------------------------------------------------------ doorbell abuse

    /** {variant, transport, expected ending, text the report must contain}. */
    static final List<Object[]> DOORBELL = List.of(
            new Object[] {"mmio-byte", "mmio", Ending.UNEXPECTED_EXIT, "mmio transport: bad doorbell access: 1 bytes at"},
            new Object[] {"mmio-word", "mmio", Ending.UNEXPECTED_EXIT, "mmio transport: bad doorbell access: 2 bytes at"},
            new Object[] {"mmio-quad", "mmio", Ending.UNEXPECTED_EXIT, "mmio transport: bad doorbell access: 8 bytes at"},
            new Object[] {"mmio-offset", "mmio", Ending.UNEXPECTED_EXIT, "mmio transport: bad doorbell access: 4 bytes at 0x3fe00004"},
            new Object[] {"mmio-load", "mmio", Ending.UNEXPECTED_EXIT, "mmio transport: bad doorbell access: 4-byte load from 0x3fe00000"},
            new Object[] {"mmio-other-page", "mmio", Ending.UNEXPECTED_EXIT, "guest accessed unbacked guest-physical address 0x3fe02000"},
            new Object[] {"mmio-window-end", "mmio", Ending.UNEXPECTED_EXIT, "guest accessed unbacked guest-physical address 0x3ffffffc"},
            new Object[] {"pio-in", "pio", Ending.UNEXPECTED_EXIT, "pio transport: bad doorbell access: 1-byte IN from port"},
            new Object[] {"pio-in", "ring", Ending.UNEXPECTED_EXIT, "ring transport: bad doorbell access: 1-byte IN from port"},
            new Object[] {"pio-in", "aring", Ending.UNEXPECTED_EXIT, "aring transport: bad doorbell access: 1-byte IN from port"},
            // the I/O bitmap grants a doorbell's one port: the CPU refuses a wider access with a #GP
            new Object[] {"pio-in32", "pio", Ending.FAULT, "(4-byte in from I/O port 0x100, not granted to the guest)"},
            new Object[] {"pio-in32", "aring", Ending.FAULT, "(4-byte in from I/O port 0x100, not granted to the guest)"},
            new Object[] {"pio-out32", "pio", Ending.FAULT, "(4-byte out to I/O port 0x100, not granted to the guest)"},
            new Object[] {"pio-out32", "ring", Ending.FAULT, "(4-byte out to I/O port 0x100, not granted to the guest)"},
            new Object[] {"pio-out32", "aring", Ending.FAULT, "(4-byte out to I/O port 0x100, not granted to the guest)"},
            // ports no device claims, past the bitmap, string I/O
            new Object[] {"pio-unclaimed", "pio", Ending.FAULT, "(1-byte out to I/O port 0x80, not granted to the guest)"},
            new Object[] {"pio-in-unclaimed", "pio", Ending.FAULT, "(1-byte in from I/O port 0x80, not granted to the guest)"},
            new Object[] {"pio-unclaimed", "mmio", Ending.FAULT, "(1-byte out to I/O port 0x80, not granted to the guest)"},
            new Object[] {"pio-beyond-bitmap", "pio", Ending.FAULT, "(1-byte out to I/O port 0x8000, not granted to the guest)"},
            new Object[] {"pio-rep-outs", "pio", Ending.FAULT, "(1-byte rep outs to I/O port 0x80, not granted to the guest)"});

    /**
     * A fault report forged from user code: the exception handlers' report port is granted to
     * CPL0 code only, so the out is a #GP raised by the CPU, with the frame on the exception
     * stack whatever rsp the guest set, on every transport ({variant, text the report must contain}).
     */
    static final List<String[]> FORGERY = List.of(
            new String[] {"fault-port-wild-rsp", "rsp=0x7ff0deadbee0 (1-byte out to I/O port 0xf0, not granted to the guest)"},
            new String[] {"fault-port-garbage", "(1-byte out to I/O port 0xf0, not granted to the guest)"});

    static Stream<Arguments> doorbellAbuse() {
        Stream<Object[]> forgeries = FORGERY.stream().flatMap(f -> GuestRun.TRANSPORTS.stream()
                .map(t -> new Object[] {f[0], t, Ending.FAULT, f[1]}));
        List<Object[]> all = Stream.concat(DOORBELL.stream(), forgeries).toList();
        return GuestRun.platforms().flatMap(p -> all.stream().map(d -> Arguments.of(p, d[0], d[1], d[2], d[3])));
    }

    @ParameterizedTest(name = "{0}/{2}: {1}")
    @MethodSource("doorbellAbuse")
    void doorbellAbuseEndsTheVmWithAReport(Platform.Kind platform, String variant, String transport, Ending ending,
                                           String report) throws Exception {
        GuestRun.assumePlatform(platform);

        GuestRun.Outcome o = assertTimeoutPreemptively(RUN_LIMIT,
                () -> HostileRun.run(platform, transport, SyscallPolicy.defaultPolicy(), RAM, "doorbellabuse", List.of(variant)));

        assertEquals("doorbellabuse: " + variant + "\n", o.stdout(), "the access must not return to the guest");
        assertEquals(ending, o.vm().ending(), o.vm().report());
        assertNotNull(o.vm().report());
        assertTrue(o.vm().report().contains(report), o.vm().report());
        assertNotEquals(0, o.vm().status());
        if (ending == Ending.FAULT) {
            assertTrue(o.vm().report().startsWith("guest fault: #GP (general protection) at rip=0x"), o.vm().report());
            assertEquals(139, o.vm().status(), "a #GP ends the VM as SIGSEGV would");
        }
        assertMonitorAlive(platform, transport);
    }

    // ------------------------------------------------------------------ system pages

    /** {variant, text the report must contain}: the same #PF on every platform. */
    static final List<String[]> SYSTEM_PAGES = List.of(
            new String[] {"read-tss", "addr=0x1100 error=0x5 (user read, protection violation)"},
            new String[] {"write-iobitmap", "addr=0x1178 error=0x7 (user write, protection violation)"},
            new String[] {"write-bootinfo", "addr=0x8000 error=0x7 (user write, protection violation)"},
            new String[] {"jump-handler", String.format("addr=0x%x error=0x5 (user read, protection violation)",
                    io.torovj.boot.GuestLayout.HANDLER_CODE + 33 * 16)});

    static Stream<Arguments> systemPages() {
        return GuestRun.platforms().flatMap(p -> SYSTEM_PAGES.stream().map(v -> Arguments.of(p, v[0], v[1])));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("systemPages")
    void userCodeCannotReachTheSystemPages(Platform.Kind platform, String variant, String report) throws Exception {
        GuestRun.assumePlatform(platform);
        GuestRun.Outcome o = assertTimeoutPreemptively(RUN_LIMIT,
                () -> HostileRun.run(platform, "pio", SyscallPolicy.defaultPolicy(), RAM, "syspages", List.of(variant)));
        assertEquals("syspages: " + variant + "\n", o.stdout(), "the access must not return to the guest");
        assertEquals(Ending.FAULT, o.vm().ending(), o.vm().report());
        assertEquals(139, o.vm().status());
        assertTrue(o.vm().report().startsWith("guest fault: #PF (page fault) at rip="), o.vm().report());
        assertTrue(o.vm().report().contains(report), o.vm().report());
        assertMonitorAlive(platform, "pio");
    }

    // ------------------------------------------------------------------ network confinement

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void implicitBindsCannotReachBeyondLoopback(Platform.Kind platform, String transport) throws Exception {
        GuestRun.assumePlatform(platform);
        Sandbox box = Sandbox.create();
        try {
            int port = HostileRun.freePortPair();
            GuestRun.Outcome o = assertTimeoutPreemptively(RUN_LIMIT, () -> HostileRun.run(platform, transport,
                    SyscallPolicy.permissive(box.root()), RAM, "netescape", List.of(Integer.toString(port))));
            assertEquals("netescape: listen=-1 udp-source-port-free-on-127.0.0.2=0\n", o.stdout(), o.stderr());
            assertEquals(0, o.vm().status(), o.vm().report());
            assertTrue(o.log().contains("policy denied listen"), o.log());
        } finally {
            box.delete();
        }
    }

    // ------------------------------------------------------------------ VMs side by side

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void concurrentVmsStayIndependentWhileOneFaults(Platform.Kind platform, String transport) throws Exception {
        GuestRun.assumePlatform(platform);
        assertMonitorAlive(platform, transport);
        List<String> fdsBefore = HostileRun.openFds();
        String[][] programs = {{"nullread"}, {"helloworld"}, {"nullcall", "20000"}, {"helloworld"}};
        ExecutorService pool = Executors.newFixedThreadPool(programs.length);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<GuestRun.Outcome>> runs = new ArrayList<>();
            for (String[] p : programs) {
                Callable<GuestRun.Outcome> run = () -> {
                    start.await();
                    return GuestRun.run(platform, transport, SyscallPolicy.defaultPolicy(), p[0],
                            java.util.Arrays.copyOfRange(p, 1, p.length));
                };
                runs.add(pool.submit(run));
            }
            start.countDown();
            List<GuestRun.Outcome> done = new ArrayList<>();
            for (Future<GuestRun.Outcome> f : runs) done.add(f.get(60, TimeUnit.SECONDS));

            GuestRun.Outcome fault = done.get(0);
            assertEquals(Ending.FAULT, fault.vm().ending(), fault.vm().report());
            assertEquals(14, fault.vm().fault().vector());
            assertEquals("about to read NULL\n", fault.stdout());
            for (int i : new int[] {1, 3}) {
                assertEquals(Ending.EXITED, done.get(i).vm().ending(), done.get(i).vm().report());
                assertEquals("Hello, World!\n", done.get(i).stdout());
            }
            GuestRun.Outcome nullcall = done.get(2);
            assertEquals(Ending.EXITED, nullcall.vm().ending(), nullcall.vm().report());
            assertEquals("nullcall: 20000 calls\n", nullcall.stdout());
            assertTrue(nullcall.vm().syscalls() >= 20000);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
        assertEquals("", HostileRun.fdDifference(fdsBefore), "the JVM holds the same fds after the VMs as before");
    }

    // ------------------------------------------------------------------ limits

    /**
     * A guest blocked in a host call (here recvfrom on a blocking UDP socket) is still stopped by
     * the policy's wall-clock limit: a kick alone cannot reach the thread executing the call
     * (the vCPU thread for pio/mmio, the poller for the ring), so a stop from another thread
     * also signals the VM's stop eventfd (FdTable.interruptBlockingCalls), on which every blocking host call waits.
     */
    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void wallClockLimitEndsAGuestBlockedInAHostCall(Platform.Kind platform, String transport) throws Exception {
        GuestRun.assumePlatform(platform);
        SyscallPolicy policy = SyscallPolicy.builder().allow(List.of("socket", "recvfrom", "write", "exit_group"))
                .limits(new SyscallPolicy.Limits(OptionalInt.empty(), OptionalLong.empty(),
                        Optional.of(Duration.ofSeconds(2)), Optional.empty()))
                .build();
        GuestRun.Outcome o = assertTimeoutPreemptively(RUN_LIMIT,
                () -> HostileRun.run(platform, transport, policy, RAM, "hostblock", List.of()));
        assertEquals(Ending.TIME_LIMIT, o.vm().ending(), o.vm().report());
    }
}
