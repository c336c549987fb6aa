package io.torovj.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.abi.GuestAbi;
import io.torovj.boot.GuestLayout;
import io.torovj.kvm.Kvm;
import io.torovj.report.ResultsSchema;
import io.torovj.vmm.Vm;
import io.torovj.vmm.VmBuilder;
import io.torovj.vmm.VmConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The like-for-like cold floor: a cold pio HelloWorld's boot image as the monitor writes it
 * (io.torovj.vmm.BootImage), and cfloor replaying it without the monitor (floor-c-vm-hello).
 */
class HelloReplayTest {
    @TempDir Path dir;

    @BeforeEach
    void needsKvm() {
        Assumptions.assumeTrue(Kvm.deviceExists(), "SKIPPED LOUDLY: /dev/kvm is absent: a boot image is a KVM VM's");
    }

    private Path image(GuestLauncher launcher) throws Exception {
        Path file = dir.resolve("hello.boot");
        try (Vm vm = VmBuilder.build(launcher.vmConfig("pio", "helloworld"))) {
            vm.writeBootImage(file);
        }
        return file;
    }

    @Test
    void theImageHoldsTheBuildsPagesRegistersAndDoorbell() throws Exception {
        try (GuestLauncher launcher = new GuestLauncher(dir)) {
            VmConfig config = launcher.vmConfig("pio", "helloworld");
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(image(launcher))).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[8];
            b.get(magic);
            assertArrayEquals("TVJBOOT1".getBytes(java.nio.charset.StandardCharsets.US_ASCII), magic);
            assertEquals(config.memorySize(), b.getLong());
            long requestBlock = b.getLong();
            int port = b.getInt();
            assertEquals(GuestLayout.requestBlock(0), requestBlock, "vCPU 0's request block");
            assertTrue(port > 0 && port <= 0xFFFF, "the pio doorbell: " + port);
            assertEquals(144, b.getInt(), "sizeof(struct kvm_regs)");
            assertEquals(312, b.getInt(), "sizeof(struct kvm_sregs)");
            int msrs = b.getInt(), pages = b.getInt();
            assertEquals(0, b.getInt());
            assertEquals(3, msrs, "STAR, LSTAR, SFMASK as the build sets them");
            long rip = b.getLong(48 + 16 * 8), rsp = b.getLong(48 + 6 * 8);     // kvm_regs (after the header): rax..r15, rip, rflags
            assertTrue(rip >= GuestLayout.PROGRAM_MIN && rip < config.memorySize(), "rip at the program's entry: 0x" + Long.toHexString(rip));
            assertTrue(rsp > GuestLayout.stackBottom(config.memorySize()) && rsp < config.memorySize(), "rsp on the initial stack");
            b.position(48 + 144 + 312 + 16 * msrs);
            Set<Long> gpas = new HashSet<>();
            long last = -1;
            for (int i = 0; i < pages; i++) {
                long gpa = b.getLong();
                assertTrue(gpa > last && gpa % 4096 == 0, "pages in address order: 0x" + Long.toHexString(gpa));
                last = gpa;
                gpas.add(gpa);
                if (gpa == GuestLayout.BOOT_INFO) {
                    assertEquals(port, b.getInt(b.position() + GuestAbi.BOOT_DOORBELL_PORT), "the header's port is the boot info's");
                }
                b.position(b.position() + 4096);
            }
            assertEquals(0, b.remaining(), "nothing after the last page");
            assertTrue(gpas.contains(GuestLayout.BOOT_INFO) && gpas.contains(GuestLayout.PML4) && gpas.contains(rsp & ~4095L),
                    "the boot info, the page tables and the stack's page are in the image: " + gpas.size() + " pages");
        }
    }

    @Test
    void cfloorReplaysTheImageToHelloWorldsExit() throws Exception {
        try (GuestLauncher launcher = new GuestLauncher(dir)) {
            Path file = image(launcher);
            CFloorProbe.Result r = CFloorProbe.runOnly(List.of(ResultsSchema.C_FLOOR_VM_HELLO), 2000, 1000, 30, 300, file);
            CFloorProbe.Line hello = r.line(ResultsSchema.C_FLOOR_VM_HELLO);
            assertEquals(30, hello.samples(), hello.toString());
            assertTrue(hello.p50() > 10_000, "a VM's whole life takes more than 10 µs: " + hello);
            String served = r.facts().stream().filter(f -> f.startsWith("hello ")).findFirst().orElseThrow();
            assertTrue(served.contains(" 14.0 bytes written and 0.0 calls answered -ENOSYS per VM"),
                    "each replayed guest wrote \"Hello, World!\\n\" and asked for nothing else: " + served);
            assertTrue(r.steps(ResultsSchema.C_FLOOR_VM_HELLO).startsWith("memory "), r.steps(ResultsSchema.C_FLOOR_VM_HELLO));
        }
    }

    @Test
    void aFileThatIsNotABootImageIsAUsageErrorOfOneLine() throws Exception {
        Path bad = Files.write(dir.resolve("bad.boot"), "TVJBOOT0 not an image".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CFloorProbe.runOnly(List.of(ResultsSchema.C_FLOOR_VM_HELLO), 2000, 1000, 30, 300, bad));
        assertTrue(e.getMessage().contains("status 2") && e.getMessage().contains("--image"), e.getMessage());
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> CFloorProbe.runOnly(List.of(ResultsSchema.C_FLOOR_VM_HELLO), 2000, 1000, 30, 300, null));
        assertTrue(none.getMessage().contains("status 2") && none.getMessage().contains("--image"), none.getMessage());
    }

    @Test
    void aVmThatHasRunHasNoBootImage() throws Exception {
        try (GuestLauncher launcher = new GuestLauncher(dir); Vm vm = VmBuilder.build(launcher.vmConfig("pio", "helloworld"))) {
            vm.run();
            assertThrows(IllegalStateException.class, () -> vm.writeBootImage(dir.resolve("late.boot")));
        }
    }
}
