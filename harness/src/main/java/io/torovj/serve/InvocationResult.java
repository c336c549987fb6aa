package io.torovj.serve;

import io.torovj.lifecycle.Ending;
import java.util.Map;

/**
 * What one invocation produced.
 *
 * @param ending      how the guest ended
 * @param status      the guest's exit status if it exited, else the status a shell would show (124, 139 ...)
 * @param report      one line when the guest did not exit by itself, else null
 * @param stdout      what the guest wrote to its stdout, at most the function's maxOutput
 * @param stderr      what it wrote to its stderr, at most maxStderr
 * @param queueNanos  time from admission until a VM took the invocation
 * @param runNanos    time the VM ran the invocation (stdin filled to output collected)
 * @param vcpuExits   VM exits that reached the monitor
 * @param syscalls    system calls the monitor executed
 * @param transportCounters what the transport counted
 */
public record InvocationResult(Ending ending, int status, String report, byte[] stdout, byte[] stderr,
                               long queueNanos, long runNanos, long vcpuExits, long syscalls,
                               Map<String, Long> transportCounters) {
    public boolean exited() { return ending == Ending.EXITED; }
}
