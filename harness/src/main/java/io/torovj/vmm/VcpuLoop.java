package io.torovj.vmm;

import io.torovj.boot.DescriptorTables;
import io.torovj.boot.GuestFault;
import io.torovj.boot.GuestLayout;
import io.torovj.kvm.KvmAbi;
import io.torovj.kvm.KvmRegs;
import io.torovj.kvm.KvmRun;
import io.torovj.kvm.Vcpu;
import io.torovj.memory.GuestMemory;
import io.torovj.transport.DeviceBus;
import io.torovj.transport.MmioDevice;
import io.torovj.transport.PortIoDevice;
import io.torovj.transport.VmControl.Ending;

/**
 * The run loop: enter the guest, route the exit to the bus that owns the port or address,
 * repeat until something stops the VM. Nothing here knows about transports. Allocation-free
 * except when the VM ends. With a debugger attached ({@link DebugHook}), guest exceptions and
 * kicks go to it first, and the guest resumes if it says so.
 */
final class VcpuLoop {
    private final Vcpu vcpu;
    private final GuestMemory memory;
    private final DeviceBus<PortIoDevice> ports;
    private final DeviceBus<MmioDevice> mmio;
    private final VcpuControl control;
    private final DebugHook debugger;
    private final KvmRegs regs = new KvmRegs();
    private long exits;
    private GuestFault fault;

    VcpuLoop(Vcpu vcpu, GuestMemory memory, DeviceBus<PortIoDevice> ports, DeviceBus<MmioDevice> mmio,
             VcpuControl control) {
        this(vcpu, memory, ports, mmio, control, null);
    }

    VcpuLoop(Vcpu vcpu, GuestMemory memory, DeviceBus<PortIoDevice> ports, DeviceBus<MmioDevice> mmio,
             VcpuControl control, DebugHook debugger) {
        this.debugger = debugger;
        this.vcpu = vcpu;
        this.memory = memory;
        this.ports = ports;
        this.mmio = mmio;
        this.control = control;
    }

    void run() {
        KvmRun exit = vcpu.exit();
        if (debugger != null) debugger.onStart();
        while (!control.isStopped()) {
            int reason = vcpu.run();
            exits++;
            switch (reason) {
                case KvmAbi.KVM_EXIT_IO -> onPortIo(exit);
                case KvmAbi.KVM_EXIT_MMIO -> onMmio(exit);
                case Vcpu.EXIT_KICKED -> {
                    if (debugger != null && !control.isStopped()) debugger.onKick();
                }
                case KvmAbi.KVM_EXIT_SHUTDOWN -> stop(Ending.TRIPLE_FAULT, 134, "guest triple fault (KVM_EXIT_SHUTDOWN)");
                case KvmAbi.KVM_EXIT_HLT -> stop(Ending.UNEXPECTED_EXIT, 134, "guest halted (KVM_EXIT_HLT)");
                case KvmAbi.KVM_EXIT_FAIL_ENTRY -> stop(Ending.UNEXPECTED_EXIT, 134,
                        String.format("KVM could not enter the guest (KVM_EXIT_FAIL_ENTRY, hardware reason 0x%x)", exit.failEntryReason()));
                case KvmAbi.KVM_EXIT_INTERNAL_ERROR -> stop(Ending.UNEXPECTED_EXIT, 134,
                        "KVM internal error (suberror " + exit.internalSuberror() + ")");
                default -> stop(Ending.UNEXPECTED_EXIT, 134, "unexpected VM exit: " + KvmAbi.exitReasonName(reason));
            }
        }
    }

    private void onPortIo(KvmRun exit) {
        int port = exit.ioPort();
        if (port == GuestLayout.FAULT_PORT) {
            reportFault();
            return;
        }
        PortIoDevice device = ports.find(port);
        if (device == null) {
            stop(Ending.UNEXPECTED_EXIT, 134, String.format("guest accessed I/O port 0x%x, which no device claims", port));
        } else if (exit.ioDirection() == KvmAbi.KVM_EXIT_IO_OUT) {
            device.out(port, exit.ioSize(), exit.ioData());
        } else {
            exit.setIoData(device.in(port, exit.ioSize()));
        }
    }

    private void onMmio(KvmRun exit) {
        long address = exit.mmioAddress();
        MmioDevice device = mmio.find(address);
        int len = exit.mmioLength();
        if (device == null || len < 1 || len > 8) {
            stop(Ending.UNEXPECTED_EXIT, 134, String.format("guest accessed unbacked guest-physical address 0x%x (%d bytes)", address, len));
        } else if (exit.mmioIsWrite()) {
            long value = len == 8 ? exit.mmioData() : exit.mmioData() & ((1L << (8 * len)) - 1);
            device.write(address, len, value);
        } else {
            exit.setMmioData(device.read(address, len));
        }
    }

    private void reportFault() {
        vcpu.getRegs(regs);
        GuestFault reported = GuestFault.readFrame(memory, regs.rsp());
        if (reported != null && debugger != null && DescriptorTables.isHandlerReport(regs.rip())
                && debugger.onGuestException(reported, regs.rsp())) {
            return;                     // the debugger resumes the guest
        }
        fault = reported;
        if (fault == null) {
            stop(Ending.FAULT, 139, String.format("guest fault with an unreadable exception frame (rsp=0x%x)", regs.rsp()));
        } else {
            stop(Ending.FAULT, 128 + signalFor(fault.vector()), fault.describe(memory));
        }
    }

    private void stop(Ending ending, int status, String report) {
        if (ending != Ending.FAULT && ending != Ending.EXITED) {
            vcpu.getRegs(regs);
            report = report + String.format(" at rip=0x%x", regs.rip());
        }
        control.stop(ending, status, report);
    }

    /** The signal a native process would have died of, for the exit status. */
    static int signalFor(int vector) {
        return GuestFault.signalFor(vector);
    }

    long exits() { return exits; }
    GuestFault fault() { return fault; }
}
