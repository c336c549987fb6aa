package io.torovj.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The KVM layer end to end on the smallest guest there is, as rust-vmm kvm-ioctls'
 * {@code test_run_code}: a VM, a few pages of host memory as guest RAM, 13 bytes of real-mode
 * code, registers in, exits out, registers back. Runs first in this module (see
 * junit-platform.properties) so that a broken KVM layer shows up here, not as a puzzle in a
 * later monitor test. Uses only the io.torovj.kvm and io.torovj.sys classes.
 */
@Order(1)
class KvmSmokeTest {
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20;
    /** Guest RAM: four pages at guest-physical 0x1000 (slot 0); 0x8000 and up are unbacked (MMIO). */
    private static final long RAM_BASE = 0x1000, RAM_SIZE = 0x4000;
    /** As the KVM platform does: Intel VMX wants three pages for real-mode emulation outside RAM. */
    private static final long VMX_TSS_ADDRESS = 0xFFFB_D000L;

    private static final int PORT = 0x3f8;
    private static final long RAX_IN = 2, RBX_IN = 3;
    private static final int IN_DATA = 0x42;
    /** Real mode: CS = 0x0100 (base 0x1000: the start of RAM), DS = 0x0700 (base 0x7000). */
    private static final int CS_SELECTOR = 0x0100, DS_SELECTOR = 0x0700;
    private static final long MMIO_ADDRESS = (DS_SELECTOR << 4) + 0x1000;  // ds:0x1000 = 0x8000, above RAM

    private static final byte[] CODE = {
        (byte) 0xba, (byte) 0xf8, 0x03,   // 0x0: mov $0x3f8, %dx
        0x00, (byte) 0xd8,                // 0x3: add %bl, %al
        0x04, '0',                        // 0x5: add $'0', %al
        (byte) 0xee,                      // 0x7: out %al, (%dx)       -> KVM_EXIT_IO out, data '0' + rax + rbx
        (byte) 0xec,                      // 0x8: in (%dx), %al        -> KVM_EXIT_IO in, the host answers IN_DATA
        (byte) 0xa2, 0x00, 0x10,          // 0x9: mov %al, %ds:0x1000  -> KVM_EXIT_MMIO write of IN_DATA at 0x8000
        (byte) 0xf4,                      // 0xc: hlt                  -> KVM_EXIT_HLT
    };
    private static final long RIP_AFTER_HLT = 0xd;
    /** Far above what the code needs even emulated (PVM): a hung guest is kicked and the test fails. */
    private static final int WATCHDOG_SECONDS = 60;

    static void assumeKvm() {
        if (!Kvm.deviceExists()) {
            String why = "SKIPPED KVM CASE: /dev/kvm is absent on this host, so the KVM smoke test (create a VM, run "
                    + "13 bytes of real-mode code, check its exits and registers) cannot run. Run on a host with /dev/kvm.";
            System.err.println("!!!!!! " + why);
            Assumptions.abort(why);
        }
    }

