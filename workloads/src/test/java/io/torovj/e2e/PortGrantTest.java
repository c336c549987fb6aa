package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.boot.GuestLayout;
import io.torovj.transport.DeviceBus;
import io.torovj.transport.PortIoDevice;
import io.torovj.vmm.Platform;
import io.torovj.vmm.Vm;
import io.torovj.vmm.VmBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every registered transport, on both platforms: the TSS I/O bitmap the VM is built with
 * grants exactly the ports its devices claim for user code - each doorbell, the null port - and
 * nothing else, the fault-report port included (read back from guest memory as the CPU reads it).
 */
class PortGrantTest {

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void theBitmapGrantsExactlyTheClaimedPorts(Platform.Kind platform, String transport) throws Exception {
        GuestRun.assumePlatform(platform);
        try (Vm vm = VmBuilder.build(GuestRun.config(platform, "helloworld").transport(transport).build())) {
            boolean[] expected = new boolean[0x10000];
            int granted = 0;
            for (DeviceBus.Range<PortIoDevice> r : vm.claimedPorts()) {
                for (long p = r.base(); p < r.base() + r.length(); p++) {
                    expected[(int) p] = r.device().grantedToUserCode();
                    if (expected[(int) p]) granted++;
                }
            }
            assertTrue(granted >= 1, transport + ": at least the null port: " + vm.claimedPorts());
            assertTrue(vm.grantsPort(io.torovj.abi.GuestAbi.NULL_PORT, 1), "the null doorbell (the exit floor) is granted");
            for (int port = 0; port <= 0xFFFF; port++) {
                assertEquals(expected[port], vm.grantsPort(port, 1), transport + ": port 0x" + Integer.toHexString(port));
            }
            assertFalse(vm.grantsPort(GuestLayout.FAULT_PORT, 1), "the fault-report port is claimed but never granted");
            assertTrue(vm.claimedPorts().stream().anyMatch(r -> r.base() == GuestLayout.FAULT_PORT), "and it is on the bus");
        }
    }
}
