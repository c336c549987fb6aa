package io.torovj.kvm;

/**
 * A virtual CPU as the run loop sees it: enter, learn why it stopped as a typed
 * {@link VcpuExit}, read and write registers, be kicked from another thread. {@link VcpuFd} is
 * the KVM one; {@link ProcessVcpu} runs the guest in a separate host process and reports the
 * same exits.
 */
public interface Vcpu extends AutoCloseable {
    /** Called on the thread that will call {@link #run()}, before the first run. */
    void bindToCurrentThread();

    /**
     * Runs the guest until the next exit and returns it decoded; the same object every time
     * (allocation-free), valid until the next call. An answer given with
     * {@link VcpuExit#complete} reaches the guest when this is called again.
     */
    VcpuExit run();

    void getRegs(KvmRegs regs);
    void setRegs(KvmRegs regs);
    void getSregs(KvmSregs sregs);
    void setSregs(KvmSregs sregs);

    /** Writes model-specific registers ({@code indices[i]} := {@code values[i]}); throws if one is refused. */
    void setMsrs(int[] indices, long[] values);

    /**
     * CPU time the guest's execution has used so far, in nanoseconds: on KVM the vCPU thread's
     * (guest time is accounted to it), on the process platform the vCPU process's. For the
     * policy's CPU-time limit; safe from any thread.
     */
    long cpuNanos();

    /**
     * Completes what the last exit left pending inside the vCPU (KVM finishes an I/O or MMIO
     * instruction at the next KVM_RUN: it runs one with immediate_exit set, as the KVM API
     * documents for userspace that must see final state). Afterwards the registers may be
     * replaced without the old instruction's completion landing on them: a pooled VM's reset.
     * On the vCPU's thread, with the guest not running.
     */
    void settle();

    /**
     * Sets both register sets for the next {@link #run()}: a pooled VM's reset. Where KVM offers
     * KVM_CAP_SYNC_REGS they travel in kvm_run's sync area and KVM applies them as it enters the
     * guest (two ioctls fewer); reading them back before then gives what was set.
     */
    default void reload(KvmRegs regs, KvmSregs sregs) {
        setSregs(sregs);
        setRegs(regs);
    }

    /** Keeps the FPU/SSE/AVX state as it is now, for {@link #restoreExtendedState()}. */
    void saveExtendedState();

    /**
     * Puts back the FPU/SSE/AVX state {@link #saveExtendedState()} kept, so that nothing a
     * guest left in its vector registers survives a reset. On the vCPU's thread, guest stopped.
     */
    void restoreExtendedState();

    /** Makes {@link #run()} return soon with a {@link VcpuExit.Kind#KICKED} exit; safe from any thread. */
    void kick();

    @Override
    void close();
}
