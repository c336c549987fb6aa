package io.torovj.vmm;

import io.torovj.abi.GuestAbi;
import io.torovj.boot.CpuState;
import io.torovj.boot.GuestLayout;
import io.torovj.kvm.KvmRegs;
import io.torovj.kvm.KvmSregs;
import io.torovj.kvm.Vcpu;
import io.torovj.memory.GuestMemory;
import io.torovj.memory.MemoryImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a VM's build produced, in a file a C VMM replays: every page of guest RAM the build
 * allocated, with its bytes, the vCPU's registers and special registers in KVM's own struct
 * layouts, the MSRs the build set, and where the exit transports' request block and doorbell
 * port are. The bench's cold-VM floor for HelloWorld itself ({@code cfloor --image}): the same
 * guest, pages and exits with no monitor, so that the monitor's own share of a cold VM is the
 * difference.
 *
 * <pre>
 * offset  size  field (little-endian)
 *      0     8  magic "TVJBOOT1"
 *      8     8  guest RAM size, bytes
 *     16     8  request block (guest-physical; 0 if none)
 *     24     4  doorbell port (0 if none)
 *     28     4  sizeof(struct kvm_regs)
 *     32     4  sizeof(struct kvm_sregs)
 *     36     4  MSR count
 *     40     4  page count
 *     44     4  reserved, 0
 *     48        struct kvm_regs, struct kvm_sregs, MSRs (u32 index, u32 0, u64 value),
 *               pages (u64 guest-physical address, 4096 bytes), in address order
 * </pre>
 */
public final class BootImage {
    static final byte[] MAGIC = {'T', 'V', 'J', 'B', 'O', 'O', 'T', '1'};
    static final int HEADER_BYTES = 48;

    private BootImage() {}

    /** Writes the image of {@code memory} and {@code vcpu} as they are now (before the first run). */
    static void write(GuestMemory memory, Vcpu vcpu, Path file) throws IOException {
        KvmRegs regs = new KvmRegs();
        KvmSregs sregs = new KvmSregs();
        vcpu.getRegs(regs);
        vcpu.getSregs(sregs);
        byte[] regBytes = regs.bytes(), sregBytes = sregs.bytes();
        int[] msrs = CpuState.syscallMsrIndices();
        long[] msrValues = CpuState.syscallMsrValues();
        long[] pages = MemoryImage.allocatedPages(memory);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            h.put(MAGIC).putLong(memory.size());
            h.putLong(memory.readU64(GuestLayout.BOOT_INFO + GuestAbi.BOOT_REQUEST_BLOCK));
            h.putInt(memory.readU32(GuestLayout.BOOT_INFO + GuestAbi.BOOT_DOORBELL_PORT));
            h.putInt(regBytes.length).putInt(sregBytes.length).putInt(msrs.length).putInt(pages.length).putInt(0);
            out.write(h.array());
            out.write(regBytes);
            out.write(sregBytes);
            ByteBuffer m = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < msrs.length; i++) {
                out.write(m.clear().putInt(msrs[i]).putInt(0).putLong(msrValues[i]).array());
            }
            byte[] page = new byte[GuestMemory.PAGE_SIZE];
            ByteBuffer at = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            for (long gpa : pages) {
                memory.read(gpa, page, 0, page.length);
                out.write(at.clear().putLong(gpa).array());
                out.write(page);
            }
        }
    }
}
