package io.torovj.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.kvm.KvmAbi;
import io.torovj.kvm.KvmRegs;
import io.torovj.kvm.KvmSregs;
import io.torovj.kvm.Vcpu;
import io.torovj.kvm.VcpuExit;
import io.torovj.lifecycle.Ending;
import io.torovj.transport.DeviceBus;
import io.torovj.transport.MmioDevice;
import io.torovj.transport.PortIoDevice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The run loop's routing, over synthetic exits: no VM, no KVM. */
class VcpuLoopTest {
    /** A vCPU whose exits are scripted; it records what the loop asked of it. */
    static final class ScriptedVcpu implements Vcpu {
        @Override public void settle() { }
        @Override public void saveExtendedState() { }
        @Override public void restoreExtendedState() { }

        final List<VcpuExit> script = new ArrayList<>();
        final List<Long> answers = new ArrayList<>();
        private int next;
        private VcpuExit last;
        long rip = 0x401234;

        ScriptedVcpu then(VcpuExit exit) { script.add(exit); return this; }

        @Override public void bindToCurrentThread() { }
        @Override public VcpuExit run() {
            if (last != null && last.completed()) answers.add(last.answer());
            if (next >= script.size()) throw new AssertionError("the loop ran past the script");
            return last = script.get(next++);
        }
        @Override public void getRegs(KvmRegs regs) { regs.setRip(rip); }
        @Override public void setRegs(KvmRegs regs) { }
        @Override public void getSregs(KvmSregs sregs) { }
        @Override public void setSregs(KvmSregs sregs) { }
        @Override public void setMsrs(int[] indices, long[] values) { }
        @Override public long cpuNanos() { return 0; }
        @Override public void kick() { }
        @Override public void close() { }
    }

    /** A port and MMIO device that records accesses and answers reads with a fixed value. */
    static final class Recorder implements PortIoDevice, MmioDevice {
        final List<String> log = new ArrayList<>();
        @Override public void out(int port, int size, long value) { log.add(String.format("out %x %d %x", port, size, value)); }
        @Override public long in(int port, int size) { log.add(String.format("in %x %d", port, size)); return 0xAB; }
        @Override public void write(long address, int length, long value) { log.add(String.format("write %x %d %x", address, length, value)); }
        @Override public long read(long address, int length) { log.add(String.format("read %x %d", address, length)); return 0x1122; }
    }

    private final DeviceBus<PortIoDevice> ports = new DeviceBus<>("I/O port");
    private final DeviceBus<MmioDevice> mmio = new DeviceBus<>("MMIO");
    private final Recorder device = new Recorder();
    private final VcpuControl control = new VcpuControl();

    VcpuLoopTest() {
        ports.register(0x100, 1, device);
        mmio.register(0x3FE0_0000L, 4096, device);
    }

    private static VcpuExit io(boolean in, int port, int size, int count, long data) {
        return new VcpuExit().setIo(in, port, size, count, data);
    }

    /** The guest's exit_group, as a device on the bus would end it. */
    private VcpuExit exitGroup() {
        ports.register(0x1F0, 1, (port, size, value) -> control.exit((int) value));
        return io(false, 0x1F0, 1, 1, 7);
    }

    private ScriptedVcpu runUntilStopped(ScriptedVcpu vcpu) {
        new VcpuLoop(vcpu, ports, mmio, control, null).run();
        return vcpu;
    }

    @Test
    void outsAndMmioStoresReachTheirDevicesWithTheirData() {
        runUntilStopped(new ScriptedVcpu().then(io(false, 0x100, 1, 1, 0x5A))
                .then(new VcpuExit().setMmio(true, 0x3FE0_0004L, 4, 0xFFFF_FFFF_1234_5678L)).then(exitGroup()));
        assertEquals(List.of("out 100 1 5a", "write 3fe00004 4 12345678"), device.log, "the store's value is masked to its length");
        assertEquals(Ending.EXITED, control.ending());
        assertEquals(7, control.status());
    }

    @Test
    void insAndMmioLoadsAreAnsweredThroughTheExit() {
        ScriptedVcpu vcpu = runUntilStopped(new ScriptedVcpu().then(io(true, 0x100, 2, 1, 0))
                .then(new VcpuExit().setMmio(false, 0x3FE0_0008L, 8, 0)).then(exitGroup()));
        assertEquals(List.of("in 100 2", "read 3fe00008 8"), device.log);
        assertEquals(List.of(0xABL, 0x1122L), vcpu.answers, "each answer reached the vCPU before it ran again");
    }

