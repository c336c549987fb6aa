package io.torovj.vmm;

import io.torovj.kvm.Kvm;
import io.torovj.kvm.KvmFlavour;
import io.torovj.kvm.ProcessVcpu;
import io.torovj.kvm.Vcpu;
import io.torovj.kvm.VmFd;
import io.torovj.memory.GuestMemory;

/**
 * Where the guest's instructions execute: in a KVM virtual machine (the real thing, and the
 * default), or in a separate host process that reports the same exits ({@link ProcessVcpu}),
 * for hosts without /dev/kvm. Everything above the vCPU is shared.
 */
public abstract class Platform implements AutoCloseable {

    /** The platform names accepted on the command line. */
    public enum Kind { KVM, PROCESS }

    /** Creates the platform's VM with {@code memory} as guest RAM at guest-physical 0. */
    public static Platform create(Kind kind, GuestMemory memory) {
        return kind == Kind.KVM ? new KvmPlatform(memory) : new ProcessPlatform(memory);
    }

    public abstract Vcpu createVcpu();

    /** The KVM VM fd (for ioeventfds), or null where there is none. */
    public abstract VmFd vmFd();

    @Override
    public abstract void close();

    private static final class KvmPlatform extends Platform {
        /** Intel VMX needs three pages for real-mode emulation, outside RAM and the device window. */
        private static final long VMX_TSS_ADDRESS = 0xFFFB_D000L;
        /** Detected once: it reads /proc/cpuinfo, which would add to every VM's start-up. */
        private static final boolean VMX = KvmFlavour.detect().kind() == KvmFlavour.Kind.VMX;
        private final Kvm kvm;
        private final VmFd vm;

        KvmPlatform(GuestMemory memory) {
            kvm = Kvm.open();
            try {
                vm = kvm.createVm();
                if (VMX) vm.setTssAddress(VMX_TSS_ADDRESS);
                vm.setUserMemoryRegion(0, 0, memory);
            } catch (RuntimeException e) {
                kvm.close();
                throw e;
            }
        }

        @Override public Vcpu createVcpu() { return vm.createVcpu(0); }
        @Override public VmFd vmFd() { return vm; }
        @Override public void close() {
            vm.close();
            kvm.close();
        }
    }

    private static final class ProcessPlatform extends Platform {
        private final GuestMemory memory;

        ProcessPlatform(GuestMemory memory) {
            this.memory = memory;
        }

        @Override public Vcpu createVcpu() { return ProcessVcpu.start(memory, ProcessVcpu.launcher()); }
        @Override public VmFd vmFd() { return null; }
        @Override public void close() { }
    }
}
