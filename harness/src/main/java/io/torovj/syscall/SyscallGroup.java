package io.torovj.syscall;

/**
 * System calls served by one object (files, sockets, memory, ...). The dispatcher asks each group
 * for a call's handler at that call's first use in the VM, by its Linux name, and keeps what it
 * gets: a VM links the handlers of the calls its program makes and no others (each handler is a
 * lambda, and linking one costs a one-shot run's start ~0.3 ms in the interpreter; HelloWorld
 * makes 2 of the 86 calls the monitor serves).
 */
public interface SyscallGroup {
    /** The handler of the system call {@code call}, or null if this group does not serve it. */
    SyscallHandler handler(String call);

    /** Adds this group's calls to {@code d}. */
    default void registerWith(SyscallDispatcher d) {
        d.add(this);
    }
}
