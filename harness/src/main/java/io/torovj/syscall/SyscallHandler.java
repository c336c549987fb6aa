package io.torovj.syscall;

/**
 * One system call's implementation: the six raw argument registers in, a Linux return value out
 * (>= 0, or -errno). May throw {@link io.torovj.memory.GuestMemoryException} for a bad guest
 * pointer; the dispatcher turns it into -EFAULT.
 */
@FunctionalInterface
public interface SyscallHandler {
    long handle(long a0, long a1, long a2, long a3, long a4, long a5);
}
