package io.torovj.vmm;

import io.torovj.kvm.Vcpu;
import io.torovj.transport.VmControl;

/** The VM's stop switch: the first stop wins; a stop from another thread kicks the vCPU. */
final class VcpuControl implements VmControl {
    private volatile boolean stopped;
    private Ending ending;
    private int status;
    private String report;
    private volatile Vcpu vcpu;
    private volatile Thread vcpuThread;

    void bind(Vcpu vcpu, Thread thread) {
        this.vcpu = vcpu;
        this.vcpuThread = thread;
    }

    /** After the vCPU is closed nothing may kick it. */
    void unbind() {
        this.vcpu = null;
    }

    @Override
    public void stop(Ending why, int code, String message) {
        synchronized (this) {
            if (stopped) return;
            ending = why;
            status = code;
            report = message;
            stopped = true;
        }
        Vcpu v = vcpu;
        if (v != null && Thread.currentThread() != vcpuThread) v.kick();
    }

    @Override
    public boolean isStopped() { return stopped; }

    synchronized Ending ending() { return ending; }
    synchronized int status() { return status; }
    synchronized String report() { return report; }
}
