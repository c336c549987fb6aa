package io.torovj.vmm;

import io.torovj.boot.DescriptorTables;
import io.torovj.boot.GuestFault;
import io.torovj.boot.GuestLayout;
import io.torovj.kvm.KvmRegs;
import io.torovj.kvm.Vcpu;
import io.torovj.lifecycle.Ending;
import io.torovj.lifecycle.VmControl;
import io.torovj.memory.GuestMemory;
import io.torovj.transport.PortIoDevice;

/**
 * The exception handlers' report port ({@link GuestLayout#FAULT_PORT}): the CPL0 handler
 * writes it with the exception frame on its stack ({@link GuestFault}). Only CPL0 code reaches
 * it, since the I/O bitmap never grants it to user code ({@link #grantedToUserCode()}), so a
 * report cannot be forged. With a debugger the guest may resume from the frame; without one the
 * fault ends the VM with status 128 + the signal a native process would have died of.
 * Allocation-free until the VM ends.
 */
final class FaultReportDevice implements PortIoDevice, io.torovj.lifecycle.Rewindable {
    private final Vcpu vcpu;
    private final GuestMemory memory;
    private final VmControl control;
    private final DebugHook debugger;
    private final KvmRegs regs = new KvmRegs();
    private GuestFault fault;

    /** A pooled VM's reset: no fault reported (a VM that faulted is discarded, never reset; this is for symmetry). */
    @Override
    public void rewind() {
        fault = null;
    }

    FaultReportDevice(Vcpu vcpu, GuestMemory memory, VmControl control, DebugHook debugger) {
        this.vcpu = vcpu;
        this.memory = memory;
        this.control = control;
        this.debugger = debugger;
    }

    @Override
    public boolean grantedToUserCode() { return false; }

    @Override
    public void out(int port, int size, long value) {
        vcpu.getRegs(regs);
        GuestFault reported = GuestFault.readFrame(memory, regs.rsp());
        if (reported != null && debugger != null && DescriptorTables.isHandlerReport(regs.rip())
                && debugger.onGuestException(reported, regs.rsp())) {
            return;                     // the debugger resumes the guest
        }
        fault = reported;
        if (reported == null) {
            control.fault(GuestFault.signalFor(13),
                    String.format("guest fault with an unreadable exception frame (rsp=0x%x)", regs.rsp()));
        } else {
            control.fault(GuestFault.signalFor(reported.vector()), reported.describe(memory));
        }
    }

    @Override
    public long in(int port, int size) {
        control.stop(Ending.UNEXPECTED_EXIT, String.format("%d-byte IN from the fault-report port 0x%x", size, port));
        return 0;
    }

    /** The exception that ended the VM, or null. */
    GuestFault fault() { return fault; }
}
