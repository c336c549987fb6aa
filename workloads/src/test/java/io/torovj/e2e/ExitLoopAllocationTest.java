package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.policy.SyscallPolicy;
import io.torovj.transport.TransportRegistry;
import io.torovj.vmm.Platform;
import java.lang.management.ManagementFactory;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exit loop, the transports' exit handlers and the syscall dispatcher allocate nothing per
 * syscall: the vCPU thread's allocation for a run of 20,000 syscalls is no larger (within
 * noise) than for 2,000. Runs on the calling thread, which is the vCPU thread.
 */
class ExitLoopAllocationTest {

    /** Every registered transport that exits per call (its provider says so): their exits run on the vCPU thread. */
    static Stream<Arguments> exitTransports() {
        TransportRegistry registry = TransportRegistry.load();
        return GuestRun.platforms().flatMap(p -> registry.names().stream()
                .filter(t -> registry.provider(t).floor().isExit()).map(t -> Arguments.of(p, t)));
    }

    private static long allocatedBy(Platform.Kind platform, String transport, int calls) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        GuestRun.Outcome o = GuestRun.run(platform, transport, SyscallPolicy.defaultPolicy(), "nullcall", Integer.toString(calls));
        long after = threads.getCurrentThreadAllocatedBytes();
        assertEquals(0, o.vm().status(), o.vm().report());
        return after - before;
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("exitTransports")
    void noAllocationPerSyscall(Platform.Kind platform, String transport) throws Exception {
        for (int i = 0; i < 3; i++) allocatedBy(platform, transport, 5_000);   // let the JIT settle
        long small = Long.MAX_VALUE, large = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            small = Math.min(small, allocatedBy(platform, transport, 2_000));
            large = Math.min(large, allocatedBy(platform, transport, 20_000));
        }
        double perCall = (double) (large - small) / 18_000;
        assertTrue(perCall < 1.0, String.format("%.2f bytes allocated per syscall (2k calls: %d B, 20k calls: %d B)",
                perCall, small, large));
    }
}
