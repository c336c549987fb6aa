package io.torovj.memory;

import static io.torovj.linux.MmapFlags.MADV_REMOVE;
import static io.torovj.linux.MmapFlags.MAP_ANONYMOUS;
import static io.torovj.linux.MmapFlags.MAP_FAILED;
import static io.torovj.linux.MmapFlags.MAP_FIXED;
import static io.torovj.linux.MmapFlags.MAP_NORESERVE;
import static io.torovj.linux.MmapFlags.MAP_PRIVATE;
import static io.torovj.linux.MmapFlags.MAP_SHARED;
import static io.torovj.linux.MmapFlags.MFD_CLOEXEC;
import static io.torovj.linux.MmapFlags.PROT_NONE;
import static io.torovj.linux.MmapFlags.PROT_READ;
import static io.torovj.linux.MmapFlags.PROT_WRITE;

import io.torovj.sys.HostStat;
import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Guest RAM: one anonymous MAP_SHARED|MAP_NORESERVE host mapping of {@code size} bytes, guest
 * physical address 0 at its start. Every access by the monitor goes through this class and is
 * checked, start and length, with overflow-safe arithmetic; a refused access throws
 * {@link GuestMemoryException} and never touches host memory outside the mapping.
 *
 * <p>Plain accessors are for data the guest is not concurrently changing (a request block
 * after its doorbell, a buffer during a syscall). The acquire/release accessors are for
 * memory shared with a running vCPU (ring indices): they order like C11 atomics.
 *
 * <p>Only the owner (the VM) calls {@link #close()}, after every vCPU and poller has stopped.
 *
 * <p>Test hook: {@link #allocateWithCanaries(long)} puts readable and writable canary pages
 * filled with a known pattern where the guard pages would be, so that a stray host access just
 * outside guest RAM is recorded instead of faulting (or, for a host system call, being turned
 * into EFAULT and going unnoticed). A VM gets them when its configuration asks
 * ({@code VmConfig.Builder.guardCanaries}); every canary instance checks its canaries when
 * closed and throws if one was written, so a test running whole VMs (which close their memory
 * themselves) fails at the VM's close.
 */
public final class GuestMemory implements AutoCloseable {
    public static final int PAGE_SIZE = 4096;

    /** Guard pages around guest RAM: a host bug that strays outside faults instead of corrupting. */
    private static final long GUARD = PAGE_SIZE;
    /** Bytes of canary on each side of guest RAM (a multiple of the page size). */
    public static final long CANARY_SIZE = 64 * 1024;

    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final long reservation;
    private final long border;          // bytes of guard (or canary) on each side of RAM
    private final boolean canaries;
    private final int memfd;
    private final long base;
    private final long size;
    private final ByteBuffer bytes;
    private final long floor;           // lowest guest address this view accepts
    private final boolean view;         // a view does not own (or unmap) the mapping
    private boolean closed;

    private GuestMemory(long reservation, long border, boolean canaries, int memfd, long base, long size) {
        this.reservation = reservation;
        this.border = border;
        this.canaries = canaries;
        this.memfd = memfd;
        this.base = base;
        this.size = size;
        this.bytes = NativeBuffer.wrap(base, (int) size);
        this.floor = 0;
        this.view = false;
    }

    private GuestMemory(GuestMemory of, long floor) {
        this.reservation = of.reservation;
        this.border = of.border;
        this.canaries = false;
        this.memfd = of.memfd;
        this.base = of.base;
        this.size = of.size;
        this.bytes = of.bytes;
        this.floor = floor;
        this.view = true;
    }

    /**
     * The same memory as the guest's own pointers may reach it: addresses below {@code floor}
     * (the guest's supervisor-only system pages: descriptor tables, page tables, exception stack)
     * are refused like addresses outside RAM, as a kernel's copy_to_user refuses kernel memory.
     * Syscall handlers use this view; the monitor's own code uses the full one. Closing a view
     * does nothing.
     */
    public GuestMemory guestPointerView(long floor) {
        if (floor < 0 || floor > size) throw new IllegalArgumentException("bad floor " + floor);
        return new GuestMemory(this, floor);
    }

    /**
     * Maps {@code size} bytes of zeroed guest RAM (a multiple of the page size, below 2 GiB)
     * between two inaccessible guard pages.
     */
    public static GuestMemory allocate(long size) {
        return allocate(size, false);
    }

    /**
     * For hostile-guest tests ({@code VmConfig.Builder.guardCanaries}): like {@link #allocate(long)}, but guest RAM lies between two read-write regions
     * of {@link #CANARY_SIZE} bytes filled with a known pattern instead of the guard pages (same
     * reservation); {@link #canariesIntact()} tells whether anything wrote to them. The canaries
     * are checked again when the memory is closed, which throws if one was written.
     */
    public static GuestMemory allocateWithCanaries(long size) {
        return allocate(size, true);
    }

    private static GuestMemory allocate(long size, boolean canaries) {
        if (size <= 0 || size % PAGE_SIZE != 0 || size > Integer.MAX_VALUE - PAGE_SIZE) {
            throw new IllegalArgumentException("guest memory size must be a positive multiple of 4096 below 2 GiB: " + size);
        }
        LibC c = LibC.INSTANCE;
        long border = canaries ? CANARY_SIZE : GUARD;
        long total = size + 2 * border;
        long reservation = c.mmap(0, total, canaries ? PROT_READ | PROT_WRITE : PROT_NONE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (reservation == MAP_FAILED) {
            throw new IllegalStateException("cannot reserve " + total + " bytes for guest memory: " + c.strerror(LibC.errno()));
        }
        // a memfd rather than MAP_ANONYMOUS: the same shmem pages, but shareable with the
        // process platform's vCPU process; the guest never learns of this fd
        int memfd = c.memfd_create("torovj-guest-ram", MFD_CLOEXEC);
        if (memfd < 0 || c.ftruncate(memfd, size) != 0) {
            int errno = LibC.errno();
            if (memfd >= 0) c.close(memfd);
            c.munmap(reservation, total);
            throw new IllegalStateException("cannot create guest memory: " + c.strerror(errno));
        }
        long base = reservation + border;
        long ram = c.mmap(base, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE | MAP_FIXED, memfd, 0);
        if (ram != base) {
            int errno = LibC.errno();
            c.munmap(reservation, total);
            c.close(memfd);
            throw new IllegalStateException("cannot map " + size + " bytes of guest memory: " + c.strerror(errno));
        }
        GuestMemory memory = new GuestMemory(reservation, border, canaries, memfd, base, size);
        if (canaries) {
            memory.canaryPass(true, reservation);
            memory.canaryPass(true, base + size);
        }
        return memory;
    }

    /** Fills ({@code fill}) or checks one canary region; the pattern depends on the byte's position. */
    private boolean canaryPass(boolean fill, long from) {
        ByteBuffer region = NativeBuffer.wrap(from, (int) CANARY_SIZE);
        for (int i = 0; i < CANARY_SIZE; i += 8) {
            long expected = 0x9E3779B97F4A7C15L * ((from - reservation + i) / 8 + 1);
            if (fill) region.putLong(i, expected);
            else if (region.getLong(i) != expected) return false;
        }
        return true;
    }

    /**
     * True if this memory has canaries ({@link #allocateWithCanaries(long)}) and none of their
     * bytes changed since allocation; false if one did. Throws for memory without canaries.
     */
    public synchronized boolean canariesIntact() {
        if (!canaries) throw new IllegalStateException("this guest memory has guard pages, not canaries");
        if (closed) throw new IllegalStateException("guest memory closed");
        return canaryPass(false, reservation) && canaryPass(false, base + size);
    }

    /** Guest RAM size in bytes. */
    public long size() { return size; }

    /** True if [gpa, gpa+len) lies inside guest RAM. Overflow-safe for any inputs. */
    public boolean contains(long gpa, long len) {
        return gpa >= floor && len >= 0 && gpa <= size && len <= size - gpa;
    }

    private int check(long gpa, long len) {
        if (!contains(gpa, len)) {
            throw new GuestMemoryException(GuestMemoryException.Kind.OUT_OF_RANGE, gpa, len);
        }
        return (int) gpa;
    }

    private int checkAligned(long gpa, int len) {
        int off = check(gpa, len);
        if ((gpa & (len - 1)) != 0) {
            throw new GuestMemoryException(GuestMemoryException.Kind.MISALIGNED, gpa, len);
        }
        return off;
    }

    /**
     * The host address of [gpa, gpa+len), for a host system call that reads or writes guest
     * memory in place (zero copy): {@link GuestIo}'s, the only caller. The range is checked;
     * the caller must not go past len.
     */
    long hostAddress(long gpa, long len) {
        check(gpa, len);
        return base + gpa;
    }

    /** A path another host process can open to share guest RAM (the process platform's vCPU). */
    public String sharePath() {
        return "/proc/" + ProcessHandle.current().pid() + "/fd/" + memfd;
    }

    /** The memfd behind guest RAM, for {@link MemoryImage}'s walk of its allocated extents. */
    int memfd() { return memfd; }

    /** Host address of guest RAM's first byte, for KVM_SET_USER_MEMORY_REGION only. */
    public long hostBase() { return base; }

    public byte readU8(long gpa) { return bytes.get(check(gpa, 1)); }
    public short readU16(long gpa) { return bytes.getShort(check(gpa, 2)); }
    public int readU32(long gpa) { return bytes.getInt(check(gpa, 4)); }
    public long readU64(long gpa) { return bytes.getLong(check(gpa, 8)); }
    public void writeU8(long gpa, byte v) { bytes.put(check(gpa, 1), v); }
    public void writeU16(long gpa, short v) { bytes.putShort(check(gpa, 2), v); }
    public void writeU32(long gpa, int v) { bytes.putInt(check(gpa, 4), v); }
    public void writeU64(long gpa, long v) { bytes.putLong(check(gpa, 8), v); }

    public void read(long gpa, byte[] dst, int dstOff, int len) {
        int off = check(gpa, len);
        bytes.get(off, dst, dstOff, len);
    }

    public void write(long gpa, byte[] src, int srcOff, int len) {
        int off = check(gpa, len);
        bytes.put(off, src, srcOff, len);
    }

    public void write(long gpa, byte[] src) { write(gpa, src, 0, src.length); }

    /** Copies {@code len} bytes of {@code src} from its absolute index {@code srcOff} (its position is untouched). */
    public void write(long gpa, java.nio.ByteBuffer src, int srcOff, int len) {
        int off = check(gpa, len);
        bytes.put(off, src, srcOff, len);
    }

    public void fill(long gpa, long len, byte value) {
        check(gpa, len);
        LibC.INSTANCE.memset(base + gpa, value, len);
    }

    /**
     * Reads a NUL-terminated string of at most {@code maxLen} bytes (NUL excluded) into
     * {@code dst}; returns its length. Throws STRING_TOO_LONG if no NUL is found within
     * maxLen+1 bytes, OUT_OF_RANGE if the string runs off guest memory first.
     */
    public int readCString(long gpa, byte[] dst, int maxLen) {
        check(gpa, 1);
        int limit = Math.min(maxLen, dst.length);
        for (int i = 0; i <= limit; i++) {
            byte b = bytes.get(check(gpa + i, 1));
            if (b == 0) return i;
            if (i == limit) break;
            dst[i] = b;
        }
        throw new GuestMemoryException(GuestMemoryException.Kind.STRING_TOO_LONG, gpa, limit);
    }

    public long getLongAcquire(long gpa) { return (long) LONGS.getAcquire(bytes, checkAligned(gpa, 8)); }
    public void setLongRelease(long gpa, long v) { LONGS.setRelease(bytes, checkAligned(gpa, 8), v); }
    public void setIntRelease(long gpa, int v) { INTS.setRelease(bytes, checkAligned(gpa, 4), v); }

    /**
     * Returns [gpa, gpa+len) (page aligned) to zero and gives its host pages back
     * (MADV_REMOVE on the shared mapping), as munmap of anonymous memory would.
     */
    public void discard(long gpa, long len) {
        check(gpa, len);
        if ((gpa | len) % PAGE_SIZE != 0) throw new IllegalArgumentException("discard needs page-aligned ranges");
        if (len == 0) return;
        if (LibC.INSTANCE.madvise(base + gpa, len, MADV_REMOVE) != 0) {
            fill(gpa, len, (byte) 0);
        }
    }

    /**
     * Leaves [gpa, gpa+len) zero, as freed anonymous memory must read: a run of up to
     * {@code inPlaceMaxBytes} by memset, which keeps its host pages (the guest's next touch
     * faults nowhere), a longer one by {@link #discard}, which gives them back. True if it was
     * zeroed in place.
     */
    public boolean zero(long gpa, long len, long inPlaceMaxBytes) {
        if (len <= inPlaceMaxBytes) {
            fill(gpa, len, (byte) 0);
            return true;
        }
        discard(gpa, len);
        return false;
    }

    /**
     * Bytes of guest RAM the host has allocated now: resident, or swapped out. The RAM memfd's
     * st_blocks, one fstat (shmem counts a page there from its allocation until it is freed,
     * swapped or not): every run's result asks, and a walk of its extents took ~10 lseeks.
     */
    public long residentBytes() {
        HostStat stat = new HostStat();
        return stat.fstat(memfd) != 0 ? 0 : Math.min(size, stat.blocks() * 512);    // 0 if the memfd is gone
    }

    @Override
    public synchronized void close() {
        if (closed || view) return;
        boolean damaged = canaries && !canariesIntact();
        closed = true;
        LibC.INSTANCE.munmap(reservation, size + 2 * border);
        LibC.INSTANCE.close(memfd);
        if (damaged) {
            throw new IllegalStateException("a canary page next to guest RAM was written: a host access strayed outside guest memory");
        }
    }
}
