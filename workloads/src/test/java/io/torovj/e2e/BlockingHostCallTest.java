package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.kvm.Kvm;
import io.torovj.lifecycle.Ending;
import io.torovj.log.MonitorLog;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.FileCalls;
import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import io.torovj.transport.TransportRegistry;
import io.torovj.vmm.Platform;
import io.torovj.vmm.Vm;
import io.torovj.vmm.VmConfig;
import io.torovj.vmm.VmResult;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every limit holds whatever host call the guest is blocked in (fifoblock.c): a read of a FIFO,
 * the open of a FIFO (blocked inside the kernel's open), a write to a stdout pipe nobody reads, a
 * read of a stdin pipe nobody writes. With a 1 s wall-clock limit the VM ends with its report and
 * status 124, over every transport on both platforms, within a bound that is generous (a hang is
 * the failure, not slowness), and the monitor holds no fd more afterwards. Also: the blocking
 * semantics hold where nothing stops the VM (a FIFO's open waits for the other end, a write to
 * a pipe writes everything).
 */
class BlockingHostCallTest {
    /** Generous: the VM ends about 1 s in; a hang fails here instead of hanging the build. */
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final String WALL_REPORT = "wall-clock limit of 1000 ms reached";

    @TempDir Path tmp;
    private Path root;
    private List<String> fdsBefore;
    private final List<Integer> testFds = new ArrayList<>();

    /**
     * One VM on each platform first: the JVM opens a few fds of its own the first time a VM runs
     * (once, not per VM), which would otherwise look like a leak of the first test.
     */
    @BeforeAll
    static void warmUp() throws Exception {
        for (Platform.Kind p : List.of(Platform.Kind.KVM, Platform.Kind.PROCESS)) {
            if (p == Platform.Kind.KVM && !Kvm.deviceExists()) continue;
            assertEquals(0, GuestRun.run(p, "pio", SyscallPolicy.defaultPolicy(), "helloworld").vm().status());
        }
    }

    @BeforeEach
    void snapshotFds() throws IOException {
        root = tmp.toRealPath();
        fdsBefore = HostileRun.openFds();
    }

    @AfterEach
    void closeTestFds() {
        for (int fd : testFds) LibC.INSTANCE.close(fd);
        testFds.clear();
    }

    private static SyscallPolicy policy(Path root, Optional<Duration> wall, Optional<Duration> cpu) {
        return SyscallPolicy.builder().allow(List.of("openat", "read", "write", "close", "exit_group")).fileRoot(root)
                .limits(new SyscallPolicy.Limits(OptionalInt.empty(), OptionalLong.empty(), wall, cpu)).build();
    }

    private SyscallPolicy wallClock1s() {
        return policy(root, Optional.of(Duration.ofSeconds(1)), Optional.empty());
    }

    /** A host pipe for the test, closed after it: {read end, write end}. */
    private int[] pipe() {
        NativeBuffer p = new NativeBuffer(8);
        assertEquals(0, FileCalls.INSTANCE.pipe2(p.address(), 0x80000 /* O_CLOEXEC */));
        int[] fds = {p.getInt(0), p.getInt(4)};
        testFds.add(fds[0]);
        testFds.add(fds[1]);
        return fds;
    }

    private int devNull() {
        int fd = LibC.INSTANCE.open("/dev/null", 2 /* O_RDWR */ | 0x80000, 0);
        assertTrue(fd >= 0);
        testFds.add(fd);
        return fd;
    }

    private Path fifo(String name) throws Exception {
        Path p = root.resolve(name);
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor(), "mkfifo");
        return p;
    }

    /**
     * Runs fifoblock with {@code args}: stdin and stdout as given (-1: stdout to a file, captured),
     * stderr to a file, captured.
     */
    private GuestRun.Outcome fifoblock(Platform.Kind platform, String transport, SyscallPolicy policy, int in, int out,
                                       String... args) throws Exception {
        GuestRun.assumePlatform(platform);
        Path dir = Files.createTempDirectory("torovj-blocking-run");
        Path outFile = dir.resolve("stdout"), errFile = dir.resolve("stderr");
        int outFd = out >= 0 ? out : openForAppend(outFile);
        int errFd = openForAppend(errFile);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try {
            List<String> argv = new ArrayList<>();
            argv.add("fifoblock");
            argv.addAll(List.of(args));
            VmConfig config = GuestRun.config(platform, "fifoblock").argv(argv).transport(transport).policy(policy)
                    .stdio(in, outFd, errFd).log(new MonitorLog(new PrintStream(log, true, StandardCharsets.UTF_8))).build();
            VmResult result = Vm.run(config);
            return new GuestRun.Outcome(result, out >= 0 ? "" : Files.readString(outFile), Files.readString(errFile),
                    log.toString(StandardCharsets.UTF_8));
        } finally {
            if (out < 0) LibC.INSTANCE.close(outFd);
            LibC.INSTANCE.close(errFd);
            Files.deleteIfExists(outFile);
            Files.deleteIfExists(errFile);
            Files.deleteIfExists(dir);
        }
    }

    private static int openForAppend(Path p) {
        int fd = LibC.INSTANCE.open(p.toString(), 0x1 | 0x40 | 0x200 | 0x400 | 0x80000, 0600);
        if (fd < 0) throw new IllegalStateException("cannot open " + p);
        return fd;
    }

    /** The VM ended by its wall-clock limit while the guest was blocked, and nothing leaked. */
    private void assertStoppedWhileBlocked(GuestRun.Outcome o, String variant, String report) throws Exception {
        assertEquals(Ending.TIME_LIMIT, o.vm().ending(), o.vm().report() + "\n" + o.stderr() + o.log());
        assertEquals(124, o.vm().status());
        assertTrue(o.vm().report().contains(report), o.vm().report());
        assertTrue(o.stderr().contains("fifoblock: " + variant + ": blocking"), "the guest reached the call: " + o.stderr());
        assertFalse(o.stderr().contains("returned"), "the guest never ran on after the stop: " + o.stderr());
        closeTestFds();
        assertEquals("", HostileRun.fdDifference(fdsBefore), "the monitor's fds after the VM");
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void readOfAFifoEndsAtTheWallClockLimit(Platform.Kind platform, String transport) throws Exception {
        fifo("f");
        int in = devNull();
        GuestRun.Outcome o = assertTimeoutPreemptively(BOUND,
                () -> fifoblock(platform, transport, wallClock1s(), in, -1, "read-rdwr", "f"));
        assertStoppedWhileBlocked(o, "read-rdwr", WALL_REPORT);
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void openOfAFifoForReadingEndsAtTheWallClockLimit(Platform.Kind platform, String transport) throws Exception {
        fifo("f");
        int in = devNull();
        GuestRun.Outcome o = assertTimeoutPreemptively(BOUND,
                () -> fifoblock(platform, transport, wallClock1s(), in, -1, "open-rdonly", "f"));
        assertStoppedWhileBlocked(o, "open-rdonly", WALL_REPORT);
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void openOfAFifoForWritingEndsAtTheWallClockLimit(Platform.Kind platform, String transport) throws Exception {
        fifo("f");
        int in = devNull();
        GuestRun.Outcome o = assertTimeoutPreemptively(BOUND,
                () -> fifoblock(platform, transport, wallClock1s(), in, -1, "open-wronly", "f"));
        assertStoppedWhileBlocked(o, "open-wronly", WALL_REPORT);
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void writeToAStdoutPipeNobodyReadsEndsAtTheWallClockLimit(Platform.Kind platform, String transport) throws Exception {
        int[] stdout = pipe();                  // the read end stays open, unread
        int in = devNull();
        GuestRun.Outcome o = assertTimeoutPreemptively(BOUND,
                () -> fifoblock(platform, transport, wallClock1s(), in, stdout[1], "write-stdout"));
        assertStoppedWhileBlocked(o, "write-stdout", WALL_REPORT);
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void readOfAStdinPipeNobodyWritesEndsAtTheWallClockLimit(Platform.Kind platform, String transport) throws Exception {
        int[] stdin = pipe();                   // the write end stays open, silent: `sleep 12 | torovj run ...`
        GuestRun.Outcome o = assertTimeoutPreemptively(BOUND,
                () -> fifoblock(platform, transport, wallClock1s(), stdin[0], -1, "read-stdin"));
        assertStoppedWhileBlocked(o, "read-stdin", WALL_REPORT);
    }

    /**
     * The CPU-time limit counts the vCPU thread's time. A guest blocked in a host call over an
     * exit transport (pio, mmio) uses none: the vCPU thread waits in the monitor, so only the
     * wall clock ends it. Over a ring the guest spins waiting for its completion and uses CPU,
     * so the CPU-time limit ends it, and the stop interrupts the poller's host call.
     */
    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void cpuTimeLimitWhileBlockedCountsOnlyTimeTheGuestComputes(Platform.Kind platform, String transport) throws Exception {
        fifo("f");
        int in = devNull();
        SyscallPolicy policy = policy(root, Optional.of(Duration.ofSeconds(6)), Optional.of(Duration.ofMillis(300)));
        GuestRun.Outcome o = assertTimeoutPreemptively(BOUND,
                () -> fifoblock(platform, transport, policy, in, -1, "read-rdwr", "f"));
        boolean exitTransport = TransportRegistry.load().provider(transport).floor().isExit();
        assertStoppedWhileBlocked(o, "read-rdwr",
                exitTransport ? "wall-clock limit of 6000 ms reached" : "CPU-time limit of 300 ms reached");
    }

    /** Every platform with every transport that serves calls on a poller thread (the rings). */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> pollerTransports() {
        TransportRegistry registry = TransportRegistry.load();
        return GuestRun.everywhere().filter(a -> !registry.provider((String) a.get()[1]).floor().isExit());
    }

    /**
     * A stop on the vCPU thread itself (here a fault) while the ring's poller is blocked in a host
     * call: the poller is woken too, and the VM ends with the fault's report - the transport's
     * close does not wait forever for the poller.
     */
    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("pollerTransports")
    void aFaultWhileThePollerIsBlockedEndsTheVm(Platform.Kind platform, String transport) throws Exception {
        fifo("f");
        int in = devNull();
        SyscallPolicy policy = SyscallPolicy.builder().allow(List.of("openat", "read", "write", "close", "exit_group"))
                .fileRoot(root).build();                        // no limit: only the fault ends it
        GuestRun.Outcome o = assertTimeoutPreemptively(BOUND, () -> {
            GuestRun.assumePlatform(platform);
            Path dir = Files.createTempDirectory("torovj-ringblock");
            Path errFile = dir.resolve("stderr");
            int errFd = openForAppend(errFile);
            try {
                VmResult r = Vm.run(GuestRun.config(platform, "ringblock").argv(List.of("ringblock", "f")).transport(transport)
                        .policy(policy).stdio(in, errFd, errFd).build());
                return new GuestRun.Outcome(r, "", Files.readString(errFile), "");
            } finally {
                LibC.INSTANCE.close(errFd);
                Files.deleteIfExists(errFile);
                Files.deleteIfExists(dir);
            }
        });
        assertEquals(Ending.FAULT, o.vm().ending(), o.vm().report() + "\n" + o.stderr());
        assertEquals(139, o.vm().status());
        assertTrue(o.stderr().contains("ringblock: submitting a read that blocks"), o.stderr());
        closeTestFds();
        assertEquals("", HostileRun.fdDifference(fdsBefore));
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void fifoOpensWaitForTheOtherEnd(Platform.Kind platform, String transport) throws Exception {
        Path f = fifo("f");
        int in = devNull();
        SyscallPolicy policy = policy(root, Optional.of(Duration.ofSeconds(15)), Optional.empty());
        // the guest reads until EOF; the host writes once the guest's open released it
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (FileOutputStream w = new FileOutputStream(f.toFile())) {
                w.write("to the guest\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        GuestRun.Outcome cat = assertTimeoutPreemptively(BOUND, () -> fifoblock(platform, transport, policy, in, -1, "cat-fifo", "f"));
        writer.get(10, TimeUnit.SECONDS);
        assertEquals(0, cat.vm().status(), cat.vm().report() + cat.stderr());
        assertEquals("to the guest\n", cat.stdout());
        // the guest writes; the host reads once the guest's open released it
        CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> {
            try (FileInputStream r = new FileInputStream(f.toFile())) {
                byte[] b = new byte[64];
                StringBuilder s = new StringBuilder();
                for (int n; (n = r.read(b)) > 0; ) s.append(new String(b, 0, n, StandardCharsets.US_ASCII));
                return s.toString();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        GuestRun.Outcome feed = assertTimeoutPreemptively(BOUND, () -> fifoblock(platform, transport, policy, in, -1, "feed-fifo", "f"));
        assertEquals(0, feed.vm().status(), feed.vm().report() + feed.stderr());
        assertEquals("fifo data\n", reader.get(10, TimeUnit.SECONDS));
        closeTestFds();
        assertEquals("", HostileRun.fdDifference(fdsBefore));
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void aWriteToAStdoutPipeWritesEverything(Platform.Kind platform, String transport) throws Exception {
        int[] stdout = pipe();
        int in = devNull();
        int size = 300_000;                     // several pipefuls: the write waits for the reader
        CompletableFuture<Long> drained = CompletableFuture.supplyAsync(() -> {
            NativeBuffer b = new NativeBuffer(4096);
            long total = 0;
            while (total < size) {
                long n = LibC.INSTANCE.read(stdout[0], b.address(), 4096);
                if (n <= 0) break;
                total += n;
            }
            return total;
        });
        SyscallPolicy policy = policy(root, Optional.of(Duration.ofSeconds(15)), Optional.empty());
        GuestRun.Outcome o = assertTimeoutPreemptively(BOUND,
                () -> fifoblock(platform, transport, policy, in, stdout[1], "write-stdout-n", Integer.toString(size)));
        assertEquals(0, o.vm().status(), o.vm().report() + o.stderr());
        assertTrue(o.stderr().contains("wrote " + size), o.stderr());
        assertEquals((long) size, drained.get(10, TimeUnit.SECONDS));
    }
}