    @Test
    void runsRealModeCodeAndReportsItsExitsAndRegisters() throws Exception {
        assumeKvm();
        withGuest(vcpu -> {
            KvmRegs regs = new KvmRegs();
            KvmSregs sregs = new KvmSregs();
            enterRealMode(vcpu, regs, sregs);

            VcpuExit exit = vcpu.run();
            expectExit(vcpu, exit, VcpuExit.Kind.IO_OUT, "the out");
            assertEquals(KvmAbi.KVM_EXIT_IO, exit.reason(), "raw exit reason of the out");
            assertEquals(PORT, exit.port(), "port of the out");
            assertEquals(1, exit.size(), "size of the out");
            assertEquals(1, exit.count(), "count of the out");
            assertEquals('0' + RAX_IN + RBX_IN, exit.data(), "data of the out: '0' + rax + rbx as the guest computed it");

            exit = vcpu.run();
            expectExit(vcpu, exit, VcpuExit.Kind.IO_IN, "the in");
            assertEquals(PORT, exit.port(), "port of the in");
            assertEquals(1, exit.size(), "size of the in");
            exit.complete(IN_DATA);

            exit = vcpu.run();
            expectExit(vcpu, exit, VcpuExit.Kind.MMIO_WRITE, "the store to unbacked memory");
            assertEquals(KvmAbi.KVM_EXIT_MMIO, exit.reason(), "raw exit reason of the store");
            assertEquals(MMIO_ADDRESS, exit.address(), "guest-physical address of the store (ds base + 0x1000)");
            assertEquals(1, exit.length(), "length of the store");
            assertEquals(IN_DATA, exit.data(), "stored byte: what the host answered to the in");

            exit = vcpu.run();
            expectExit(vcpu, exit, VcpuExit.Kind.HLT, "the hlt");
            assertEquals(KvmAbi.KVM_EXIT_HLT, exit.reason(), "raw exit reason of the hlt");

            vcpu.getRegs(regs);
            assertEquals(IN_DATA, regs.rax(), "rax: al from the in, the upper bits from rax as set");
            assertEquals(RBX_IN, regs.rbx(), "rbx unchanged");
            assertEquals(PORT, regs.rdx(), "rdx: the port the code loaded");
            assertEquals(RIP_AFTER_HLT, regs.rip(), "rip just after the hlt");
            vcpu.getSregs(sregs);
            assertEquals(CS_SELECTOR, sregs.selector(KvmSregs.Segment.CS), "cs selector");
            assertEquals((long) CS_SELECTOR << 4, sregs.base(KvmSregs.Segment.CS), "cs base");
            assertEquals(DS_SELECTOR, sregs.selector(KvmSregs.Segment.DS), "ds selector");
            assertEquals(0, sregs.cr0() & 1, "cr0.PE: still real mode");
        });
    }

    @Test
    void kickBeforeRunReturnsKickedAndTheNextRunEntersTheGuest() throws Exception {
        assumeKvm();
        withGuest(vcpu -> {
            KvmRegs regs = new KvmRegs();
            enterRealMode(vcpu, regs, new KvmSregs());

            vcpu.kick();  // kvm_run.immediate_exit: KVM_RUN returns EINTR before entering the guest
            assertEquals(VcpuExit.Kind.KICKED, vcpu.run().kind(), "run after a kick");
            vcpu.getRegs(regs);
            assertEquals(0, regs.rip(), "a kicked run executed nothing");
            VcpuExit exit = vcpu.run();
            expectExit(vcpu, exit, VcpuExit.Kind.IO_OUT, "the out, once immediate_exit is cleared");
            assertEquals('0' + RAX_IN + RBX_IN, exit.data(), "data of the out");
        });
    }

    /**
     * A pooled VM's reset on the vCPU: registers reloaded over an exit whose instruction KVM
     * would complete at the next KVM_RUN (the in, left unanswered), after a settle. They read
     * back as reloaded before the run (kvm_run's sync area, where KVM offers it), and the run
     * starts from them: the in's completion lands on nothing.
     */
    @Test
    void registersReloadedAfterASettleReadBackAsSetAndTheRunStartsFromThem() throws Exception {
        assumeKvm();
        withGuest(vcpu -> {
            KvmRegs regs = new KvmRegs();
            KvmSregs sregs = new KvmSregs();
            enterRealMode(vcpu, regs, sregs);
            vcpu.saveExtendedState();
            expectExit(vcpu, vcpu.run(), VcpuExit.Kind.IO_OUT, "the out");
            expectExit(vcpu, vcpu.run(), VcpuExit.Kind.IO_IN, "the in");
            vcpu.settle();
            regs.set(0, 5);  // rax
            regs.set(1, 6);  // rbx
            regs.setRip(0);
            regs.setRflags(0x2);
            vcpu.reload(regs, sregs);
            vcpu.restoreExtendedState();
            KvmRegs back = new KvmRegs();
            vcpu.getRegs(back);
            assertEquals(0, back.rip(), "rip read back before the run: the reloaded one");
            assertEquals(5, back.rax(), "rax read back before the run");
            VcpuExit exit = vcpu.run();
            expectExit(vcpu, exit, VcpuExit.Kind.IO_OUT, "the out again, from rip 0");
            assertEquals('0' + 5 + 6, exit.data(), "the out adds the reloaded rax and rbx");
        });
    }

