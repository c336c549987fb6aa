package io.torovj.boot;

import io.torovj.abi.GuestAbi;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.memory.GuestMemory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Page tables, descriptor tables, boot info and the initial stack, read back from guest memory (no KVM). */
class BootStructuresTest {
    private static final long RAM = 8L << 20;
    private GuestMemory mem;

    @BeforeEach
    void setUp() {
        mem = GuestMemory.allocate(RAM);
        PageTables.build(mem, RAM);
        DescriptorTables.build(mem);
    }

    @AfterEach
    void tearDown() { mem.close(); }

    @Test
    void identityMapsRamForUserCodeButNotPageZero() {
        assertEquals(-1, PageTables.translateUser(mem, 0, false), "page 0 must fault");
        assertEquals(-1, PageTables.translateUser(mem, 0xFFF, false));
        assertEquals(0x400123, PageTables.translateUser(mem, 0x400123, true));
        assertEquals(RAM - 8, PageTables.translateUser(mem, RAM - 8, true));
        assertEquals(-1, PageTables.translateUser(mem, RAM, false), "nothing above RAM but the device window");
        assertEquals(GuestLayout.requestBlock(0), PageTables.translateUser(mem, GuestLayout.requestBlock(0), true));
        assertEquals(GuestLayout.TRANSPORT_AREA + 8, PageTables.translateUser(mem, GuestLayout.TRANSPORT_AREA + 8, true));
    }

    @Test
    void systemPagesAreSupervisorOnlyAndBootInfoReadOnly() {
        for (long p : new long[] {GuestLayout.GDT, GuestLayout.IDT, GuestLayout.PML4, GuestLayout.PT_LOW, GuestLayout.EXCEPTION_STACK, GuestLayout.HANDLER_CODE}) {
            assertEquals(-1, PageTables.translateUser(mem, p, false), "user access to 0x" + Long.toHexString(p));
        }
        assertEquals(GuestLayout.BOOT_INFO, PageTables.translateUser(mem, GuestLayout.BOOT_INFO, false));
        assertEquals(-1, PageTables.translateUser(mem, GuestLayout.BOOT_INFO, true));
    }

    @Test
    void deviceWindowIsMappedUncached() {
        assertEquals(GuestLayout.DEVICE_WINDOW, PageTables.translateUser(mem, GuestLayout.DEVICE_WINDOW, true));
        long pde = mem.readU64(GuestLayout.PD + GuestLayout.DEVICE_WINDOW / GuestLayout.MIB2 * 8);
        assertTrue((pde & PageTables.CACHE_DISABLE) != 0 && (pde & PageTables.HUGE) != 0);
        assertEquals(GuestLayout.DEVICE_WINDOW + 0x1234, PageTables.translateUser(mem, GuestLayout.DEVICE_WINDOW + 0x1234, true));
    }

    /** Under shadow paging a clear accessed or dirty bit costs the guest a fault KVM emulates: none may be clear. */
    @Test
    void everyPresentEntryIsAccessedAndEveryPageDirty() {
        int tables = 0, pages = 0;
        for (long table : new long[] {GuestLayout.PML4, GuestLayout.PDPT}) {
            long entry = mem.readU64(table);
            assertEquals(PageTables.ACCESSED, entry & PageTables.ACCESSED, "table entry at 0x" + Long.toHexString(table));
            tables++;
        }
        for (long i = 0; i < 512; i++) {
            long pde = mem.readU64(GuestLayout.PD + i * 8);
            if ((pde & PageTables.PRESENT) == 0) continue;
            long want = (pde & PageTables.HUGE) != 0 ? PageTables.ACCESSED | PageTables.DIRTY : PageTables.ACCESSED;
            assertEquals(want, pde & want, "PD entry " + i);
            if ((pde & PageTables.HUGE) != 0) pages++; else tables++;
        }
        for (long i = 0; i < 512; i++) {
            long pte = mem.readU64(GuestLayout.PT_LOW + i * 8);
            if ((pte & PageTables.PRESENT) == 0) continue;
            assertEquals(PageTables.ACCESSED | PageTables.DIRTY, pte & (PageTables.ACCESSED | PageTables.DIRTY), "PT entry " + i);
            pages++;
        }
        assertEquals(3, tables, "PML4, PDPT and PD entries leading to the low page table");
        assertEquals(511 + RAM / GuestLayout.MIB2 - 1 + 1, pages, "the low 4 KiB pages but page 0, the 2 MiB pages, the device window");
    }

