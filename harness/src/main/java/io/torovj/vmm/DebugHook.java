package io.torovj.vmm;

import io.torovj.lifecycle.Ending;
import io.torovj.boot.GuestFault;
import io.torovj.kvm.Vcpu;
import io.torovj.memory.GuestMemory;
import io.torovj.lifecycle.VmControl;

/**
 * A debugger attached to a VM (the GDB stub, {@code io.torovj.gdb}). The run loop calls it on
 * the vCPU thread; each call may block while the debugger holds the guest stopped. Null in
 * the run loop when no debugger is attached: then every guest exception ends the VM.
 */
public interface DebugHook {

    /** Creates the hook for one VM, once its vCPU holds the initial registers. */
    interface Factory {
        DebugHook attach(GuestMemory memory, Vcpu vcpu, VmControl control);
    }

    /** Before the guest's first instruction: the guest is halted at its entry point. */
    void onStart();

    /**
     * A guest exception, reported by the exception handler whose frame is at {@code frame}
     * (see {@link GuestFault}). Returns true if the guest is to resume (from the frame, which
     * the debugger may have changed), false to end the VM with the fault as without a debugger.
     */
    boolean onGuestException(GuestFault fault, long frame);

    /** The vCPU came back from a kick while the VM is not stopping (a debugger interrupt, perhaps). */
    void onKick();

    /** The VM has ended (after the run loop, on the vCPU thread). */
    void onEnd(Ending ending, int status, String report);
}
