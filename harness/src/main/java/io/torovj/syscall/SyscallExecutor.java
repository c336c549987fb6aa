package io.torovj.syscall;

/**
 * What a transport sees of the monitor's syscall layer: one Linux x86-64 system call in, its
 * return value out ({@code >= 0}, or {@code -errno}). Policy, handlers and errno conventions
 * are behind it ({@link SyscallDispatcher}). Never throws for anything a guest passes;
 * allocation-free on the success path.
 */
@FunctionalInterface
public interface SyscallExecutor {
    long execute(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
}
