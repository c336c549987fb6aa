package io.torovj.kvm;

import io.torovj.boot.DescriptorTables;
import io.torovj.boot.GuestFault;
import io.torovj.boot.GuestLayout;
import io.torovj.testing.CProbe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The numbers the process platform's launcher shares with the monitor (vcpu_process_layout.h),
 * checked against the Java side by compiling the header: the guest's memory map, the exception
 * frame and where the handler reports it, the control page laid out like struct kvm_run.
 */
class ProcessVcpuLayoutTest {
    private static CProbe C;

    @BeforeAll
    static void compileAndRunProbe(@TempDir Path dir) throws IOException, InterruptedException {
        String[][] checks = {
            {"GUEST_RAM_START", "GUEST_RAM_START"}, {"DEVICE_WINDOW", "DEVICE_WINDOW"},
            {"DEVICE_WINDOW_END", "DEVICE_WINDOW_END"}, {"EXCEPTION_STACK_TOP", "EXCEPTION_STACK_TOP"},
            {"FAULT_PORT", "FAULT_PORT"}, {"SYSCALL_PORT", "SYSCALL_PORT"},
            {"MSR_LSTAR_OFFSET", "MSR_LSTAR_OFFSET"}, {"MSR_FMASK_OFFSET", "MSR_FMASK_OFFSET"},
            {"FS_BASE_OFFSET", "FS_BASE_OFFSET"}, {"GS_BASE_OFFSET", "GS_BASE_OFFSET"},
            {"FPU_RESET_OFFSET", "FPU_RESET_OFFSET"}, {"FPU_RESET_MAGIC", "FPU_RESET_MAGIC"}, {"FAULT_FRAME", "FAULT_FRAME"}, {"FAULT_REPORTED_RIP", "FAULT_REPORTED_RIP"},
            {"F_CR2", "F_CR2"}, {"F_RDX", "F_RDX"}, {"F_RAX", "F_RAX"}, {"F_VECTOR", "F_VECTOR"}, {"F_ERROR", "F_ERROR"},
            {"F_RIP", "F_RIP"}, {"F_CS", "F_CS"}, {"F_RFLAGS", "F_RFLAGS"}, {"F_RSP", "F_RSP"}, {"F_SS", "F_SS"},
            {"USER_CS", "USER_CS"}, {"USER_DS", "USER_DS"},
            {"CONTROL_SIZE", "CONTROL_SIZE"}, {"RUN_EXIT_REASON", "RUN_EXIT_REASON"},
            {"RUN_IO_DIRECTION", "RUN_IO_DIRECTION"}, {"RUN_IO_SIZE", "RUN_IO_SIZE"}, {"RUN_IO_PORT", "RUN_IO_PORT"},
            {"RUN_IO_COUNT", "RUN_IO_COUNT"}, {"RUN_IO_DATA_OFFSET", "RUN_IO_DATA_OFFSET"},
            {"RUN_MMIO_PHYS_ADDR", "RUN_MMIO_PHYS_ADDR"}, {"RUN_MMIO_DATA", "RUN_MMIO_DATA"},
            {"RUN_MMIO_LEN", "RUN_MMIO_LEN"}, {"RUN_MMIO_IS_WRITE", "RUN_MMIO_IS_WRITE"},
            {"RUN_INTERNAL_SUBERROR", "RUN_INTERNAL_SUBERROR"}, {"RUN_INTERNAL_NDATA", "RUN_INTERNAL_NDATA"},
            {"RUN_INTERNAL_DATA", "RUN_INTERNAL_DATA"},
            {"REGS_OFFSET", "REGS_OFFSET"}, {"READY_OFFSET", "READY_OFFSET"}, {"READY_MAGIC", "READY_MAGIC"},
            {"SREGS_CR3", "SREGS_CR3"}, {"SREGS_TR_BASE", "SREGS_TR_BASE"}, {"SREGS_TR_LIMIT", "SREGS_TR_LIMIT"},
            {"SREGS_CR4", "SREGS_CR4"}, {"SREGS_EFER", "SREGS_EFER"},
        };
        C = CProbe.run(dir, List.of("\"vcpu_process_layout.h\""), checks);
    }

