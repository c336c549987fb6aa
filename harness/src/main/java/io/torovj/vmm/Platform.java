package io.torovj.vmm;

import io.torovj.kvm.Kvm;
import io.torovj.kvm.KvmException;
import io.torovj.kvm.KvmFlavour;
import io.torovj.kvm.ProcessVcpu;
import io.torovj.kvm.Vcpu;
import io.torovj.kvm.VcpuFd;
import io.torovj.kvm.VmFd;
import io.torovj.memory.GuestMemory;
import io.torovj.sys.EventFd;
import java.nio.file.Path;

/**
 * Where the guest's instructions execute: in a KVM virtual machine (the real thing, and the
 * default), or in a separate host process that reports the same exits ({@link ProcessVcpu}),
 * for hosts without /dev/kvm. Everything above the vCPU is shared; what differs is here.
 */
public abstract class Platform implements AutoCloseable {

    /** The platform names accepted on the command line. */
    public enum Kind { KVM, PROCESS }

    /**
     * Creates the platform's VM with {@code memory} as guest RAM at guest-physical 0;
     * {@code launcher} is the process platform's binary (unused on KVM).
     */
    static Platform create(Kind kind, GuestMemory memory, Path launcher) {
        return kind == Kind.KVM ? new KvmPlatform(memory) : new ProcessPlatform(memory, launcher);
    }

    abstract Vcpu createVcpu();

    /**
     * Makes a 1-byte OUT to {@code port} signal {@code event} without leaving the kernel, where the
     * platform can (KVM_IOEVENTFD); returns the registration to close, or null where every OUT
     * reaches the monitor as an exit instead.
     */
    abstract AutoCloseable signalOnOut(int port, EventFd event);

    /**
     * True where the guest's {@code syscall} instruction reaches its LSTAR entry without leaving
     * CPL3 (PVM, measured; the process platform emulates the same), so the monitor itself returns
     * to rcx; false where it enters CPL0 as the architecture says (VMX, SVM) and the stub's
     * sysretq returns.
     */
    abstract boolean syscallStaysInUserMode();

    @Override
    public abstract void close();

    private static final class KvmPlatform extends Platform {
        /** Intel VMX needs three pages for real-mode emulation, outside RAM and the device window. */
        private static final long VMX_TSS_ADDRESS = 0xFFFB_D000L;
        /** Detected once: it reads /proc/cpuinfo, which would add to every VM's start-up. */
        private static final KvmFlavour.Kind FLAVOUR = KvmFlavour.detect().kind();
        private static final boolean VMX = FLAVOUR == KvmFlavour.Kind.VMX;
        /**
         * The monitor's one /dev/kvm fd, opened by its first VM and kept for the life of the
         * process (as a C VMM keeps it): every later VM skips the open and the version and
         * capability checks. It creates VMs only; the guest never reaches it (the FdTable).
         */
        private static Kvm system;
        /**
         * An idle VM with one vCPU (never run, no memory), made with the system fd and kept as
         * long as it is. KVM turns some of its static keys on when the first VM without an
         * in-kernel irqchip gets a vCPU (kvm_has_noapic_vcpu, in kvm_create_lapic) and off when
         * the last such vCPU goes. Each flip rewrites kernel text and waits on an IPI to every
         * CPU, which on this nested host doubled a whole VM lifecycle in C (1.0-1.4 ms against
         * 0.5-0.7 ms with a VM like this one open). With it, the count never falls to zero
         * between the monitor's VMs.
         */
        private static VcpuFd standbyVcpu;
        /**
         * The standby's VM fd, kept open though the vCPU's fd alone would keep the VM alive: KVM
         * names each VM's debugfs directory after the creating thread and the VM's fd ("tid-fd")
         * and skips it, logging "KVM: debugfs: duplicate directory", when the name exists. With
         * this fd closed, the standby's directory stayed under a number that the next VM made by
         * the same thread took, so that thread's VMs skipped their ~100 stat files at creation
         * and at close (measured here: KVM_CREATE_VM 11-16 µs and close 30 µs, against 110-150 µs
         * each on any other thread). Cold-VM figures then depended on which thread had built the
         * process's first VM, and the kernel log filled up.
         */
        private static VmFd standbyVm;
        private final VmFd vm;

        private static synchronized Kvm system() {
            if (system == null) {
                system = Kvm.open();     // not kept if it throws: the next VM tries again
                try {
                    VmFd standby = system.createVm();
                    try {
                        standbyVcpu = standby.createVcpu(0);
                        standbyVm = standby;                    // kept open: see standbyVm
                    } finally {
                        if (standbyVm == null) standby.close();
                    }
                } catch (KvmException e) {
                    // only a speed-up: without it every VM flips the keys, as before; the VM's own
                    // creation, next, reports whatever KVM refuses
                    standbyVcpu = null;
                }
            }
            return system;
        }

        KvmPlatform(GuestMemory memory) {
            Kvm kvm = system();
            VmFd created = null;
            try {
                created = kvm.createVm();
                if (VMX) created.setTssAddress(VMX_TSS_ADDRESS);
                created.setUserMemoryRegion(0, 0, memory.size(), memory.hostBase());
            } catch (RuntimeException e) {
                if (created != null) created.close();
                throw e;
            }
            vm = created;
        }

        @Override Vcpu createVcpu() { return vm.createVcpu(0); }
        @Override AutoCloseable signalOnOut(int port, EventFd event) { return vm.ioeventfd(port, 1, event); }
        @Override boolean syscallStaysInUserMode() { return FLAVOUR == KvmFlavour.Kind.PVM; }
        @Override public void close() {
            vm.close();
        }
    }

    private static final class ProcessPlatform extends Platform {
        private final GuestMemory memory;
        private final Path launcher;

        ProcessPlatform(GuestMemory memory, Path launcher) {
            if (launcher == null) {
                throw new IllegalArgumentException("the process platform needs its launcher binary (torovj-vcpu-process): "
                        + "none is configured (VmConfig.Builder.processLauncher)");
            }
            this.memory = memory;
            this.launcher = launcher;
        }

        @Override Vcpu createVcpu() { return ProcessVcpu.start(memory.sharePath(), memory.size(), launcher); }
        @Override AutoCloseable signalOnOut(int port, EventFd event) { return null; }
        @Override boolean syscallStaysInUserMode() { return true; }
        @Override public void close() { }
    }
}
