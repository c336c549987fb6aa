package io.torovj.sys;

import com.kenai.jffi.MemoryIO;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * A small block of host memory for ioctl and libc arguments (KVM structs, paths,
 * sigsets). Allocated once and reused: hot paths must not allocate.
 *
 * <p>The memory is malloc's, freed when the buffer becomes unreachable. Not jnr-ffi's
 * {@code Memory.allocateDirect}: its first use starts java.util.logging and a finalizer thread,
 * ~8 ms of a one-shot {@code torovj run} on the 2-core host, for what one {@link Cleaner} does.
 * So a buffer must stay reachable while its address is in use: a method that hands
 * {@link #address()} to a call and does not touch the buffer afterwards ends with
 * {@code Reference.reachabilityFence(buffer)} (a field holding it does the same).
 */
public final class NativeBuffer {
    /**
     * jnr-ffi's runtime, not {@link LibC#RUNTIME} (the same object): a buffer needs jffi started,
     * not LibC's stubs generated, so making one never waits for the bindings' warm-up.
     */
    private static final Runtime RUNTIME = Runtime.getSystemRuntime();
    /** Frees the memory of unreachable buffers (one daemon thread, started at the first buffer). */
    private static final Cleaner FREED = Cleaner.create();

    private final Pointer pointer;
    private final long address;
    private final int size;

    public NativeBuffer(int size) {
        this(allocate(size, true), size);
    }

    /**
     * A buffer left as malloc gives it, not zeroed: for one whose bytes are only ever read after
     * they were written (a path set before each use). Zeroing would touch every page of a large
     * buffer at once, resident from the VM's build on, though most VMs never use it.
     */
    public static NativeBuffer uncleared(int size) {
        return new NativeBuffer(allocate(size, false), size);
    }

    private NativeBuffer(long malloced, int size) {
        this(Pointer.wrap(RUNTIME, malloced, size), size);
        FREED.register(this, new Free(malloced));
    }

    private NativeBuffer(Pointer pointer, int size) {
        this.pointer = pointer;
        this.address = pointer.address();
        this.size = size;
    }

    private static long allocate(int size, boolean zeroed) {
        if (size < 0) throw new IllegalArgumentException("a native buffer of " + size + " bytes");
        long address = MemoryIO.getInstance().allocateMemory(Math.max(1, size), zeroed);
        if (address == 0) throw new OutOfMemoryError("cannot allocate a native buffer of " + size + " bytes");
        return address;
    }

    /** The cleaning action: holds the address only, never the buffer (else it would stay reachable). */
    private record Free(long address) implements Runnable {
        @Override public void run() { MemoryIO.getInstance().freeMemory(address); }
    }

    /** A bounds-checked view over host memory this process mapped (not owned, not freed). */
    public static NativeBuffer over(long address, int size) {
        return new NativeBuffer(Pointer.wrap(RUNTIME, address, size), size);
    }

    public long address() { return address; }
    public int size() { return size; }

    public long getLong(int off) { check(off, 8); return pointer.getLong(off); }
    public int getInt(int off) { check(off, 4); return pointer.getInt(off); }
    public short getShort(int off) { check(off, 2); return pointer.getShort(off); }
    public byte getByte(int off) { check(off, 1); return pointer.getByte(off); }
    public void putLong(int off, long v) { check(off, 8); pointer.putLong(off, v); }
    public void putInt(int off, int v) { check(off, 4); pointer.putInt(off, v); }
    public void putShort(int off, short v) { check(off, 2); pointer.putShort(off, v); }
    public void putByte(int off, byte v) { check(off, 1); pointer.putByte(off, v); }
    public void clear() { pointer.setMemory(0, size, (byte) 0); }
    public void get(int off, byte[] dst, int dstOff, int len) { check(off, len); pointer.get(off, dst, dstOff, len); }
    public void put(int off, byte[] src, int srcOff, int len) { check(off, len); pointer.put(off, src, srcOff, len); }

    /** Writes a NUL-terminated string; returns false if it does not fit. */
    public boolean putCString(int off, byte[] utf8) {
        if (utf8.length + 1 > size - off) return false;
        pointer.put(off, utf8, 0, utf8.length);
        pointer.putByte(off + utf8.length, (byte) 0);
        return true;
    }

    private void check(int off, int len) {
        if (off < 0 || len < 0 || off > size - len) {
            throw new IndexOutOfBoundsException("native buffer access " + off + "+" + len + " outside " + size);
        }
    }

    /** A direct ByteBuffer over host memory that this process mapped (guest RAM, kvm_run). */
    public static ByteBuffer wrap(long address, int size) {
        return MemoryIO.getInstance().newDirectByteBuffer(address, size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