    @Test
    void guestLayoutAndExceptionFrameMatch() {
        C.check("GUEST_RAM_START", GuestLayout.PAGE);
        C.check("DEVICE_WINDOW", GuestLayout.DEVICE_WINDOW);
        C.check("DEVICE_WINDOW_END", GuestLayout.DEVICE_WINDOW + GuestLayout.DEVICE_WINDOW_SIZE);
        C.check("EXCEPTION_STACK_TOP", GuestLayout.EXCEPTION_STACK_TOP);
        C.check("FAULT_PORT", GuestLayout.FAULT_PORT);
        C.check("SYSCALL_PORT", GuestLayout.SYSCALL_PORT);
        C.check("FAULT_FRAME", GuestLayout.FAULT_FRAME);
        C.check("FAULT_REPORTED_RIP", DescriptorTables.FAULT_REPORTED_RIP);
        C.check("F_CR2", GuestFault.CR2 / 8);
        C.check("F_RDX", GuestFault.RDX / 8);
        C.check("F_RAX", GuestFault.RAX / 8);
        C.check("F_VECTOR", GuestFault.VECTOR / 8);
        C.check("F_ERROR", GuestFault.ERROR / 8);
        C.check("F_RIP", GuestFault.RIP / 8);
        C.check("F_CS", GuestFault.CS / 8);
        C.check("F_RFLAGS", GuestFault.RFLAGS / 8);
        C.check("F_RSP", GuestFault.RSP / 8);
        C.check("F_SS", GuestFault.SS / 8);
        C.check("USER_CS", DescriptorTables.USER_CS);
        C.check("USER_DS", DescriptorTables.USER_DS);
    }

    @Test
    void controlPageIsLaidOutLikeKvmRunAndTheMonitorReadsIt() {
        C.check("CONTROL_SIZE", ProcessVcpu.CONTROL_SIZE);
        C.check("RUN_EXIT_REASON", KvmAbi.RUN_EXIT_REASON);
        C.check("RUN_IO_DIRECTION", KvmAbi.RUN_IO_DIRECTION);
        C.check("RUN_IO_SIZE", KvmAbi.RUN_IO_SIZE);
        C.check("RUN_IO_PORT", KvmAbi.RUN_IO_PORT);
        C.check("RUN_IO_COUNT", KvmAbi.RUN_IO_COUNT);
        C.check("RUN_IO_DATA_OFFSET", KvmAbi.RUN_IO_DATA_OFFSET);
        C.check("RUN_MMIO_PHYS_ADDR", KvmAbi.RUN_MMIO_PHYS_ADDR);
        C.check("RUN_MMIO_DATA", KvmAbi.RUN_MMIO_DATA);
        C.check("RUN_MMIO_LEN", KvmAbi.RUN_MMIO_LEN);
        C.check("RUN_MMIO_IS_WRITE", KvmAbi.RUN_MMIO_IS_WRITE);
        C.check("RUN_INTERNAL_SUBERROR", KvmAbi.RUN_INTERNAL_SUBERROR);
        C.check("RUN_INTERNAL_NDATA", KvmAbi.RUN_INTERNAL_NDATA);
        C.check("RUN_INTERNAL_DATA", KvmAbi.RUN_INTERNAL_DATA);
        C.check("REGS_OFFSET", ProcessVcpu.REGS_OFFSET);
        C.check("READY_OFFSET", ProcessVcpu.READY_OFFSET);
        C.check("READY_MAGIC", ProcessVcpu.READY_MAGIC);
        C.check("SREGS_CR3", ProcessVcpu.SREGS_CR3);
        C.check("SREGS_TR_BASE", ProcessVcpu.SREGS_TR_BASE);
        C.check("SREGS_TR_LIMIT", ProcessVcpu.SREGS_TR_LIMIT);
        C.check("SREGS_CR4", ProcessVcpu.SREGS_CR4);
        C.check("SREGS_EFER", ProcessVcpu.SREGS_EFER);
        C.check("MSR_LSTAR_OFFSET", ProcessVcpu.MSR_LSTAR_OFFSET);
        C.check("MSR_FMASK_OFFSET", ProcessVcpu.MSR_FMASK_OFFSET);
        C.check("FS_BASE_OFFSET", ProcessVcpu.FS_BASE_OFFSET);
        C.check("GS_BASE_OFFSET", ProcessVcpu.GS_BASE_OFFSET);
        C.check("FPU_RESET_OFFSET", ProcessVcpu.FPU_RESET_OFFSET);
        C.check("FPU_RESET_MAGIC", ProcessVcpu.FPU_RESET_MAGIC);
    }
}
