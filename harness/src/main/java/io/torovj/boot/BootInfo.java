package io.torovj.boot;

import io.torovj.abi.GuestAbi;
import io.torovj.memory.GuestMemory;
import java.nio.charset.StandardCharsets;

/**
 * The boot information page at {@link GuestLayout#BOOT_INFO} (user read-only): how the guest
 * runtime learns which transport to use and where its shared structures are. Writes struct
 * torovj_boot_info ({@link GuestAbi}); transports fill their fields while they attach.
 */
public final class BootInfo {
    private final GuestMemory mem;
    private final long at = GuestLayout.BOOT_INFO;

    private BootInfo(GuestMemory mem) {
        this.mem = mem;
    }

    /** Clears the page and writes the header: magic, ABI version, one vCPU, the transport's name, vCPU 0's request block. */
    public static BootInfo create(GuestMemory mem, String transport) {
        byte[] name = transport.getBytes(StandardCharsets.US_ASCII);
        if (name.length >= GuestAbi.TRANSPORT_NAME_MAX) throw new IllegalArgumentException("transport name too long: " + transport);
        BootInfo info = new BootInfo(mem);
        mem.fill(info.at, GuestLayout.PAGE, (byte) 0);
        mem.writeU64(info.at + GuestAbi.BOOT_MAGIC_OFF, GuestAbi.BOOT_MAGIC);
        mem.writeU32(info.at + GuestAbi.BOOT_ABI_VERSION, GuestAbi.ABI_VERSION);
        mem.writeU32(info.at + GuestAbi.BOOT_VCPU_COUNT, 1);
        mem.write(info.at + GuestAbi.BOOT_TRANSPORT, name);
        mem.writeU64(info.at + GuestAbi.BOOT_REQUEST_BLOCK, GuestLayout.requestBlock(0));
        return info;
    }

    public long address() { return at; }

    public void setTransportArea(long gpa, long size) {
        mem.writeU64(at + GuestAbi.BOOT_TRANSPORT_AREA, gpa);
        mem.writeU64(at + GuestAbi.BOOT_TRANSPORT_AREA_SIZE, size);
    }

    public void setDoorbellMmio(long gpa) { mem.writeU64(at + GuestAbi.BOOT_DOORBELL_MMIO, gpa); }
    public void setDoorbellPort(int port) { mem.writeU32(at + GuestAbi.BOOT_DOORBELL_PORT, port); }
    public void setLatencyBuffer(long gpa) { mem.writeU64(at + GuestAbi.BOOT_LATENCY_BUFFER, gpa); }
}
