package io.torovj.kvm;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The capability check of {@link Kvm#open()}, driven with a fake KVM_CHECK_EXTENSION (no KVM needed). */
class KvmCapabilitiesTest {

    @Test
    void everyRequiredCapabilityPresentPasses() {
        List<Integer> asked = new ArrayList<>();
        assertDoesNotThrow(() -> Kvm.requireCapabilities(cap -> { asked.add(cap); return 1; }));
        assertEquals(List.of(KvmAbi.KVM_CAP_USER_MEMORY, KvmAbi.KVM_CAP_IMMEDIATE_EXIT, KvmAbi.KVM_CAP_IOEVENTFD), asked);
    }

    @Test
    void missingImmediateExitNamesTheCapabilityAndWhatNeedsIt() {
        KvmException e = assertThrows(KvmException.class,
                () -> Kvm.requireCapabilities(cap -> cap == KvmAbi.KVM_CAP_IMMEDIATE_EXIT ? 0 : 1));
        assertEquals("KVM lacks KVM_CAP_IMMEDIATE_EXIT (needed to stop a running vCPU: kvm_run.immediate_exit); "
                + "kernel too old?", e.getMessage());
    }

    @Test
    void missingIoeventfdNamesTheRingDoorbell() {
        KvmException e = assertThrows(KvmException.class,
                () -> Kvm.requireCapabilities(cap -> cap == KvmAbi.KVM_CAP_IOEVENTFD ? 0 : 1));
        assertEquals("KVM lacks KVM_CAP_IOEVENTFD (needed for the adaptive ring transport's doorbell: KVM_IOEVENTFD); "
                + "kernel too old?", e.getMessage());
    }

    @Test
    void anErrorFromCheckExtensionCountsAsMissingAndIsShown() {
        KvmException e = assertThrows(KvmException.class, () -> Kvm.requireCapabilities(cap -> -1));
        assertEquals("KVM lacks KVM_CAP_USER_MEMORY (needed to back guest RAM with host memory: "
                + "KVM_SET_USER_MEMORY_REGION; KVM_CHECK_EXTENSION returned -1); kernel too old?", e.getMessage());
    }

    @Test
    void everyMessageIsOneLine() {
        for (Kvm.Capability missing : Kvm.REQUIRED) {
            KvmException e = assertThrows(KvmException.class,
                    () -> Kvm.requireCapabilities(cap -> cap == missing.number() ? 0 : 1));
            assertEquals(-1, e.getMessage().indexOf('\n'), e.getMessage());
            assertEquals(0, e.getMessage().indexOf("KVM lacks " + missing.name() + " (needed "), e.getMessage());
        }
    }
}
