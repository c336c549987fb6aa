package io.torovj.vmm;

import io.torovj.boot.InitialStack;
import io.torovj.kvm.KvmRegs;
import io.torovj.kvm.KvmSregs;
import io.torovj.kvm.Vcpu;
import io.torovj.lifecycle.Rewindable;
import io.torovj.memory.GuestMemory;
import io.torovj.memory.MemoryImage;
import io.torovj.sys.HostRandom;
import java.util.List;

/**
 * What a pooled VM keeps to return, after a run, to the state its build ended in: an image of
 * guest RAM, the vCPU's registers (general, special, FPU/SSE/AVX), and the
 * monitor-side parts with state of their own (fd table, heap, path resolver, syscall counters
 * ...). Taken once, at the end of the build; {@link #apply} puts it all back, in that order:
 * settle the vCPU, memory, fresh AT_RANDOM bytes, the monitor's parts, the registers. The KVM
 * VM, vCPU, memory slot, doorbells and poller thread are kept: that is what a reset saves over a
 * rebuild.
 */
final class VmReset {
    private final GuestMemory memory;
    private final Vcpu vcpu;
    private final MemoryImage image;
    private final List<Rewindable> parts;
    private final KvmRegs regs = new KvmRegs();
    private final KvmSregs sregs = new KvmSregs();
    private final long randomAt;
    private final byte[] random = new byte[16];
    private long resets;

    /** Captures the state now: call last in the build, with the vCPU at the program's entry. */
    VmReset(GuestMemory memory, Vcpu vcpu, List<Rewindable> parts, long initialRsp) {
        this.memory = memory;
        this.vcpu = vcpu;
        this.parts = List.copyOf(parts);
        vcpu.getRegs(regs);
        vcpu.getSregs(sregs);
        vcpu.saveExtendedState();
        this.randomAt = InitialStack.randomBytesAt(memory, initialRsp);
        this.image = MemoryImage.capture(memory);
    }

    /** Back to the captured state. The guest must be stopped and every poller parked. */
    void apply() {
        vcpu.settle();
        image.restore();
        HostRandom.fill(random);
        memory.write(randomAt, random);
        for (Rewindable part : parts) part.rewind();
        // the syscall MSRs are not set again: CPL3 code cannot write MSRs and the monitor sets them once
        vcpu.reload(regs, sregs);
        vcpu.restoreExtendedState();
        resets++;
    }

    long resets() { return resets; }
}
