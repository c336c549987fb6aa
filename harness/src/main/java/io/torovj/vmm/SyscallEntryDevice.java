package io.torovj.vmm;

import io.torovj.linux.CanonicalAddress;
import io.torovj.boot.DescriptorTables;
import io.torovj.boot.GuestFault;
import io.torovj.boot.GuestLayout;
import io.torovj.kvm.KvmRegs;
import io.torovj.kvm.Vcpu;
import io.torovj.lifecycle.VmControl;
import io.torovj.syscall.SyscallExecutor;
import io.torovj.transport.PortIoDevice;

/**
 * The {@code syscall} instruction, for programs that make system calls the Linux way
 * (unmodified static binaries): the instruction enters the stub at
 * {@link DescriptorTables#SYSCALL_ENTRY}, whose {@code out} to {@link GuestLayout#SYSCALL_PORT}
 * arrives here. The call is taken from the registers as the instruction left them (rax = number,
 * rdi, rsi, rdx, r10, r8, r9), executed under the VM's policy, and its result put in rax. Then
 * the guest returns to rcx with r11's flags: by the stub's {@code sysretq} where the
 * instruction entered CPL0 (VMX, SVM), by this device setting rip and rflags where it stayed at
 * CPL3 (PVM, the process platform). Allocation-free: one KVM_GET_REGS and one KVM_SET_REGS.
 *
 * <p>A non-canonical return address would make sysretq raise #GP at CPL0 on the guest's own
 * stack (the classic sysret hazard) and cannot be a rip either: the VM ends with that fault here.
 */
final class SyscallEntryDevice implements PortIoDevice, io.torovj.lifecycle.Rewindable {
    /** The rflags bits a return from a system call restores from r11: CF PF AF ZF SF TF DF OF AC. */
    private static final long USER_FLAGS = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x40000;
    private static final long RFLAGS_RESERVED = 0x2;
    /** #GP: what sysretq would raise for a non-canonical rcx. */
    private static final int GP_VECTOR = 13;

    private final Vcpu vcpu;
    private final SyscallExecutor executor;
    private final VmControl control;
    private final boolean returnHere;
    private final KvmRegs regs = new KvmRegs();
    private final SyscallSitePatcher patcher;
    private long traps;

    /** @param patcher rewrites the trapping call sites of an unmodified program; null: every call traps */
    SyscallEntryDevice(Vcpu vcpu, SyscallExecutor executor, VmControl control, boolean syscallStaysInUserMode,
                       SyscallSitePatcher patcher) {
        this.vcpu = vcpu;
        this.executor = executor;
        this.control = control;
        this.returnHere = syscallStaysInUserMode;
        this.patcher = patcher;
    }

    /** Calls that trapped (the slow path), and the call sites rewritten so far. */
    /** A pooled VM's reset: the counts are per run; the patcher starts again on unpatched code. */
    @Override
    public void rewind() {
        traps = 0;
        if (patcher != null) patcher.rewind();
    }

    java.util.Map<String, Long> counters() {
        if (traps == 0 && patcher == null) return java.util.Map.of();
        return patcher == null ? java.util.Map.of("syscallTraps", traps)
                : java.util.Map.of("syscallTraps", traps, "syscallSitesPatched", (long) patcher.sitesPatched());
    }

    @Override
    public void out(int port, int size, long value) {
        vcpu.getRegs(regs);
        long returnTo = regs.rcx();
        if (!CanonicalAddress.is(returnTo)) {
            control.fault(GuestFault.signalFor(GP_VECTOR), String.format("guest fault: #GP (general protection): a system call would return to "
                    + "the non-canonical address 0x%x (rsp=0x%x)", returnTo, regs.rsp()));
            return;
        }
        traps++;
        long nr = regs.rax();
        long ret = executor.execute(nr, regs.rdi(), regs.rsi(), regs.rdx(), regs.r10(), regs.r8(), regs.r9());
        if (control.isStopped()) return;          // exit_group, a policy kill: the guest does not resume
        // later calls from this site go through the shim and the transport, if it has the shape;
        // a rewrite may cover the return address itself, and then says where to resume instead
        long resume = patcher == null ? returnTo : patcher.patch(returnTo, nr);
        regs.setRax(ret);
        if (returnHere) {
            regs.setRip(resume);
            regs.setRflags((regs.r11() & USER_FLAGS) | RFLAGS_RESERVED);
        } else {
            regs.setRcx(resume);        // where the stub's sysretq goes
        }
        vcpu.setRegs(regs);
    }
}