    @Test
    void ramSizeIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> PageTables.build(mem, RAM + 4096));
        assertThrows(IllegalArgumentException.class, () -> GuestLayout.checkRamSize(2L << 20));
        assertThrows(IllegalArgumentException.class, () -> GuestLayout.checkRamSize(GuestLayout.DEVICE_WINDOW + GuestLayout.MIB2));
    }

    @Test
    void gdtHasUserSegmentsAndABusyableTss() {
        assertEquals(0x00AFFA000000FFFFL, mem.readU64(GuestLayout.GDT + 0x20), "64-bit user code, DPL3");
        assertEquals(0x00CFF2000000FFFFL, mem.readU64(GuestLayout.GDT + 0x18), "user data, DPL3");
        long tss = mem.readU64(GuestLayout.GDT + 0x28);
        assertEquals(GuestLayout.TSS, ((tss >>> 16) & 0xFFFFFF) | (((tss >>> 56) & 0xFF) << 24));
        assertEquals(0x89, (tss >>> 40) & 0xFF);
        assertEquals(GuestLayout.EXCEPTION_STACK_TOP, mem.readU64(GuestLayout.TSS + 4), "rsp0");
    }

    @Test
    void tssLimitCoversTheIoBitmapAndItsTerminator() {
        long tss = mem.readU64(GuestLayout.GDT + 0x28);
        long limit = (tss & 0xFFFF) | (((tss >>> 48) & 0xF) << 16);
        assertEquals(DescriptorTables.TSS_LIMIT, limit, "the GDT's TSS limit");
        assertEquals(104 + IoPermissionBitmap.BYTES, limit, "104-byte TSS, the bitmap, the 0xFF byte");
        assertEquals(IoPermissionBitmap.TSS_OFFSET, mem.readU16(GuestLayout.TSS + 102), "I/O map base");
        assertEquals((byte) 0xFF, mem.readU8(GuestLayout.TSS + limit), "terminator byte, the last within the limit");
        assertTrue(GuestLayout.TSS + limit < GuestLayout.IDT, "TSS and bitmap stay in their page");
    }

    @Test
    void atBootTheBitmapRefusesEveryPort() {
        for (int port = 0; port <= 0xFFFF; port++) {
            assertFalse(IoPermissionBitmap.allowedByTss(mem, GuestLayout.TSS, DescriptorTables.TSS_LIMIT, port, 1),
                    "port 0x" + Integer.toHexString(port));
        }
    }

    @Test
    void grantedPortsAndOnlyThoseAreAllowedAsTheCpuReadsTheTss() {
        IoPermissionBitmap bitmap = new IoPermissionBitmap().grant(0x100, 1).grant(0xF2, 1).grant(0x3F8, 8);
        bitmap.writeTo(mem);
        for (int port = 0; port <= 0xFFFF; port++) {
            for (int size : new int[] {1, 2, 4}) {
                boolean granted = true;
                for (int p = port; p < port + size; p++) granted &= p == 0x100 || p == 0xF2 || (p >= 0x3F8 && p < 0x400);
                String what = size + " bytes at port 0x" + Integer.toHexString(port);
                assertEquals(granted, bitmap.allows(port, size), what);
                assertEquals(granted, IoPermissionBitmap.allowedByTss(mem, GuestLayout.TSS, DescriptorTables.TSS_LIMIT, port, size), what);
            }
        }
    }

    @Test
    void theCpuRefusesBitmapBytesBeyondTheTssLimit() {
        new IoPermissionBitmap().grant(0x3F8, 8).writeTo(mem);
        assertTrue(IoPermissionBitmap.allowedByTss(mem, GuestLayout.TSS, DescriptorTables.TSS_LIMIT, 0x3FF, 1));
        // the byte of port 0x3FF is the last bitmap byte; the CPU also reads the one after it
        assertFalse(IoPermissionBitmap.allowedByTss(mem, GuestLayout.TSS, DescriptorTables.TSS_LIMIT - 1, 0x3FF, 1));
        assertFalse(IoPermissionBitmap.allowedByTss(mem, GuestLayout.TSS, 103, 0x3F8, 1), "a TSS without a bitmap");
        mem.writeU16(GuestLayout.TSS + 102, (short) (DescriptorTables.TSS_LIMIT + 1));
        assertFalse(IoPermissionBitmap.allowedByTss(mem, GuestLayout.TSS, DescriptorTables.TSS_LIMIT, 0x3F8, 1),
                "an I/O map base beyond the limit grants nothing");
    }

    @Test
    void theFaultPortAndPortsPastTheBitmapCannotBeGranted() {
        IoPermissionBitmap bitmap = new IoPermissionBitmap();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> bitmap.grant(GuestLayout.FAULT_PORT, 1))
                .getMessage().contains("report port"));
        assertThrows(IllegalArgumentException.class, () -> bitmap.grant(0xE0, 0x20), "a range over the fault port");
        assertThrows(IllegalArgumentException.class, () -> bitmap.grant(IoPermissionBitmap.PORTS, 1));
        assertThrows(IllegalArgumentException.class, () -> bitmap.grant(IoPermissionBitmap.PORTS - 1, 2));
        assertThrows(IllegalArgumentException.class, () -> bitmap.grant(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> bitmap.grant(0x100, 0));
        assertFalse(bitmap.allows(GuestLayout.FAULT_PORT, 1), "nothing was granted by the failed calls");
        assertFalse(bitmap.allows(0x100, 1));
    }

    @Test
    void theSyscallInstructionEntersTheStubWhichReportsAndReturns() {
        BootInfo.create(mem, "pio");
        DescriptorTables.writeSyscallEntry(mem);
        byte[] stub = new byte[5];
        mem.read(DescriptorTables.SYSCALL_ENTRY, stub, 0, 5);
        assertArrayEquals(new byte[] {(byte) 0xE6, (byte) GuestLayout.SYSCALL_PORT, 0x48, 0x0F, 0x07}, stub, "out $port; sysretq");
        assertEquals(DescriptorTables.SYSCALL_ENTRY + 2, DescriptorTables.SYSCALL_REPORTED_RIP);
        assertEquals(DescriptorTables.SYSCALL_ENTRY, PageTables.translateUser(mem, DescriptorTables.SYSCALL_ENTRY, false),
                "user-executable: on PVM syscall reaches it at CPL3");
        assertEquals(-1, PageTables.translateUser(mem, DescriptorTables.SYSCALL_ENTRY, true), "and read-only");
        long[] values = CpuState.syscallMsrValues();
        int[] indices = CpuState.syscallMsrIndices();
        assertArrayEquals(new int[] {0xC0000081, 0xC0000082, 0xC0000084}, indices, "STAR, LSTAR, SFMASK");
        long star = values[0];
        assertEquals(DescriptorTables.KERNEL_CS, (star >>> 32) & 0xFFFF, "syscall: CS = kernel code");
        assertEquals(DescriptorTables.USER_CS, ((star >>> 48) + 16) | 3, "sysretq: CS = user code");
        assertEquals(DescriptorTables.USER_DS, ((star >>> 48) + 8) | 3, "sysretq: SS = user data");
        assertEquals(DescriptorTables.SYSCALL_ENTRY, values[1]);
        assertEquals(0x100, values[2] & 0x100, "SFMASK clears TF: no single step into the stub");
        io.torovj.kvm.KvmSregs sregs = new io.torovj.kvm.KvmSregs();
        CpuState.setSregs(sregs);
        assertEquals(1, sregs.efer() & 1, "EFER.SCE");
    }

    @Test
    void userModeStartsWithIoplZero() {
        io.torovj.kvm.KvmRegs regs = new io.torovj.kvm.KvmRegs();
        CpuState.setRegs(regs, 0x401000, 0x7FF000);
        assertEquals(0, regs.rflags() & 0x3000, "IOPL=0: the I/O bitmap alone decides user-mode port I/O");
        io.torovj.kvm.KvmSregs sregs = new io.torovj.kvm.KvmSregs();
        CpuState.setSregs(sregs);
        assertEquals(GuestLayout.TSS, sregs.base(io.torovj.kvm.KvmSregs.Segment.TR));
        assertEquals(DescriptorTables.TSS_LIMIT, sregs.limit(io.torovj.kvm.KvmSregs.Segment.TR), "TR's limit covers the bitmap");
    }

    @Test
    void portIoInstructionsAreDecodedForTheFaultReport() {
        long at = GuestLayout.PROGRAM_MIN;
        Object[][] cases = {
            {new byte[] {(byte) 0xE6, (byte) 0x80}, 0L, "1-byte out to I/O port 0x80"},
            {new byte[] {(byte) 0xE5, 0x71}, 0L, "4-byte in from I/O port 0x71"},
            {new byte[] {0x66, (byte) 0xEF}, 0x12345L, "2-byte out to I/O port 0x2345"},
            {new byte[] {0x48, (byte) 0xEC}, 0xF0L, "1-byte in from I/O port 0xf0"},
            {new byte[] {(byte) 0xF3, 0x6E}, 0x80L, "1-byte rep outs to I/O port 0x80"},
            {new byte[] {0x6D}, 0x3F8L, "4-byte ins from I/O port 0x3f8"},
        };
        for (Object[] c : cases) {
            mem.write(at, (byte[]) c[0]);
            PortIoInstruction io = PortIoInstruction.decode(mem, at, (long) c[1]);
            assertEquals(c[2], io == null ? null : io.describe());
        }
        mem.write(at, new byte[] {(byte) 0xFA});
        assertNull(PortIoInstruction.decode(mem, at, 0), "cli is no port I/O");
        mem.writeU8(RAM - 1, (byte) 0x66);
        assertNull(PortIoInstruction.decode(mem, RAM - 1, 0), "prefix bytes run off the end of RAM");
        mem.writeU8(RAM - 1, (byte) 0xE6);
        assertNull(PortIoInstruction.decode(mem, RAM - 1, 0), "the immediate lies beyond RAM");
    }

    @Test
    void idtGatesPointAtStubsThatReportThroughTheFaultPort() {
        for (int v : new int[] {0, 3, 6, 13, 14, 31}) {
            long lo = mem.readU64(GuestLayout.IDT + v * 16L);
            long hi = mem.readU64(GuestLayout.IDT + v * 16L + 8);
            long handler = (lo & 0xFFFF) | (((lo >>> 48) & 0xFFFF) << 16) | (hi << 32);
            assertEquals(GuestLayout.HANDLER_CODE + v * 16L, handler, "vector " + v);
            assertEquals(DescriptorTables.KERNEL_CS, (lo >>> 16) & 0xFFFF);
            int dpl = (int) ((lo >>> 45) & 3);
            assertEquals(v == 3 ? 3 : 0, dpl, "only #BP (and #OF) may be raised from user code");
            // a vector without CPU error code pushes a dummy 0 first (6A 00), then push imm32 vector
            boolean pushesZero = mem.readU8(handler) == 0x6A;
            assertEquals(!DescriptorTables.hasErrorCode(v), pushesZero, "vector " + v);
            long pushAt = handler + (pushesZero ? 2 : 0);
            assertEquals(0x68, mem.readU8(pushAt) & 0xFF);
            assertEquals(v, mem.readU32(pushAt + 1));
        }
        // the common handler: push %rax; push %rdx; mov %cr2,%rax; push %rax; mov $FAULT_PORT,%dx;
        // out %al,%dx; add $8,%rsp; pop %rdx; pop %rax; add $16,%rsp; iretq
        long common = DescriptorTables.COMMON_HANDLER;
        byte[] expected = {
            0x50, 0x52, 0x0F, 0x20, (byte) 0xD0, 0x50, 0x66, (byte) 0xBA, (byte) GuestLayout.FAULT_PORT, 0x00,
            (byte) 0xEE, 0x48, (byte) 0x83, (byte) 0xC4, 0x08, 0x5A, 0x58, 0x48, (byte) 0x83, (byte) 0xC4, 0x10,
            0x48, (byte) 0xCF,
        };
        byte[] actual = new byte[expected.length];
        mem.read(common, actual, 0, actual.length);
        assertArrayEquals(expected, actual);
        // the vCPU is just after the OUT when the report exits; the process platform says the same
        assertEquals(common + 11, DescriptorTables.FAULT_REPORTED_RIP);
        assertTrue(DescriptorTables.isHandlerReport(common + 10));
        assertTrue(DescriptorTables.isHandlerReport(common + 11));
        assertFalse(DescriptorTables.isHandlerReport(common + 12));
        assertFalse(DescriptorTables.isHandlerReport(0x401000));
    }

    @Test
    void faultFrameIsTenQwordsBelowTheExceptionStackTop() throws Exception {
        assertEquals(GuestLayout.EXCEPTION_STACK_TOP - 80, GuestLayout.FAULT_FRAME);
        assertEquals(80, GuestFault.FRAME_BYTES);
        long f = GuestLayout.FAULT_FRAME;
        long[] slots = {0xC2, 0xD0, 0xA0, 14, 6, 0x401234, DescriptorTables.USER_CS, 0x3246, 0x7FF000, DescriptorTables.USER_DS};
        for (int i = 0; i < slots.length; i++) mem.writeU64(f + 8L * i, slots[i]);
        GuestFault fault = GuestFault.readFrame(mem, f);
        assertEquals(new GuestFault(14, 6, 0x401234, 0xC2, DescriptorTables.USER_CS, 0x3246, 0x7FF000,
                DescriptorTables.USER_DS, 0xA0, 0xD0), fault);
        GuestFault.writeRip(mem, f, 0x401000);
        GuestFault.writeRflags(mem, f, 0x3346);
        GuestFault.writeRax(mem, f, 1);
        GuestFault.writeRdx(mem, f, 2);
        GuestFault.writeRsp(mem, f, 0x7FE000);
        GuestFault changed = GuestFault.readFrame(mem, f);
        assertEquals(0x401000, changed.rip());
        assertEquals(0x3346, changed.rflags());
        assertEquals(1, changed.rax());
        assertEquals(2, changed.rdx());
        assertEquals(0x7FE000, changed.rsp());
        assertNull(GuestFault.readFrame(mem, RAM - 8), "a frame running off guest RAM");
        assertNull(GuestFault.readFrame(mem, -8));
        // the process platform's launcher shares these numbers: io.torovj.kvm.ProcessVcpuLayoutTest
    }

    @Test
    void bootInfoCarriesTransportAndAddresses() {
        BootInfo info = BootInfo.create(mem, "ring");
        info.setTransportArea(GuestLayout.TRANSPORT_AREA, 4096);
        info.setDoorbellPort(0x100);
        assertEquals(GuestAbi.BOOT_MAGIC, mem.readU64(GuestLayout.BOOT_INFO));
        assertEquals('r', mem.readU8(GuestLayout.BOOT_INFO + GuestAbi.BOOT_TRANSPORT));
        assertEquals(0, mem.readU8(GuestLayout.BOOT_INFO + GuestAbi.BOOT_TRANSPORT + 4));
        assertEquals(GuestLayout.requestBlock(0), mem.readU64(GuestLayout.BOOT_INFO + GuestAbi.BOOT_REQUEST_BLOCK));
        assertEquals(0x100, mem.readU32(GuestLayout.BOOT_INFO + GuestAbi.BOOT_DOORBELL_PORT));
        assertThrows(IllegalArgumentException.class, () -> BootInfo.create(mem, "a-name-far-too-long"));
    }

    @Test
    void initialStackIsLinuxShaped() {
        byte[] random = new byte[16];
        for (int i = 0; i < 16; i++) random[i] = (byte) (i + 1);
        long sp = InitialStack.build(mem, RAM, new InitialStack.Program(0x401000, 0x400040, 9, "prog", random),
                List.of("prog", "a1"), List.of("K=V"));
        assertEquals(0, sp % 16);
        assertEquals(2, mem.readU64(sp));
        assertEquals("prog", cString(mem.readU64(sp + 8)));
        assertEquals("a1", cString(mem.readU64(sp + 16)));
        assertEquals(0, mem.readU64(sp + 24));
        assertEquals("K=V", cString(mem.readU64(sp + 32)));
        assertEquals(0, mem.readU64(sp + 40));
        long aux = sp + 48;
        java.util.Map<Long, Long> auxv = new java.util.HashMap<>();
        for (; mem.readU64(aux) != 0; aux += 16) auxv.put(mem.readU64(aux), mem.readU64(aux + 8));
        assertEquals(GuestLayout.BOOT_INFO, auxv.get(GuestAbi.AT_BOOT_INFO));
        assertEquals(0x401000, auxv.get(InitialStack.AT_ENTRY));
        assertEquals(0x400040, auxv.get(InitialStack.AT_PHDR));
        assertEquals(56, auxv.get(InitialStack.AT_PHENT));
        assertEquals(9, auxv.get(InitialStack.AT_PHNUM));
        assertEquals(GuestLayout.PAGE, auxv.get(InitialStack.AT_PAGESZ));
        assertEquals("prog", cString(auxv.get(InitialStack.AT_EXECFN)));
        assertEquals("x86_64", cString(auxv.get(InitialStack.AT_PLATFORM)));
        byte[] seen = new byte[16];
        mem.read(auxv.get(InitialStack.AT_RANDOM), seen, 0, 16);
        assertArrayEquals(random, seen, "AT_RANDOM's 16 bytes");
        assertEquals(0, auxv.get(InitialStack.AT_SECURE));
        assertFalse(auxv.containsKey(33L), "no vDSO: AT_SYSINFO_EHDR absent");
    }

    @Test
    void oversizedArgumentsAreRefused() {
        String huge = "x".repeat((int) GuestLayout.STACK_SIZE);
        assertThrows(IllegalArgumentException.class, () -> InitialStack.build(mem, RAM,
                new InitialStack.Program(0x401000, 0, 1, "p", new byte[16]), List.of(huge), List.of()));
    }

    private String cString(long gpa) {
        byte[] b = new byte[256];
        int n = mem.readCString(gpa, b, 255);
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}
