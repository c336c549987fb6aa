package io.torovj.sys;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Raw bindings to the host C library through jnr-ffi. Pointers are passed as {@code long}
 * host addresses so that no call allocates; every address handed to these functions comes
 * from {@link NativeBuffer} or from {@code GuestMemory}'s bounds-checked translation.
 *
 * <p>jnr-ffi generates the code of every method of a library interface when it is loaded (a few ms
 * of a one-shot run's start each), so calls only some programs need live in interfaces of their
 * own, loaded the first time they are used: {@link FileCalls}, {@link SocketCalls}. What stays here
 * is what every VM's build, run and close calls (a HelloWorld run calls 18 of these 25 functions), and the
 * error path's strerror.
 *
 * <p>What jnr-ffi must generate is kept plain, for a one-shot run's start: no annotations (errno is
 * saved after every call anyway, jnr-ffi's default, and each annotation type costs a proxy class
 * when first read) and no String in a signature (its converters cost several more): paths and names
 * go as NUL-terminated bytes ({@link #cString}), the String forms are default methods.
 *
 * <p>Only classes in {@code io.torovj.sys} and the two owners of native memory
 * ({@code GuestMemory}, the KVM fd wrappers) may call this interface directly.
 */
public interface LibC {

    /**
     * The C library by its soname, not as "c": jnr-ffi dlopens a name as given first, and "c"
     * (then "libc.so", a linker script on Debian) fails, after which it lists the host's library
     * directories and matches every file against a pattern: ~10% of the binding's start-up.
     */
    String LIBRARY = "libc.so.6";

    LibC INSTANCE = LibraryLoader.create(LibC.class).map("strerrorAddress", "strerror").load(LIBRARY);
    Runtime RUNTIME = Runtime.getRuntime(INSTANCE);

    int open(byte[] path, int flags, int mode);
    int close(int fd);
    long read(int fd, long buf, long count);
    long write(int fd, long buf, long count);
    int fstat(int fd, long statbuf);
    int fcntl(int fd, int cmd, long arg);
    /** poll(2) on {@code nfds} {@code struct pollfd}s (8 bytes each: int fd, short events, short revents) at {@code fds}. */
    int poll(long fds, long nfds, int timeout);
    int ioctl(int fd, long request, long arg);
    /**
     * Raw syscall with six arguments. Used instead of libc's six-argument functions (mmap,
     * sendto, recvfrom): jnr-ffi 2.2.17 passes a wrong sixth argument to those here (mmap
     * failed with EINVAL), while this seven-argument entry works.
     */
    long syscall(long number, long a0, long a1, long a2, long a3, long a4, long a5);
    int munmap(long addr, long length);
    int madvise(long addr, long length, int advice);
    int clock_gettime(int clockid, long tp);
    long syscall(long number, long a0, long a1, long a2, long a3);
    int pthread_sigmask(int how, long set, long oldset);
    int sigtimedwait(long set, long info, long timeout);
    int sigemptyset(long set);
    int sigaddset(long set, int signum);
    int memfd_create(byte[] name, int flags);
    /** eventfd(2): a counter fd; {@link #read} of 8 bytes blocks until it is non-zero, {@link #write} adds. */
    int eventfd(int initval, int flags);
    int ftruncate(int fd, long length);
    int kill(int pid, int sig);
    long memset(long s, int c, long n);
    long memcpy(long dst, long src, long n);
    int getpid();
    /** strerror(3): the address of its NUL-terminated text ({@link #strerror} reads it). */
    long strerrorAddress(int errnum);

    long SYS_MMAP = 9;

    /** mmap through {@link #syscall(long, long, long, long, long, long, long)}; -1 and errno on failure. */
    default long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        return syscall(SYS_MMAP, addr, length, prot, flags, fd, offset);
    }

    default int open(String path, int flags, int mode) {
        return open(cString(path), flags, mode);
    }

    default int memfd_create(String name, int flags) {
        return memfd_create(cString(name), flags);
    }

    /** strerror(3) of {@code errnum}, as text. */
    default String strerror(int errnum) {
        long text = strerrorAddress(errnum);
        if (text == 0) return "errno " + errnum;
        return new String(com.kenai.jffi.MemoryIO.getInstance().getZeroTerminatedByteArray(text), StandardCharsets.UTF_8);
    }

    /** {@code s} in UTF-8 with a NUL after it, for a C string argument; one with a NUL inside is refused. */
    static byte[] cString(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        for (byte b : utf8) {
            if (b == 0) throw new IllegalArgumentException("a C string argument with a NUL inside: " + s.replace('\0', '?'));
        }
        return Arrays.copyOf(utf8, utf8.length + 1);
    }

    /** errno of the calling thread's last call through a jnr-ffi binding (each saves it). */
    static int errno() {
        return Runtime.getRuntime(INSTANCE).getLastError();
    }
}
