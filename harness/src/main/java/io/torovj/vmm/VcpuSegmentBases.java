package io.torovj.vmm;

import io.torovj.kvm.KvmSregs;
import io.torovj.kvm.Vcpu;
import io.torovj.syscall.SegmentBases;

/**
 * {@link SegmentBases} of the VM's vCPU, through its special registers (rare: arch_prctl at
 * start-up). Made with the syscall handlers, bound to the vCPU once it exists (the build's
 * order), used only while the guest runs.
 */
final class VcpuSegmentBases implements SegmentBases {
    private Vcpu vcpu;
    private final KvmSregs sregs = new KvmSregs();

    void bind(Vcpu vcpu) {
        this.vcpu = vcpu;
    }

    @Override public long fs() { return base(KvmSregs.Segment.FS); }
    @Override public long gs() { return base(KvmSregs.Segment.GS); }
    @Override public void setFs(long base) { setBase(KvmSregs.Segment.FS, base); }
    @Override public void setGs(long base) { setBase(KvmSregs.Segment.GS, base); }

    private long base(KvmSregs.Segment segment) {
        vcpu.getSregs(sregs);
        return sregs.base(segment);
    }

    private void setBase(KvmSregs.Segment segment, long base) {
        vcpu.getSregs(sregs);
        sregs.setBase(segment, base);
        vcpu.setSregs(sregs);
    }
}
