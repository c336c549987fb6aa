package io.torovj.vmm;

import io.torovj.lifecycle.Ending;
import io.torovj.kvm.Vcpu;
import io.torovj.lifecycle.VmControl;

/**
 * The VM's stop switch: the first stop wins; a stop from another thread kicks the vCPU; every
 * stop, from whatever thread, runs the wake-up of host calls ({@link #onForeignStop}).
 */
final class VcpuControl implements VmControl {
    private volatile boolean stopped;
    /** Which run of the VM this is: 0, then one more per reset. */
    private int run;
    private Ending ending;
    private int status;
    private String report;
    private volatile Vcpu vcpu;
    private volatile Thread vcpuThread;
    private volatile Runnable onForeignStop;

    /**
     * A pooled VM's reset: not stopped, nothing reported, bound again to its vCPU and wake-up.
     * Only once the run is over and nothing may stop it any more (the pool's deadline for the
     * last invocation is cancelled first): a stop racing this would be lost or land on the next run.
     */
    synchronized void rearm(Vcpu vcpu, Thread thread, Runnable wake) {
        run++;
        ending = null;
        status = 0;
        report = null;
        stopped = false;
        bind(vcpu, thread);
        onForeignStop = wake;
    }

    void bind(Vcpu vcpu, Thread thread) {
        this.vcpu = vcpu;
        this.vcpuThread = thread;
    }

    /** After the vCPU is closed nothing may kick it, nor interrupt the VM's host calls. */
    void unbind() {
        this.vcpu = null;
        this.onForeignStop = null;
    }

    /**
     * What else a stop must do: wake host calls the guest is blocked in. Run on every stop, also
     * one made on the vCPU thread (a fault, a bad exit): a ring poller may be blocked in a host
     * call then, and the transport's close waits for it.
     */
    void onForeignStop(Runnable action) {
        this.onForeignStop = action;
    }

    @Override
    public void stop(Ending why, String message) {
        end(why, why.status(), message);
    }

    /** The current run's number, for a stop that must not outlive its run ({@link #stopRun}). */
    synchronized int run() { return run; }

    /**
     * {@link #stop} if run {@code run} is still the current one: a limit's timer that fires as its
     * run ends must not stop the next run of a pooled VM.
     */
    void stopRun(int run, Ending why, String message) {
        synchronized (this) {
            if (run != this.run) return;
            // end() takes the lock again (reentrant): the check and the stop are one step for rearm
            end(why, why.status(), message);
        }
    }

    @Override
    public void exit(int guestStatus) {
        end(Ending.EXITED, guestStatus & 0xFF, null);
    }

    @Override
    public void fault(int signal, String message) {
        end(Ending.FAULT, 128 + signal, message);
    }

    private void end(Ending why, int code, String message) {
        synchronized (this) {
            if (stopped) return;
            ending = why;
            status = code;
            report = message;
            stopped = true;
        }
        if (Thread.currentThread() != vcpuThread) {
            Vcpu v = vcpu;
            if (v != null) v.kick();
        }
        Runnable wake = onForeignStop;
        if (wake != null) wake.run();
    }

    @Override
    public boolean isStopped() { return stopped; }

    synchronized Ending ending() { return ending; }
    synchronized int status() { return status; }
    synchronized String report() { return report; }
}