    @Test
    void anUnclaimedPortOrAddressEndsTheVmWithTheRip() {
        runUntilStopped(new ScriptedVcpu().then(io(false, 0x80, 1, 1, 0)));
        assertEquals(Ending.UNEXPECTED_EXIT, control.ending());
        assertEquals(134, control.status());
        assertEquals("guest accessed I/O port 0x80, which no device claims at rip=0x401234", control.report());
        assertTrue(device.log.isEmpty());

        VcpuControl second = new VcpuControl();
        new VcpuLoop(new ScriptedVcpu().then(new VcpuExit().setMmio(true, 0x3FF0_0000L, 4, 1)), ports, mmio, second, null).run();
        assertEquals("guest accessed unbacked guest-physical address 0x3ff00000 (4 bytes) at rip=0x401234", second.report());
    }

    @Test
    void stringIoIsRefusedWholeNeverServedInPart() {
        runUntilStopped(new ScriptedVcpu().then(io(false, 0x100, 1, 4, 0x61)));
        assertTrue(device.log.isEmpty(), "no item of a rep outs reached the device");
        assertEquals(Ending.UNEXPECTED_EXIT, control.ending());
        assertTrue(control.report().startsWith("guest used string I/O (rep outs, 4 items of 1 bytes) on port 0x100"), control.report());
    }

    @Test
    void everyOtherExitKindEndsTheVmWithItsOwnReport() {
        Object[][] cases = {
            {new VcpuExit().set(VcpuExit.Kind.SHUTDOWN, KvmAbi.KVM_EXIT_SHUTDOWN, 0), Ending.TRIPLE_FAULT, "guest triple fault (KVM_EXIT_SHUTDOWN)"},
            {new VcpuExit().set(VcpuExit.Kind.HLT, KvmAbi.KVM_EXIT_HLT, 0), Ending.UNEXPECTED_EXIT, "guest halted (KVM_EXIT_HLT)"},
            {new VcpuExit().set(VcpuExit.Kind.FAIL_ENTRY, KvmAbi.KVM_EXIT_FAIL_ENTRY, 0x21), Ending.UNEXPECTED_EXIT,
                    "KVM could not enter the guest (KVM_EXIT_FAIL_ENTRY, hardware reason 0x21)"},
            {new VcpuExit().set(VcpuExit.Kind.INTERNAL_ERROR, KvmAbi.KVM_EXIT_INTERNAL_ERROR, 1), Ending.UNEXPECTED_EXIT,
                    "KVM internal error (suberror 1)"},
            {new VcpuExit().set(VcpuExit.Kind.UNSUPPORTED, KvmAbi.KVM_EXIT_HLT + 100, 0), Ending.UNEXPECTED_EXIT, "unexpected VM exit: "},
        };
        for (Object[] c : cases) {
            VcpuControl ctl = new VcpuControl();
            new VcpuLoop(new ScriptedVcpu().then((VcpuExit) c[0]), ports, mmio, ctl, null).run();
            assertEquals(c[1], ctl.ending(), c[2].toString());
            assertEquals(((Ending) c[1]).status(), ctl.status());
            assertTrue(ctl.report().startsWith((String) c[2]) && ctl.report().endsWith(" at rip=0x401234"), ctl.report());
        }
    }

    @Test
    void aKickWithoutADebuggerOnlyReentersTheGuest() {
        runUntilStopped(new ScriptedVcpu().then(new VcpuExit().set(VcpuExit.Kind.KICKED, -1, 0)).then(exitGroup()));
        assertEquals(Ending.EXITED, control.ending(), "the kick itself ends nothing");
    }

    @Test
    void theExitIsDecodedIntoOneReusableValue() {
        VcpuExit e = new VcpuExit().setIo(true, 0x3F8, 4, 1, 0x99);
        assertEquals(VcpuExit.Kind.IO_IN, e.kind());
        assertEquals(0, e.data(), "an IN carries no data");
        assertFalse(e.completed());
        e.complete(5);
        assertTrue(e.completed());
        e.setMmio(true, 0x1000, 2, 0xABCDEF);
        assertEquals(VcpuExit.Kind.MMIO_WRITE, e.kind());
        assertEquals(0xCDEF, e.data());
        assertFalse(e.completed(), "refilling clears the previous exit's answer");
        assertEquals(0, e.port());
    }
}
