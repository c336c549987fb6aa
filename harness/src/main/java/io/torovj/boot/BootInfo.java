package io.torovj.boot;

import io.torovj.memory.GuestMemory;
import java.nio.charset.StandardCharsets;

/**
 * The boot information page: how the guest runtime learns which transport to use and where
 * its shared structures are. Mirrors struct torovj_boot_info in
 * harness/src/main/c/torovj_abi.h (offsets checked by the layout test).
 */
public final class BootInfo {
    public static final long MAGIC = 0x00314a564f524f54L;
    public static final int ABI_VERSION = 1;
    /** auxv type carrying the boot info's address. */
    public static final long AT_BOOT_INFO = 0x7430;
    public static final int TRANSPORT_NAME_MAX = 16;
    /** The null doorbells (TOROVJ_NULL_PORT, TOROVJ_NULL_MMIO): exits that do nothing, for floor measurements. */
    public static final int NULL_PORT = 0x00F2;
    public static final long NULL_MMIO = GuestLayout.DEVICE_WINDOW + GuestLayout.PAGE;

    public static final int OFF_MAGIC = 0, OFF_ABI_VERSION = 8, OFF_VCPU_COUNT = 12, OFF_TRANSPORT = 16,
            OFF_REQUEST_BLOCK = 32, OFF_TRANSPORT_AREA = 40, OFF_TRANSPORT_AREA_SIZE = 48,
            OFF_DOORBELL_MMIO = 56, OFF_DOORBELL_PORT = 64, OFF_LATENCY_BUFFER = 72, SIZE = 80;

    /** struct torovj_request offsets. */
    public static final int REQ_NR = 0, REQ_ARGS = 8, REQ_RET = 56, REQ_SIZE = 64;
    /** struct torovj_latency_buffer offsets. */
    public static final int LAT_CAPACITY = 0, LAT_COUNT = 8, LAT_SAMPLES = 16;

    private final GuestMemory mem;
    private final long at;

    public BootInfo(GuestMemory mem, long at) {
        this.mem = mem;
        this.at = at;
    }

    public static BootInfo create(GuestMemory mem, String transport) {
        BootInfo info = new BootInfo(mem, GuestLayout.BOOT_INFO);
        mem.fill(GuestLayout.BOOT_INFO, GuestLayout.PAGE, (byte) 0);
        mem.writeU64(GuestLayout.BOOT_INFO + OFF_MAGIC, MAGIC);
        mem.writeU32(GuestLayout.BOOT_INFO + OFF_ABI_VERSION, ABI_VERSION);
        mem.writeU32(GuestLayout.BOOT_INFO + OFF_VCPU_COUNT, 1);
        byte[] name = transport.getBytes(StandardCharsets.US_ASCII);
        if (name.length >= TRANSPORT_NAME_MAX) throw new IllegalArgumentException("transport name too long: " + transport);
        mem.write(GuestLayout.BOOT_INFO + OFF_TRANSPORT, name);
        mem.writeU64(GuestLayout.BOOT_INFO + OFF_REQUEST_BLOCK, GuestLayout.requestBlock(0));
        return info;
    }

    public long address() { return at; }
    public void setTransportArea(long gpa, long size) {
        mem.writeU64(at + OFF_TRANSPORT_AREA, gpa);
        mem.writeU64(at + OFF_TRANSPORT_AREA_SIZE, size);
    }
    public void setDoorbellMmio(long gpa) { mem.writeU64(at + OFF_DOORBELL_MMIO, gpa); }
    public void setDoorbellPort(int port) { mem.writeU32(at + OFF_DOORBELL_PORT, port); }
    public void setLatencyBuffer(long gpa) { mem.writeU64(at + OFF_LATENCY_BUFFER, gpa); }
    public long latencyBuffer() { return mem.readU64(at + OFF_LATENCY_BUFFER); }
}
