package io.torovj.serve;

import io.torovj.loader.ElfLoadException;
import io.torovj.sys.MemoryStdio;
import io.torovj.vmm.Vm;
import io.torovj.vmm.VmBuilder;
import io.torovj.vmm.VmConfig;
import io.torovj.vmm.VmResult;

/**
 * One pooled VM: built, loaded and booted to its program's entry point with memfds as its
 * stdio, waiting for an invocation. After one it is either reset in place ({@link #reset}: the
 * VM back to its built state, stdin replaced, stdout and stderr emptied) or closed and replaced
 * ({@link VmReuse}); either way no state of one invocation can reach the next. Lives on the
 * thread that built it.
 */
final class PreparedVm implements AutoCloseable {
    private final Vm vm;
    private final MemoryStdio stdio;

    private PreparedVm(Vm vm, MemoryStdio stdio) {
        this.vm = vm;
        this.stdio = stdio;
    }

    /** Builds {@code def}'s VM on the calling thread, which is then the only one that may run it. */
    static PreparedVm build(FunctionDefinition def, PoolSettings settings) throws ElfLoadException {
        MemoryStdio stdio = MemoryStdio.create(def.name(), def.limits().maxOutput(), def.limits().maxStderr());
        try {
            VmConfig.Builder b = VmConfig.builder(def.program()).args(def.args()).env(def.env()).policy(def.policy())
                    .transport(def.transport()).memorySize(def.memory()).stdio(stdio.stdinFd(), stdio.stdoutFd(), stdio.stderrFd())
                    .log(settings.log()).platform(settings.platform()).reusable(settings.reuse() == VmReuse.RESET);
            def.transportOptions().forEach(b::transportOption);
            if (settings.processLauncher() != null) b.processLauncher(settings.processLauncher());
            return new PreparedVm(VmBuilder.build(b.build(), settings.transports(), null), stdio);
        } catch (ElfLoadException | RuntimeException e) {
            stdio.close();
            throw e;
        }
    }

    /** Stops the guest from any thread (a deadline, a drain); see {@link Vm#stop}. */
    void stop(io.torovj.lifecycle.Ending ending, String why) {
        vm.stop(ending, why);
    }

    /** Runs the invocation: {@code body} as stdin, to the guest's end; its output and counters. */
    InvocationResult invoke(byte[] body, long queueNanos) {
        long start = System.nanoTime();
        stdio.fillStdin(body);
        VmResult r = vm.run();
        byte[] out = stdio.stdoutBytes(), err = stdio.stderrBytes();
        long runNanos = System.nanoTime() - start;
        return new InvocationResult(r.ending(), r.status(), r.report(), out, err, queueNanos, runNanos,
                r.vcpuExits(), r.syscalls(), r.transportCounters());
    }

    /** Makes the VM ready for the next invocation, as it was built ({@code Vm.reset()}). */
    void reset() {
        vm.reset();
        stdio.renew();
    }

    @Override
    public void close() {
        try {
            vm.close();
        } finally {
            stdio.close();
        }
    }
}
