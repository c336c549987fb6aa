package io.torovj.serve;

/** How a pooled VM is made ready again after an invocation. */
public enum VmReuse {
    /**
     * Reset in place ({@code Vm.reset()}): guest RAM back from the image taken at the end of
     * the build, registers, fd table, heap and counters rewound; the KVM VM, vCPU, memory slot
     * and poller thread are kept. A run that ended other than by the guest's exit, or whose
     * deadline fired, is never reset: its VM is closed and rebuilt.
     */
    RESET,
    /** Close the used VM and build a fresh one ahead (leak-proof by construction, slower). */
    REBUILD
}