    /** rax and rbx the code adds, rip 0, and real-mode CS and DS whose bases differ from their defaults. */
    private static void enterRealMode(VcpuFd vcpu, KvmRegs regs, KvmSregs sregs) {
        regs.set(0, RAX_IN);  // rax
        regs.set(1, RBX_IN);  // rbx
        regs.setRip(0);
        regs.setRflags(0x2);
        vcpu.setRegs(regs);
        vcpu.getSregs(sregs);
        sregs.setSegment(KvmSregs.Segment.CS, (long) CS_SELECTOR << 4, 0xffff, CS_SELECTOR, 0xb, true, 0,
                false, true, false, false, false);
        sregs.setSegment(KvmSregs.Segment.DS, (long) DS_SELECTOR << 4, 0xffff, DS_SELECTOR, 0x3, true, 0,
                false, true, false, false, false);
        vcpu.setSregs(sregs);
    }

    interface GuestBody {
        void run(VcpuFd vcpu) throws Exception;
    }

    /**
     * Maps RAM, writes {@link #CODE} at its start, and runs {@code body} on a thread of its own
     * bound to the vCPU (the kick signal stays blocked there, not on JUnit's thread). If the
     * guest does not exit within {@link #WATCHDOG_SECONDS}, the vCPU is kicked so the test fails instead of hanging.
     */
    private static void withGuest(GuestBody body) throws Exception {
        long host = LibC.INSTANCE.mmap(0, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assertTrue(host != -1L, "mmap of guest RAM failed: " + LibC.INSTANCE.strerror(LibC.errno()));
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "kvm-smoke-vcpu"));
        try (Kvm kvm = Kvm.open(); VmFd vm = kvm.createVm()) {
            NativeBuffer.over(host, (int) RAM_SIZE).put(0, CODE, 0, CODE.length);
            if (KvmFlavour.detect().kind() == KvmFlavour.Kind.VMX) vm.setTssAddress(VMX_TSS_ADDRESS);
            vm.setUserMemoryRegion(0, RAM_BASE, RAM_SIZE, host);
            try (VcpuFd vcpu = vm.createVcpu(0)) {
                Future<Void> done = thread.submit((Callable<Void>) () -> {
                    vcpu.bindToCurrentThread();
                    body.run(vcpu);
                    return null;
                });
                try {
                    done.get(WATCHDOG_SECONDS, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    vcpu.kick();
                    try {
                        done.get(10, TimeUnit.SECONDS);
                    } catch (ExecutionException kicked) {
                        throw new AssertionError("guest did not exit within " + WATCHDOG_SECONDS + " s; after a kick: " + kicked.getCause(), kicked.getCause());
                    }
                    fail("guest did not exit within " + WATCHDOG_SECONDS + " s");
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof Error err) throw err;
                    if (cause instanceof Exception ex) throw ex;
                    throw e;
                }
            }
        } finally {
            thread.shutdownNow();
            thread.awaitTermination(10, TimeUnit.SECONDS);
            LibC.INSTANCE.munmap(host, RAM_SIZE);
        }
    }

    private static void expectExit(VcpuFd vcpu, VcpuExit exit, VcpuExit.Kind expected, String what) {
        if (exit.kind() == expected) return;
        KvmRegs regs = new KvmRegs();
        vcpu.getRegs(regs);
        fail("expected " + expected + " from " + what + ", got " + exit + " (" + KvmAbi.exitReasonName(exit.reason())
                + ") at rip 0x" + Long.toHexString(regs.rip()));
    }
}
