package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.policy.SyscallPolicy;
import io.torovj.lifecycle.Ending;
import io.torovj.vmm.Platform;
import io.torovj.vmm.VmConfig;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The monitor-core scenarios, on every platform and transport, with real guest programs. */
class MonitorCoreTest {

    /**
     * The KVM platform keeps one idle vCPU open for the process's life, so that KVM's static keys
     * are not flipped on and off by every VM, and that vCPU's VM fd with it, so that no later VM
     * takes the fd number under which the standby's debugfs directory is named (see the KVM
     * platform); VMs come and go beside it and leave no vCPU or VM fd of their own behind.
     */
    @org.junit.jupiter.api.Test
    void oneStandbyVcpuAndItsVmOutliveTheVmsAndTheyLeaveNoneBehind() throws Exception {
        GuestRun.assumePlatform(Platform.Kind.KVM);
        GuestRun.run(Platform.Kind.KVM, "pio", SyscallPolicy.defaultPolicy(), "helloworld");
        long vcpus = openFds("kvm-vcpu"), vms = openFds("kvm-vm");
        assertTrue(vcpus >= 1, "the standby vCPU is open after a VM closed");
        assertTrue(vms >= 1, "the standby's VM fd is open after a VM closed");
        for (String transport : GuestRun.TRANSPORTS) {
            GuestRun.Outcome o = GuestRun.run(Platform.Kind.KVM, transport, SyscallPolicy.defaultPolicy(), "helloworld");
            assertEquals(0, o.vm().status(), o.vm().report());
        }
        assertEquals(vcpus, openFds("kvm-vcpu"), "vCPU fds open before and after " + GuestRun.TRANSPORTS.size() + " more VMs");
        assertEquals(vms, openFds("kvm-vm"), "VM fds open before and after " + GuestRun.TRANSPORTS.size() + " more VMs");
    }

    /** This process's fds whose target names {@code kind} (anon_inode:kvm-vm, anon_inode:kvm-vcpu:0). */
    private static long openFds(String kind) throws java.io.IOException {
        try (java.util.stream.Stream<java.nio.file.Path> fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return java.nio.file.Files.readSymbolicLink(fd).toString().contains(kind);
                } catch (java.io.IOException e) {
                    return false;       // the listing's own fd, closed by now
                }
            }).count();
        }
    }


    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void helloWorldPrintsItsLineAndExitsZero(Platform.Kind platform, String transport) throws Exception {
        GuestRun.Outcome o = GuestRun.run(platform, transport, SyscallPolicy.defaultPolicy(), "helloworld");
        assertEquals(Ending.EXITED, o.vm().ending(), o.vm().report());
        assertEquals(0, o.vm().status());
        assertEquals("Hello, World!\n", o.stdout());
        assertEquals("", o.log(), "the default policy lets HelloWorld run without a single denial");
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void nullPointerReadEndsWithAPageFaultReport(Platform.Kind platform, String transport) throws Exception {
        GuestRun.Outcome o = GuestRun.run(platform, transport, SyscallPolicy.defaultPolicy(), "nullread");
        assertEquals("about to read NULL\n", o.stdout());
        assertEquals(Ending.FAULT, o.vm().ending());
        assertNotNull(o.vm().fault());
        assertEquals(14, o.vm().fault().vector());
        assertEquals(0, o.vm().fault().cr2());
        assertTrue(o.vm().report().startsWith("guest fault: #PF (page fault) at rip=0x4"), o.vm().report());
        assertTrue(o.vm().report().contains("addr=0x0 "), o.vm().report());
        assertEquals(139, o.vm().status(), "like a process killed by SIGSEGV");
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void deniedSyscallGetsEpermAndIsLogged(Platform.Kind platform, String transport) throws Exception {
        SyscallPolicy noGetpid = SyscallPolicy.builder().allow(List.of("write", "exit_group")).build();
        GuestRun.Outcome o = GuestRun.run(platform, transport, noGetpid, "denied");
        assertEquals("denied: getpid=-1\n", o.stdout());
        assertEquals(0, o.vm().status(), o.vm().report());
        assertTrue(o.log().contains("policy denied getpid"), o.log());
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void pointersPastGuestMemoryGetEfaultAndTheMonitorSurvives(Platform.Kind platform, String transport) throws Exception {
        String ramEnd = "0x" + Long.toHexString(VmConfig.DEFAULT_MEMORY);
        GuestRun.Outcome o = GuestRun.run(platform, transport, SyscallPolicy.defaultPolicy(), "badptr", ramEnd);
        assertEquals("badptr: -14 -14 -14\n", o.stdout());
        assertEquals(0, o.vm().status(), o.vm().report());
        GuestRun.Outcome after = GuestRun.run(platform, transport, SyscallPolicy.defaultPolicy(), "helloworld");
        assertEquals("Hello, World!\n", after.stdout(), "the monitor runs the next VM normally");
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void argumentsAndEnvironmentReachTheGuest(Platform.Kind platform, String transport) throws Exception {
        GuestRun.Outcome o = GuestRun.run(platform, transport, SyscallPolicy.defaultPolicy(), List.of("TOROVJ_TEST=yes"), 0,
                "args", "one", "two words");
        assertEquals(0, o.vm().status(), o.vm().report());
        assertTrue(o.stdout().startsWith("argc=3\nargv[0]=args\nargv[1]=one\nargv[2]=two words\n"), o.stdout());
        assertTrue(o.stdout().contains("TOROVJ_TEST=yes"), o.stdout());
    }
}
