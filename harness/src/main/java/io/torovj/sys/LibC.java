package io.torovj.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;

/**
 * Raw bindings to the host C library through jnr-ffi. Pointers are passed as {@code long}
 * host addresses so that no call allocates; every address handed to these functions comes
 * from {@link NativeBuffer} or from {@code GuestMemory}'s bounds-checked translation.
 *
 * <p>jnr-ffi generates the code of every method of a library interface when it is loaded (a few ms
 * of a one-shot run's start each), so calls only some programs need live in interfaces of their
 * own, loaded the first time they are used: {@link FileCalls}, {@link SocketCalls}. What stays here
 * is what every VM's build, run and close calls (a HelloWorld run calls 19 of these), and the
 * error path's strerror.
 *
 * <p>Only classes in {@code io.torovj.sys} and the two owners of native memory
 * ({@code GuestMemory}, the KVM fd wrappers) may call this interface directly.
 */
public interface LibC {

    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");
    Runtime RUNTIME = Runtime.getRuntime(INSTANCE);

    @SaveError int open(String path, int flags, int mode);
    @SaveError int close(int fd);
    @SaveError long read(int fd, long buf, long count);
    @SaveError long write(int fd, long buf, long count);
    @SaveError int fstat(int fd, long statbuf);
    @SaveError int fcntl(int fd, int cmd, long arg);
    /** poll(2) on {@code nfds} {@code struct pollfd}s (8 bytes each: int fd, short events, short revents) at {@code fds}. */
    @SaveError int poll(long fds, long nfds, int timeout);
    @SaveError int ioctl(int fd, long request, long arg);
    /**
     * Raw syscall with six arguments. Used instead of libc's six-argument functions (mmap,
     * sendto, recvfrom): jnr-ffi 2.2.17 passes a wrong sixth argument to those here (mmap
     * failed with EINVAL), while this seven-argument entry works.
     */
    @SaveError long syscall(long number, long a0, long a1, long a2, long a3, long a4, long a5);
    @SaveError int munmap(long addr, long length);
    @SaveError int madvise(long addr, long length, int advice);
    @SaveError int clock_gettime(int clockid, long tp);
    @SaveError long syscall(long number, long a0, long a1, long a2, long a3);
    @SaveError int pthread_sigmask(int how, long set, long oldset);
    @SaveError int sigtimedwait(long set, long info, long timeout);
    @SaveError int sigemptyset(long set);
    @SaveError int sigaddset(long set, int signum);
    @SaveError int memfd_create(String name, int flags);
    /** eventfd(2): a counter fd; {@link #read} of 8 bytes blocks until it is non-zero, {@link #write} adds. */
    @SaveError int eventfd(int initval, int flags);
    @SaveError int ftruncate(int fd, long length);
    @SaveError int kill(int pid, int sig);
    long memset(long s, int c, long n);
    long memcpy(long dst, long src, long n);
    int getpid();
    int getppid();
    String strerror(int errnum);

    long SYS_MMAP = 9;

    /** mmap through {@link #syscall(long, long, long, long, long, long, long)}; -1 and errno on failure. */
    default long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        return syscall(SYS_MMAP, addr, length, prot, flags, fd, offset);
    }

    /** errno of the calling thread's last {@link SaveError} call. */
    static int errno() {
        return Runtime.getRuntime(INSTANCE).getLastError();
    }
}
