package io.torovj.boot;

import io.torovj.memory.GuestMemory;
import java.util.Arrays;

/**
 * The TSS I/O permission bitmap: which I/O ports code at CPL3 may use. A clear bit grants its
 * port; a set bit, or a port whose bitmap bytes lie beyond the TSS limit, is refused with #GP.
 * This is the one grant that behaves alike on PVM (which ignores RFLAGS.IOPL at CPL3 and
 * consults the bitmap alone) and on VMX/SVM (which consult it because CPL &gt; IOPL): the
 * guest runs with IOPL=0 everywhere, so the bitmap decides every user-mode {@code in}/{@code out}.
 *
 * <p>The bitmap covers ports 0 to {@link #PORTS}-1, sits right after the 104-byte TSS and is
 * followed by the 0xFF byte the architecture asks for (the CPU reads two bytes, since an
 * access may straddle a byte boundary); the TSS limit ({@link DescriptorTables#TSS_LIMIT})
 * ends at that byte. Pure code: built from the port ranges that the VM's devices claim,
 * written at boot, and decided from guest memory exactly as the CPU (and the process
 * platform's launcher) decide it.
 */
public final class IoPermissionBitmap {
    /** Ports the bitmap can grant: 0 to 1023. */
    public static final int PORTS = 1024;
    /** Bytes of bitmap, without the terminator byte. */
    public static final int BYTES = PORTS / 8;
    /** Where the bitmap starts in the TSS (the TSS's I/O map base): right after its 104 bytes. */
    public static final int TSS_OFFSET = 104;
    /** Offset of the I/O map base field in the 64-bit TSS. */
    static final int IO_MAP_BASE_FIELD = 102;

    /** The bitmap and its terminator byte. */
    private final byte[] image = new byte[BYTES + 1];

    /** A bitmap that refuses every port. */
    public IoPermissionBitmap() {
        Arrays.fill(image, (byte) 0xFF);
    }

    /**
     * Grants [{@code port}, {@code port + count}) to CPL3 code. Throws for a range outside the
     * bitmap, and for the fault-report port, which only the CPL0 exception handlers may use.
     */
    public IoPermissionBitmap grant(long port, long count) {
        if (count <= 0 || port < 0 || port > PORTS - count) {
            throw new IllegalArgumentException(String.format(
                    "I/O ports 0x%x+%d cannot be granted to the guest: the I/O bitmap covers ports 0x0-0x%x",
                    port, count, PORTS - 1));
        }
        if (port <= GuestLayout.FAULT_PORT && GuestLayout.FAULT_PORT < port + count) {
            throw new IllegalArgumentException(String.format(
                    "I/O port 0x%x is the exception handlers' report port: it is never granted to user code",
                    GuestLayout.FAULT_PORT));
        }
        for (int p = (int) port; p < port + count; p++) image[p >> 3] &= (byte) ~(1 << (p & 7));
        return this;
    }

    /** True if an access of {@code size} bytes at {@code port} is allowed by this bitmap. */
    public boolean allows(int port, int size) {
        return decide(image, image.length, port, size);
    }

    /** Writes the I/O map base, the bitmap and its terminator into the TSS at {@link GuestLayout#TSS}. */
    public void writeTo(GuestMemory mem) {
        mem.writeU16(GuestLayout.TSS + IO_MAP_BASE_FIELD, (short) TSS_OFFSET);
        mem.write(GuestLayout.TSS + TSS_OFFSET, image);
    }

    /**
     * Decides a CPL3 access of {@code size} bytes at {@code port} from guest memory, as the CPU
     * does: the TSS at {@code tssBase} with limit {@code tssLimit} (from the task register),
     * its I/O map base, and the two bitmap bytes covering the port, both within the limit.
     */
    public static boolean allowedByTss(GuestMemory mem, long tssBase, long tssLimit, int port, int size) {
        if (tssLimit < IO_MAP_BASE_FIELD + 1) return false;
        int base = mem.readU16(tssBase + IO_MAP_BASE_FIELD) & 0xFFFF;
        long reachable = Math.max(0, tssLimit + 1 - base);        // bitmap bytes within the limit
        int bytes = (int) Math.min(reachable, 0x10000 / 8 + 1);   // all 65,536 ports and the terminator
        byte[] bitmap = new byte[bytes];
        mem.read(tssBase + base, bitmap, 0, bytes);
        return decide(bitmap, bytes, port, size);
    }

    private static boolean decide(byte[] bitmap, int reachable, int port, int size) {
        if (port < 0 || port > 0xFFFF || size < 1 || size > 4) return false;
        int index = port >> 3;
        if (index + 1 >= reachable) return false;                 // the CPU's second byte is beyond the limit
        int word = (bitmap[index] & 0xFF) | (bitmap[index + 1] & 0xFF) << 8;
        int mask = ((1 << size) - 1) << (port & 7);
        return (word & mask) == 0;
    }
}
