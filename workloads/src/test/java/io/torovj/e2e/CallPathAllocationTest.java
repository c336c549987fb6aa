package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.log.MonitorLog;
import io.torovj.mechanisms.AdaptiveRingTransport;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.FileCalls;
import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import io.torovj.transport.TransportRegistry;
import io.torovj.vmm.Platform;
import io.torovj.vmm.Vm;
import io.torovj.vmm.VmConfig;
import io.torovj.vmm.VmResult;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A forwarded syscall allocates nothing on the monitor's threads, over every transport and on both
 * platforms: the vCPU thread (exit loop, exit handlers, dispatcher) and the poller thread of a
 * polling transport allocate exactly 0 bytes while the guest makes {@link #CALLS} getppid calls
 * (plus one write, one read and, over aring, one sleep of the poller and one doorbell), after
 * warm-up rounds.
 *
 * <p>The guest ({@code callrounds}) writes a byte after each round of calls and then waits for a
 * byte on its stdin; the test reads the counters in that pause, so two looks are exactly one round
 * apart whichever thread serves the calls. Per-thread allocation counters (ThreadMXBean) are exact:
 * a path that allocates nothing leaves them unchanged, so the assertion is an equality, not a
 * threshold. Warm-up matters for that: the first run of a call site resolves its constants and
 * links its calls, which allocates a few hundred bytes once (the JVM's, not the monitor's); so
 * every path a round takes, the aring doorbell's included, is taken in every warm-up round. The JMH
 * bench's {@code alloc_per_call} is the same promise measured over all threads.
 */
class CallPathAllocationTest {
    private static final int CALLS = 10_000;
    /** Rounds before the measured ones: class loading, lazy initialisation and the JIT settle. */
    private static final int WARMUP_ROUNDS = 5;
    private static final int MEASURED_ROUNDS = 3;
    private static final Duration BOUND = Duration.ofMinutes(3);

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void aRoundOfCallsAllocatesNothingOnTheMonitorThreads(Platform.Kind platform, String transport) throws Exception {
        GuestRun.assumePlatform(platform);
        Rounds measured = assertTimeoutPreemptively(BOUND, () -> allocationPerRound(platform, transport));
        List<Map<String, Long>> rounds = measured.perRound();
        if (transport.equals("aring")) {
            long sleeps = measured.result().transportCounters().get(AdaptiveRingTransport.POLLER_SLEEPS);
            assertTrue(sleeps >= WARMUP_ROUNDS + MEASURED_ROUNDS, "aring's poller slept only " + sleeps + " times");
        }
        boolean polling = !TransportRegistry.load().provider(transport).floor().isExit();
        assertEquals(polling ? 2 : 1, rounds.get(0).size(), "threads measured: " + rounds.get(0).keySet());
        for (Map<String, Long> round : rounds) {
            for (var e : round.entrySet()) {
                assertEquals(0L, e.getValue(), String.format("%s/%s: %s allocated %d bytes in a round of %d calls "
                        + "(every measured round: %s)", platform, transport, e.getKey(), e.getValue(), CALLS, rounds));
            }
        }
    }

    /** What each monitor thread allocated in each measured round, and the run's result. */
    private record Rounds(List<Map<String, Long>> perRound, VmResult result) {}

    /**
     * Runs {@code callrounds} and returns, for each measured round, the bytes each monitor thread
     * (the vCPU thread, then the transport's poller if it has one) allocated during it.
     */
    private static Rounds allocationPerRound(Platform.Kind platform, String transport) throws Exception {
        int[] in = pipe(), out = pipe();
        int err = LibC.INSTANCE.open("/dev/null", 1 /* O_WRONLY */ | 0x80000 /* O_CLOEXEC */, 0);
        assertTrue(err >= 0, "cannot open /dev/null");
        int total = WARMUP_ROUNDS + MEASURED_ROUNDS + 1;
        VmConfig config = GuestRun.config(platform, "callrounds")
                .argv(List.of("callrounds", Integer.toString(total), Integer.toString(CALLS)))
                .transport(transport).policy(SyscallPolicy.defaultPolicy()).stdio(in[0], out[1], err)
                .log(new MonitorLog(new PrintStream(OutputStream.nullOutputStream()))).build();
        FutureTask<VmResult> run = new FutureTask<>(() -> Vm.run(config));
        Thread vcpu = new Thread(run, "callrounds-vcpu");     // Vm.run's thread is the VM's vCPU thread
        NativeBuffer one = new NativeBuffer(1);
        List<Map<String, Long>> perRound = new ArrayList<>();
        try {
            vcpu.start();
            List<Thread> threads = null;
            long[] last = null;
            for (int r = 0; r < total; r++) {
                assertEquals(1, LibC.INSTANCE.read(out[0], one.address(), 1), "the guest's byte after round " + r);
                if (threads == null) threads = monitorThreads(vcpu, transport);
                long[] now = allocated(threads);
                if (r > WARMUP_ROUNDS) {
                    Map<String, Long> round = new LinkedHashMap<>();
                    for (int i = 0; i < now.length; i++) round.put(threads.get(i).getName(), now[i] - last[i]);
                    perRound.add(round);
                }
                last = now;
                assertEquals(1, LibC.INSTANCE.write(in[1], one.address(), 1), "the guest's go after round " + r);
            }
            VmResult result = run.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertTrue(result.exited() && result.status() == 0, result.report());
            return new Rounds(perRound, result);
        } finally {
            LibC.INSTANCE.close(in[1]);     // a guest still waiting reads end of file and exits
            vcpu.join(BOUND.toMillis());
            for (int fd : new int[] {in[0], out[0], out[1], err}) LibC.INSTANCE.close(fd);
        }
    }

    /** The vCPU thread, then the transport's poller thread if it has one. */
    private static List<Thread> monitorThreads(Thread vcpu, String transport) {
        List<Thread> threads = new ArrayList<>(List.of(vcpu));
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().equals("torovj-" + transport + "-poller")) threads.add(t);
        }
        return threads;
    }

    private static long[] allocated(List<Thread> threads) {
        long[] bytes = new long[threads.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = THREADS.getThreadAllocatedBytes(threads.get(i).getId());
            assertFalse(bytes[i] < 0, "allocation measurement unsupported for " + threads.get(i).getName());
        }
        return bytes;
    }

    /** A host pipe: {read end, write end}. */
    private static int[] pipe() {
        NativeBuffer p = new NativeBuffer(8);
        assertEquals(0, FileCalls.INSTANCE.pipe2(p.address(), 0x80000 /* O_CLOEXEC */));
        return new int[] {p.getInt(0), p.getInt(4)};
    }
}
