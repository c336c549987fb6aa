package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.policy.SyscallPolicy;
import io.torovj.lifecycle.Ending;
import io.torovj.vmm.Platform;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The policy's resource limits: CPU time and guest memory. (Wall clock: HostileGuestTest.) */
class LimitsTest {


    private static SyscallPolicy limited(Optional<Duration> cpu, OptionalLong memory) {
        return SyscallPolicy.builder().allow(List.of("getppid", "write", "exit_group", "clock_gettime"))
                .limits(new SyscallPolicy.Limits(OptionalInt.empty(), memory, Optional.empty(), cpu)).build();
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void cpuTimeLimitStopsABusyGuest(Platform.Kind platform, String transport) throws Exception {
        // idlecalls: 100,000 rounds of {busy-wait 1 ms; getppid}: ~100 s of CPU if nothing stops it
        SyscallPolicy policy = limited(Optional.of(Duration.ofMillis(500)), OptionalLong.empty());
        GuestRun.Outcome o = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> GuestRun.run(platform, transport, policy, "idlecalls", "100000", "1000"));
        assertEquals(Ending.TIME_LIMIT, o.vm().ending(), o.vm().report());
        assertTrue(o.vm().report().contains("CPU-time limit of 500 ms"), o.vm().report());
        assertEquals(124, o.vm().status());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void guestMemoryAbovePolicyMaximumIsRefusedBeforeBoot(Platform.Kind platform) {
        GuestRun.assumePlatform(platform);
        SyscallPolicy policy = limited(Optional.empty(), OptionalLong.of(4L << 20));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GuestRun.run(platform, "pio", policy, "helloworld"));
        assertTrue(e.getMessage().contains("exceeds the policy's maxMemory of 4 MiB"), e.getMessage());
    }
}
