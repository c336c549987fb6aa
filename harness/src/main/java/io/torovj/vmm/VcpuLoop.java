package io.torovj.vmm;

import io.torovj.kvm.KvmAbi;
import io.torovj.kvm.KvmRegs;
import io.torovj.kvm.Vcpu;
import io.torovj.kvm.VcpuExit;
import io.torovj.lifecycle.Ending;
import io.torovj.lifecycle.VmControl;
import io.torovj.transport.DeviceBus;
import io.torovj.transport.MmioDevice;
import io.torovj.transport.PortIoDevice;

/**
 * The run loop: enter the guest, route the typed exit to the bus that owns the port or address,
 * repeat until something stops the VM. Nothing here knows about transports, faults or the
 * guest's layout: the exception handlers' reports arrive on the port bus like any device's
 * ({@link FaultReportDevice}). Allocation-free except when the VM ends. With a debugger
 * attached ({@link DebugHook}), kicks go to it first.
 */
final class VcpuLoop {
    private final Vcpu vcpu;
    private final DeviceBus<PortIoDevice> ports;
    private final DeviceBus<MmioDevice> mmio;
    private final VmControl control;
    private final DebugHook debugger;
    private final KvmRegs regs = new KvmRegs();
    private long exits;

    VcpuLoop(Vcpu vcpu, DeviceBus<PortIoDevice> ports, DeviceBus<MmioDevice> mmio, VmControl control,
             DebugHook debugger) {
        this.vcpu = vcpu;
        this.ports = ports;
        this.mmio = mmio;
        this.control = control;
        this.debugger = debugger;
    }

    void run() {
        if (debugger != null) debugger.onStart();
        while (!control.isStopped()) {
            VcpuExit exit = vcpu.run();
            exits++;
            route(exit);
        }
    }

    /** Serves one exit. */
    void route(VcpuExit exit) {
        switch (exit.kind()) {
            case IO_IN, IO_OUT -> onPortIo(exit);
            case MMIO_READ, MMIO_WRITE -> onMmio(exit);
            case KICKED -> {
                if (debugger != null && !control.isStopped()) debugger.onKick();
            }
            case SHUTDOWN -> stop(Ending.TRIPLE_FAULT, "guest triple fault (KVM_EXIT_SHUTDOWN)");
            case HLT -> stop(Ending.UNEXPECTED_EXIT, "guest halted (KVM_EXIT_HLT)");
            case FAIL_ENTRY -> stop(Ending.UNEXPECTED_EXIT, String.format(
                    "KVM could not enter the guest (KVM_EXIT_FAIL_ENTRY, hardware reason 0x%x)", exit.detail()));
            case INTERNAL_ERROR -> stop(Ending.UNEXPECTED_EXIT, "KVM internal error (suberror " + exit.detail() + ")");
            case UNSUPPORTED -> stop(Ending.UNEXPECTED_EXIT, "unexpected VM exit: " + KvmAbi.exitReasonName(exit.reason())
                    + (exit.detail() != 0 ? String.format(" (detail 0x%x)", exit.detail()) : ""));
        }
    }

    private void onPortIo(VcpuExit exit) {
        int port = exit.port();
        PortIoDevice device = ports.find(port);
        boolean in = exit.kind() == VcpuExit.Kind.IO_IN;
        if (device == null) {
            stop(Ending.UNEXPECTED_EXIT, String.format("guest accessed I/O port 0x%x, which no device claims", port));
        } else if (exit.count() != 1) {
            // rep ins/outs: devices here are doorbells, one item per exit; never serve part of a string
            stop(Ending.UNEXPECTED_EXIT, String.format("guest used string I/O (rep %s, %d items of %d bytes) on port 0x%x, which is not supported",
                    in ? "ins" : "outs", exit.count(), exit.size(), port));
        } else if (in) {
            exit.complete(device.in(port, exit.size()));
        } else {
            device.out(port, exit.size(), exit.data());
        }
    }

    private void onMmio(VcpuExit exit) {
        long address = exit.address();
        MmioDevice device = mmio.find(address);
        int len = exit.length();
        if (device == null || len < 1 || len > 8) {
            stop(Ending.UNEXPECTED_EXIT, String.format("guest accessed unbacked guest-physical address 0x%x (%d bytes)", address, len));
        } else if (exit.kind() == VcpuExit.Kind.MMIO_WRITE) {
            device.write(address, len, exit.data());
        } else {
            exit.complete(device.read(address, len));
        }
    }

    /** Ends the VM with the guest's rip in the report. */
    private void stop(Ending ending, String report) {
        vcpu.getRegs(regs);
        control.stop(ending, report + String.format(" at rip=0x%x", regs.rip()));
    }

    long exits() { return exits; }

    /** A pooled VM's reset: exits are counted per run. */
    void rewind() {
        exits = 0;
    }
}
