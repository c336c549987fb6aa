package io.torovj.vmm;

/**
 * How an unmodified program's {@code syscall} instruction reaches the monitor. Programs linked
 * against the project's runtime never execute the instruction: this only matters for the others.
 */
public enum SyscallEntry {
    /**
     * Every {@code syscall} traps: the LSTAR stub's port exit, served by the monitor from the
     * registers ({@link SyscallEntryDevice}). One VM exit per call, whatever the transport.
     */
    TRAP,
    /**
     * The first call from each {@code mov $nr,%eax; syscall} site traps as in {@link #TRAP}, and
     * the monitor rewrites the site into a jump to the syscall shim, which makes later calls
     * through the VM's transport ({@link SyscallSitePatcher}). Sites of any other shape keep
     * trapping. Needs the shim on the class path and a program linked above it; otherwise the
     * same as {@link #TRAP}.
     */
    PATCH
}
