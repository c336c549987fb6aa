package io.torovj.vmm;

import io.torovj.boot.GuestFault;
import io.torovj.lifecycle.Ending;

/**
 * How a VM run ended.
 *
 * @param ending        why it stopped
 * @param status        the guest's exit status for EXITED; otherwise the status the CLI exits with
 *                      (128 + the signal a native process would have died of, for faults)
 * @param report        one line for the user when the ending is not EXITED, else null
 * @param fault         the guest exception, for FAULT
 * @param vcpuExits     KVM_RUN returns (VM exits that reached the monitor)
 * @param syscalls      system calls the dispatcher executed
 * @param latencyCycles per-call latency samples in TSC cycles (empty unless requested)
 * @param latencyDropped samples the guest recorded beyond the buffer's capacity
 * @param nanos         wall time from creating guest memory to the guest's end (ELF parsing excluded)
 * @param residentBytes guest RAM the host had allocated at exit (resident or swapped out)
 * @param transportCounters what the transport counted ({@code SyscallTransport.counters()}); for a
 *                      program that used the {@code syscall} instruction also {@code syscallTraps}
 *                      (calls that took the slow path) and, when its sites were patched,
 *                      {@code syscallSitesPatched}
 * @param unimplemented the syscalls that answered -ENOSYS, with their counts ("rseq x1, clone3 x1"), or ""
 * @param buildNanos    the VM's build, step by step: step name ({@code VmBuilder}'s, in order) to its
 *                      wall time; the steps add up to the build. Empty for a run after a reset
 */
public record VmResult(Ending ending, int status, String report, GuestFault fault, long vcpuExits, long syscalls,
                       long[] latencyCycles, long latencyDropped, long nanos, long residentBytes,
                       java.util.Map<String, Long> transportCounters, String unimplemented,
                       java.util.Map<String, Long> buildNanos) {
    public boolean exited() { return ending == Ending.EXITED; }
}
