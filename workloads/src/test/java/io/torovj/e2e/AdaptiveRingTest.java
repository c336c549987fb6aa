package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.mechanisms.AdaptiveRingTransport;
import io.torovj.policy.SyscallPolicy;
import io.torovj.vmm.Platform;
import io.torovj.vmm.VmConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The adaptive ring ("aring"): its poller spins while calls keep coming, sleeps after an idle
 * spell longer than its spin budget, and is woken by the guest's doorbell: a port exit to the
 * monitor by default, or with {@code doorbell=ioeventfd} on KVM an ioeventfd, absorbed in the kernel.
 */
class AdaptiveRingTest {
    static final int ROUNDS = 200;
    /** Idle spell per round: ten times the default spin budget. */
    static final long IDLE_MICROS = 10 * AdaptiveRingTransport.DEFAULT_IDLE_SPIN_MICROS;
    /** Runs of the busy guest, at most (the first near zero ends the test). */
    static final int BUSY_RUNS = 8;

    private static GuestRun.Outcome idlecalls(Platform.Kind platform, String transport) throws Exception {
        return idlecalls(platform, transport, null, null);
    }

    private static GuestRun.Outcome idlecalls(Platform.Kind platform, String transport, String idleSpinMicros) throws Exception {
        return idlecalls(platform, transport, idleSpinMicros, null);
    }

