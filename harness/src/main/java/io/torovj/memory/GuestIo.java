package io.torovj.memory;

import io.torovj.linux.SocketConstants;
import io.torovj.linux.SyscallNames;
import io.torovj.sys.FileCalls;
import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import io.torovj.sys.SockAddrIn;

/**
 * The host calls that read or write guest memory in place (zero copy): read, write, fstat into a
 * guest {@code struct stat}, clock_gettime into a guest {@code struct timespec}, sendto and
 * recvfrom with guest buffers. Each takes guest ranges as {@code (gpa, length)} and checks them
 * through {@link GuestMemory} (start and length, overflow-safe, and the floor of a guest-pointer
 * view) before the host sees an address: a refused range throws {@link GuestMemoryException}
 * (which the syscall dispatcher turns into -EFAULT) and no host call is made. Otherwise the result
 * is the Linux convention, {@code >= 0} or {@code -errno}. Allocation-free.
 */
public final class GuestIo {
    /** sizeof(struct stat) on x86-64: the bytes fstat writes. */
    public static final int STAT_SIZE = 144;
    /** sizeof(struct timespec) on x86-64: the bytes clock_gettime writes. */
    public static final int TIMESPEC_SIZE = 16;

    /** sizeof(struct timespec[2]): the times utimensat reads. */
    public static final int TIMES_SIZE = 2 * TIMESPEC_SIZE;

    private static final long SYS_SENDTO = SyscallNames.number("sendto"), SYS_RECVFROM = SyscallNames.number("recvfrom");
    private static final long SYS_GETDENTS64 = SyscallNames.number("getdents64");
    private static final long SYS_UTIMENSAT = SyscallNames.number("utimensat");
    private static final int AT_EMPTY_PATH = 0x1000;
    /** The empty path of utimensat(fd, "", times, AT_EMPTY_PATH): the call acts on the fd (an O_PATH fd too). */
    private static final NativeBuffer EMPTY_PATH = new NativeBuffer(1);

    private final GuestMemory memory;

    /** Guest I/O through {@code memory} (for syscall handlers, its guest-pointer view). */
    public GuestIo(GuestMemory memory) {
        this.memory = memory;
    }

    /** read(2) of up to {@code count} bytes from {@code fd} into guest [gpa, gpa+count). */
    public long read(int fd, long gpa, long count) {
        long n = LibC.INSTANCE.read(fd, memory.hostAddress(gpa, count), count);
        return n < 0 ? -LibC.errno() : n;
    }

    /** write(2) of guest [gpa, gpa+count) to {@code fd}. */
    public long write(int fd, long gpa, long count) {
        long n = LibC.INSTANCE.write(fd, memory.hostAddress(gpa, count), count);
        return n < 0 ? -LibC.errno() : n;
    }

    /** pread(2) of up to {@code count} bytes at {@code offset} of {@code fd} into guest [gpa, gpa+count). */
    public long pread(int fd, long gpa, long count, long offset) {
        long n = FileCalls.INSTANCE.pread(fd, memory.hostAddress(gpa, count), count, offset);
        return n < 0 ? -LibC.errno() : n;
    }

    /** pwrite(2) of guest [gpa, gpa+count) at {@code offset} of {@code fd}. */
    public long pwrite(int fd, long gpa, long count, long offset) {
        long n = FileCalls.INSTANCE.pwrite(fd, memory.hostAddress(gpa, count), count, offset);
        return n < 0 ? -LibC.errno() : n;
    }

    /**
     * getdents64(2) of directory {@code fd} into guest [gpa, gpa+count): the host's
     * {@code struct linux_dirent64} records as the kernel packs them (the layout is the guest's
     * too), so the bytes read, 0 at the end, or -errno (EINVAL if the buffer is too small for
     * the next entry).
     */
    public long getdents64(int fd, long gpa, long count) {
        long n = LibC.INSTANCE.syscall(SYS_GETDENTS64, fd, memory.hostAddress(gpa, count), count, 0);
        return n < 0 ? -LibC.errno() : n;
    }

    /**
     * utimensat(2) on the file {@code fd} refers to (AT_EMPTY_PATH: an O_PATH fd too), with the
     * guest's {@code struct timespec[2]} at {@code timesGpa}, or the current time if it is 0.
     */
    public long utimens(int fd, long timesGpa) {
        long times = timesGpa == 0 ? 0 : memory.hostAddress(timesGpa, TIMES_SIZE);
        long rc = LibC.INSTANCE.syscall(SYS_UTIMENSAT, fd, EMPTY_PATH.address(), times, AT_EMPTY_PATH);
        return rc < 0 ? -LibC.errno() : 0;
    }

    /** fstat(2) of {@code fd} into the guest's {@code struct stat} at gpa ({@link #STAT_SIZE} bytes): 0 or -errno. */
    public long fstat(int fd, long gpa) {
        return LibC.INSTANCE.fstat(fd, memory.hostAddress(gpa, STAT_SIZE)) < 0 ? -LibC.errno() : 0;
    }

    /** clock_gettime(2) of {@code clock} into the guest's {@code struct timespec} at gpa: 0 or -errno. */
    public long clockGettime(int clock, long gpa) {
        return LibC.INSTANCE.clock_gettime(clock, memory.hostAddress(gpa, TIMESPEC_SIZE)) < 0 ? -LibC.errno() : 0;
    }

    /**
     * sendto(2) of guest [gpa, gpa+len) on {@code fd} with {@code flags} (taken as unsigned 32
     * bits), to {@code dest} (a sockaddr_in the monitor filled), or to the connected peer if null.
     */
    public long sendto(int fd, long gpa, long len, int flags, SockAddrIn dest) {
        long buf = memory.hostAddress(gpa, len);
        long n = LibC.INSTANCE.syscall(SYS_SENDTO, fd, buf, len, flags & 0xFFFFFFFFL,
                dest != null ? dest.addressBuffer().address() : 0, dest != null ? SocketConstants.SOCKADDR_IN_SIZE : 0);
        return n < 0 ? -LibC.errno() : n;
    }

    /**
     * recvfrom(2) on {@code fd} into guest [gpa, gpa+len) with {@code flags} (unsigned 32 bits);
     * the sender's address goes to {@code peer} (monitor memory; the caller copies it to the
     * guest), or nowhere if null.
     */
    public long recvfrom(int fd, long gpa, long len, int flags, SockAddrIn peer) {
        long buf = memory.hostAddress(gpa, len);
        if (peer != null) peer.expectAddress();
        long n = LibC.INSTANCE.syscall(SYS_RECVFROM, fd, buf, len, flags & 0xFFFFFFFFL,
                peer != null ? peer.addressBuffer().address() : 0, peer != null ? peer.lengthBuffer().address() : 0);
        return n < 0 ? -LibC.errno() : n;
    }
}