    /** idlecalls over {@code transport}; {@code idleSpinMicros} and {@code doorbell} (null: the default) are aring's options. */
    private static GuestRun.Outcome idlecalls(Platform.Kind platform, String transport, String idleSpinMicros, String doorbell)
            throws Exception {
        VmConfig.Builder config = GuestRun.config(platform, "idlecalls").transport(transport)
                .args(List.of(Integer.toString(ROUNDS), Long.toString(IDLE_MICROS)));
        if (idleSpinMicros != null) config.transportOption(AdaptiveRingTransport.IDLE_SPIN_OPTION, idleSpinMicros);
        if (doorbell != null) config.transportOption(AdaptiveRingTransport.DOORBELL_OPTION, doorbell);
        GuestRun.Outcome o = GuestRun.run(platform, config);
        assertEquals(0, o.vm().status(), o.vm().report() + "\n" + o.stderr() + o.log());
        assertEquals("idlecalls: " + ROUNDS + " rounds of " + IDLE_MICROS + " us idle\n", o.stdout());
        assertTrue(o.vm().syscalls() >= ROUNDS + 1, "syscalls: " + o.vm().syscalls());
        return o;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void idleSpellsPutThePollerToSleepAndTheDoorbellWakesIt(Platform.Kind platform) throws Exception {
        GuestRun.Outcome o = idlecalls(platform, "aring");
        long sleeps = o.vm().transportCounters().get(AdaptiveRingTransport.POLLER_SLEEPS);
        long exits = o.vm().vcpuExits();
        System.err.printf("AdaptiveRingTest: %s aring idlecalls %d x %d us: %d poller sleeps, %d VM exits%n",
                platform, ROUNDS, IDLE_MICROS, sleeps, exits);
        // each idle spell is ten spin budgets long: the poller sleeps in (nearly) every one, and
        // only the guest's doorbell can wake it before the VM ends
        assertTrue(sleeps >= ROUNDS / 2, "the poller slept " + sleeps + " times in " + ROUNDS + " idle spells");
        // the default doorbell is an exit to the monitor's port bus, on both platforms
        assertTrue(exits >= ROUNDS / 2, "doorbell exits: " + exits + " for " + sleeps + " sleeps");
    }

    /** {@code doorbell=ioeventfd}: on KVM the kernel signals the eventfd, and the doorbell is no exit to user space. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void anIoeventfdDoorbellWakesThePollerWithoutAnExit(Platform.Kind platform) throws Exception {
        GuestRun.Outcome o = idlecalls(platform, "aring", null, "ioeventfd");
        long sleeps = o.vm().transportCounters().get(AdaptiveRingTransport.POLLER_SLEEPS);
        long exits = o.vm().vcpuExits();
        System.err.printf("AdaptiveRingTest: %s aring doorbell=ioeventfd idlecalls %d x %d us: %d poller sleeps, %d VM exits%n",
                platform, ROUNDS, IDLE_MICROS, sleeps, exits);
        assertTrue(sleeps >= ROUNDS / 2, "the poller slept " + sleeps + " times in " + ROUNDS + " idle spells");
        if (platform == Platform.Kind.PROCESS) {
            // no ioeventfd here: the option falls back to the exit
            assertTrue(exits >= ROUNDS / 2, "doorbell exits: " + exits + " for " + sleeps + " sleeps");
        } else {
            assertTrue(exits < 20, "KVM_RUN returned " + exits + " times for " + sleeps + " doorbells");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void anUnknownDoorbellIsRefusedByName(Platform.Kind platform) throws Exception {
        GuestRun.assumePlatform(platform);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> idlecalls(platform, "aring", null, "carrier-pigeon"));
        assertTrue(e.getMessage().contains("doorbell must be exit or ioeventfd, not 'carrier-pigeon'"), e.getMessage());
    }

    /**
     * Back-to-back calls find the poller spinning: like the ring, no exit per call. The scheduler
     * can still force doorbells: a guest thread kept off the CPU for longer than the spin budget
     * (on an oversubscribed host, often by the spinning poller itself) comes back to a sleeping
     * poller, and on a loaded 2-core machine whole runs rang on most calls. So the best of a few
     * runs must be near zero; a poller that sleeps between busy calls would ring on every run.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void busyGuestRingsNoDoorbell(Platform.Kind platform) throws Exception {
        List<Long> exits = new ArrayList<>();
        for (int run = 0; run < BUSY_RUNS; run++) {
            GuestRun.Outcome o = GuestRun.run(platform, "aring", SyscallPolicy.defaultPolicy(), "nullcall", "10000");
            assertEquals(0, o.vm().status(), o.vm().report());
            assertEquals("nullcall: 10000 calls\n", o.stdout());
            assertTrue(o.vm().syscalls() >= 10_000, "syscalls: " + o.vm().syscalls());
            exits.add(o.vm().vcpuExits());
            if (o.vm().vcpuExits() < 20) break;
        }
        System.err.printf("AdaptiveRingTest: %s aring nullcall 10000: VM exits per run %s%n", platform, exits);
        assertTrue(Collections.min(exits) < 20, "KVM_RUN returned " + exits + " times in " + exits.size()
                + " runs of 10000 syscalls (load average " + loadAverage() + ")");
    }

    /**
     * The doorbell's path on the vCPU thread (on the process platform every doorbell is an exit:
     * run loop, port bus, eventfd write) allocates nothing: a run with ten times the doorbells
     * allocates no more (within noise). The default doorbell is that exit on KVM too.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void doorbellsAllocateNothingOnTheVcpuThread(Platform.Kind platform) throws Exception {
        for (int i = 0; i < 2; i++) allocatedByIdlecalls(platform, 100);   // let the JIT settle
        long small = Long.MAX_VALUE, large = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            small = Math.min(small, allocatedByIdlecalls(platform, 20));
            large = Math.min(large, allocatedByIdlecalls(platform, 200));
        }
        double perRound = (double) (large - small) / 180;
        assertTrue(perRound < 8.0, String.format("%.2f bytes allocated per doorbell round (20 rounds: %d B, 200 rounds: %d B)",
                perRound, small, large));
    }

    private static long allocatedByIdlecalls(Platform.Kind platform, int rounds) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        GuestRun.Outcome o = GuestRun.run(platform, "aring", SyscallPolicy.defaultPolicy(), "idlecalls",
                Integer.toString(rounds), "200");
        long after = threads.getCurrentThreadAllocatedBytes();
        assertEquals(0, o.vm().status(), o.vm().report());
        return after - before;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void aLongerSpinBudgetKeepsThePollerAwake(Platform.Kind platform) throws Exception {
        GuestRun.assumePlatform(platform);
        GuestRun.Outcome o = idlecalls(platform, "aring", "10000000");     // 10 s
        long sleeps = o.vm().transportCounters().get(AdaptiveRingTransport.POLLER_SLEEPS);
        assertEquals(0, sleeps, "the poller slept with a 10 s budget");
        assertTrue(o.vm().vcpuExits() < 10, "KVM_RUN returned " + o.vm().vcpuExits() + " times");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void theBusyPollingRingNeverRingsTheDoorbell(Platform.Kind platform) throws Exception {
        GuestRun.Outcome o = idlecalls(platform, "ring");
        assertTrue(o.vm().vcpuExits() < 10, "ring: KVM_RUN returned " + o.vm().vcpuExits() + " times");
    }
}
