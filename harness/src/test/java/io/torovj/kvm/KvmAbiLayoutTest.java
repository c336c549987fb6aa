package io.torovj.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.testing.CProbe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every struct size, field offset and ioctl number the monitor relies on, checked against what
 * the machine's gcc computes from {@code <linux/kvm.h>}.
 */
class KvmAbiLayoutTest {
    private static CProbe C;

    @BeforeAll
    static void compileAndRunProbe(@TempDir Path dir) throws IOException, InterruptedException {
        String[][] checks = {
            {"KVM_GET_API_VERSION", "KVM_GET_API_VERSION"}, {"KVM_CREATE_VM", "KVM_CREATE_VM"},
            {"KVM_CHECK_EXTENSION", "KVM_CHECK_EXTENSION"}, {"KVM_GET_VCPU_MMAP_SIZE", "KVM_GET_VCPU_MMAP_SIZE"},
            {"KVM_CREATE_VCPU", "KVM_CREATE_VCPU"}, {"KVM_SET_USER_MEMORY_REGION", "KVM_SET_USER_MEMORY_REGION"},
            {"KVM_SET_TSS_ADDR", "KVM_SET_TSS_ADDR"}, {"KVM_IOEVENTFD", "KVM_IOEVENTFD"}, {"KVM_RUN", "KVM_RUN"},
            {"KVM_GET_REGS", "KVM_GET_REGS"}, {"KVM_SET_REGS", "KVM_SET_REGS"}, {"KVM_GET_SREGS", "KVM_GET_SREGS"},
            {"KVM_SET_SREGS", "KVM_SET_SREGS"}, {"KVM_SET_SIGNAL_MASK", "KVM_SET_SIGNAL_MASK"},
            {"KVM_SET_MSRS", "KVM_SET_MSRS"}, {"MSRS_NMSRS", "offsetof(struct kvm_msrs, nmsrs)"},
            {"MSRS_ENTRIES", "offsetof(struct kvm_msrs, entries)"}, {"MSR_ENTRY_SIZE", "sizeof(struct kvm_msr_entry)"},
            {"MSR_ENTRY_INDEX", "offsetof(struct kvm_msr_entry, index)"}, {"MSR_ENTRY_DATA", "offsetof(struct kvm_msr_entry, data)"},
            {"REGS_R9", "offsetof(struct kvm_regs, r9)"}, {"REGS_R10", "offsetof(struct kvm_regs, r10)"},
            {"REGS_R11", "offsetof(struct kvm_regs, r11)"},
            {"API_VERSION", "KVM_API_VERSION"},
            {"KVM_CAP_USER_MEMORY", "KVM_CAP_USER_MEMORY"}, {"KVM_CAP_SET_TSS_ADDR", "KVM_CAP_SET_TSS_ADDR"},
            {"KVM_CAP_IOEVENTFD", "KVM_CAP_IOEVENTFD"}, {"KVM_CAP_IMMEDIATE_EXIT", "KVM_CAP_IMMEDIATE_EXIT"},
            {"KVM_EXIT_IO", "KVM_EXIT_IO"}, {"KVM_EXIT_HLT", "KVM_EXIT_HLT"}, {"KVM_EXIT_MMIO", "KVM_EXIT_MMIO"},
            {"KVM_EXIT_SHUTDOWN", "KVM_EXIT_SHUTDOWN"}, {"KVM_EXIT_FAIL_ENTRY", "KVM_EXIT_FAIL_ENTRY"},
            {"KVM_EXIT_INTR", "KVM_EXIT_INTR"}, {"KVM_EXIT_INTERNAL_ERROR", "KVM_EXIT_INTERNAL_ERROR"},
            {"KVM_EXIT_SYSTEM_EVENT", "KVM_EXIT_SYSTEM_EVENT"}, {"KVM_EXIT_IO_OUT", "KVM_EXIT_IO_OUT"}, {"KVM_EXIT_IO_IN", "KVM_EXIT_IO_IN"},
            {"KVM_EXIT_UNKNOWN", "KVM_EXIT_UNKNOWN"}, {"KVM_EXIT_EXCEPTION", "KVM_EXIT_EXCEPTION"},
            {"KVM_EXIT_HYPERCALL", "KVM_EXIT_HYPERCALL"}, {"KVM_EXIT_DEBUG", "KVM_EXIT_DEBUG"},
            {"KVM_IOEVENTFD_FLAG_DATAMATCH", "KVM_IOEVENTFD_FLAG_DATAMATCH"},
            {"KVM_IOEVENTFD_FLAG_PIO", "KVM_IOEVENTFD_FLAG_PIO"}, {"KVM_IOEVENTFD_FLAG_DEASSIGN", "KVM_IOEVENTFD_FLAG_DEASSIGN"},
            {"MEMREGION_SIZE", "sizeof(struct kvm_userspace_memory_region)"},
            {"MEMREGION_SLOT", "offsetof(struct kvm_userspace_memory_region, slot)"},
            {"MEMREGION_FLAGS", "offsetof(struct kvm_userspace_memory_region, flags)"},
            {"MEMREGION_GUEST_PHYS_ADDR", "offsetof(struct kvm_userspace_memory_region, guest_phys_addr)"},
            {"MEMREGION_MEMORY_SIZE", "offsetof(struct kvm_userspace_memory_region, memory_size)"},
            {"MEMREGION_USERSPACE_ADDR", "offsetof(struct kvm_userspace_memory_region, userspace_addr)"},
            {"IOEVENTFD_SIZE", "sizeof(struct kvm_ioeventfd)"},
            {"IOEVENTFD_DATAMATCH", "offsetof(struct kvm_ioeventfd, datamatch)"},
            {"IOEVENTFD_ADDR", "offsetof(struct kvm_ioeventfd, addr)"},
            {"IOEVENTFD_LEN", "offsetof(struct kvm_ioeventfd, len)"},
            {"IOEVENTFD_FD", "offsetof(struct kvm_ioeventfd, fd)"},
            {"IOEVENTFD_FLAGS", "offsetof(struct kvm_ioeventfd, flags)"},
            {"REGS_SIZE", "sizeof(struct kvm_regs)"}, {"REGS_RAX", "offsetof(struct kvm_regs, rax)"},
            {"REGS_RBX", "offsetof(struct kvm_regs, rbx)"}, {"REGS_RCX", "offsetof(struct kvm_regs, rcx)"},
            {"REGS_RDX", "offsetof(struct kvm_regs, rdx)"}, {"REGS_RSI", "offsetof(struct kvm_regs, rsi)"},
            {"REGS_RDI", "offsetof(struct kvm_regs, rdi)"}, {"REGS_RSP", "offsetof(struct kvm_regs, rsp)"},
            {"REGS_RBP", "offsetof(struct kvm_regs, rbp)"}, {"REGS_R8", "offsetof(struct kvm_regs, r8)"},
            {"REGS_R15", "offsetof(struct kvm_regs, r15)"}, {"REGS_RIP", "offsetof(struct kvm_regs, rip)"},
            {"REGS_RFLAGS", "offsetof(struct kvm_regs, rflags)"},
            {"SEGMENT_SIZE", "sizeof(struct kvm_segment)"}, {"SEG_BASE", "offsetof(struct kvm_segment, base)"},
            {"SEG_LIMIT", "offsetof(struct kvm_segment, limit)"}, {"SEG_SELECTOR", "offsetof(struct kvm_segment, selector)"},
            {"SEG_TYPE", "offsetof(struct kvm_segment, type)"}, {"SEG_PRESENT", "offsetof(struct kvm_segment, present)"},
            {"SEG_DPL", "offsetof(struct kvm_segment, dpl)"}, {"SEG_DB", "offsetof(struct kvm_segment, db)"},
            {"SEG_S", "offsetof(struct kvm_segment, s)"}, {"SEG_L", "offsetof(struct kvm_segment, l)"},
            {"SEG_G", "offsetof(struct kvm_segment, g)"}, {"SEG_AVL", "offsetof(struct kvm_segment, avl)"},
            {"SEG_UNUSABLE", "offsetof(struct kvm_segment, unusable)"},
            {"DTABLE_BASE", "offsetof(struct kvm_dtable, base)"}, {"DTABLE_LIMIT", "offsetof(struct kvm_dtable, limit)"},
            {"SREGS_SIZE", "sizeof(struct kvm_sregs)"}, {"SREGS_CS", "offsetof(struct kvm_sregs, cs)"},
            {"SREGS_DS", "offsetof(struct kvm_sregs, ds)"}, {"SREGS_ES", "offsetof(struct kvm_sregs, es)"},
            {"SREGS_FS", "offsetof(struct kvm_sregs, fs)"}, {"SREGS_GS", "offsetof(struct kvm_sregs, gs)"},
            {"SREGS_SS", "offsetof(struct kvm_sregs, ss)"}, {"SREGS_TR", "offsetof(struct kvm_sregs, tr)"},
            {"SREGS_LDT", "offsetof(struct kvm_sregs, ldt)"}, {"SREGS_GDT", "offsetof(struct kvm_sregs, gdt)"},
            {"SREGS_IDT", "offsetof(struct kvm_sregs, idt)"}, {"SREGS_CR0", "offsetof(struct kvm_sregs, cr0)"},
            {"SREGS_CR2", "offsetof(struct kvm_sregs, cr2)"}, {"SREGS_CR3", "offsetof(struct kvm_sregs, cr3)"},
            {"SREGS_CR4", "offsetof(struct kvm_sregs, cr4)"}, {"SREGS_CR8", "offsetof(struct kvm_sregs, cr8)"},
            {"SREGS_EFER", "offsetof(struct kvm_sregs, efer)"}, {"SREGS_APIC_BASE", "offsetof(struct kvm_sregs, apic_base)"},
            {"SREGS_INTERRUPT_BITMAP", "offsetof(struct kvm_sregs, interrupt_bitmap)"},
            {"RUN_IMMEDIATE_EXIT", "offsetof(struct kvm_run, immediate_exit)"},
            {"RUN_EXIT_REASON", "offsetof(struct kvm_run, exit_reason)"},
            {"RUN_IO_DIRECTION", "offsetof(struct kvm_run, io.direction)"}, {"RUN_IO_SIZE", "offsetof(struct kvm_run, io.size)"},
            {"RUN_IO_PORT", "offsetof(struct kvm_run, io.port)"}, {"RUN_IO_COUNT", "offsetof(struct kvm_run, io.count)"},
            {"RUN_IO_DATA_OFFSET", "offsetof(struct kvm_run, io.data_offset)"},
            {"RUN_MMIO_PHYS_ADDR", "offsetof(struct kvm_run, mmio.phys_addr)"}, {"RUN_MMIO_DATA", "offsetof(struct kvm_run, mmio.data)"},
            {"RUN_MMIO_LEN", "offsetof(struct kvm_run, mmio.len)"}, {"RUN_MMIO_IS_WRITE", "offsetof(struct kvm_run, mmio.is_write)"},
            {"RUN_FAIL_ENTRY_REASON", "offsetof(struct kvm_run, fail_entry.hardware_entry_failure_reason)"},
            {"RUN_FAIL_ENTRY_CPU", "offsetof(struct kvm_run, fail_entry.cpu)"},
            {"RUN_INTERNAL_SUBERROR", "offsetof(struct kvm_run, internal.suberror)"},
            {"RUN_INTERNAL_NDATA", "offsetof(struct kvm_run, internal.ndata)"},
            {"RUN_INTERNAL_DATA", "offsetof(struct kvm_run, internal.data)"},
            {"RUN_SYSTEM_EVENT_TYPE", "offsetof(struct kvm_run, system_event.type)"},
            {"RUN_HW_EXIT_REASON", "offsetof(struct kvm_run, hw.hardware_exit_reason)"},
        };
        C = CProbe.run(dir, List.of("<linux/kvm.h>"), checks);
    }

    private static void check(String name, long javaValue) {
        C.check(name, javaValue);
    }

    @Test
    void ioctlNumbersMatchTheKernelHeader() {
        check("KVM_GET_API_VERSION", KvmAbi.KVM_GET_API_VERSION);
        check("KVM_CREATE_VM", KvmAbi.KVM_CREATE_VM);
        check("KVM_CHECK_EXTENSION", KvmAbi.KVM_CHECK_EXTENSION);
        check("KVM_GET_VCPU_MMAP_SIZE", KvmAbi.KVM_GET_VCPU_MMAP_SIZE);
        check("KVM_CREATE_VCPU", KvmAbi.KVM_CREATE_VCPU);
        check("KVM_SET_USER_MEMORY_REGION", KvmAbi.KVM_SET_USER_MEMORY_REGION);
        check("KVM_SET_TSS_ADDR", KvmAbi.KVM_SET_TSS_ADDR);
        check("KVM_IOEVENTFD", KvmAbi.KVM_IOEVENTFD);
        check("KVM_RUN", KvmAbi.KVM_RUN);
        check("KVM_GET_REGS", KvmAbi.KVM_GET_REGS);
        check("KVM_SET_REGS", KvmAbi.KVM_SET_REGS);
        check("KVM_GET_SREGS", KvmAbi.KVM_GET_SREGS);
        check("KVM_SET_SREGS", KvmAbi.KVM_SET_SREGS);
        check("KVM_SET_MSRS", KvmAbi.KVM_SET_MSRS);
        check("MSRS_NMSRS", KvmAbi.MSRS_NMSRS);
        check("MSRS_ENTRIES", KvmAbi.MSRS_ENTRIES);
        check("MSR_ENTRY_SIZE", KvmAbi.MSR_ENTRY_SIZE);
        check("MSR_ENTRY_INDEX", KvmAbi.MSR_ENTRY_INDEX);
        check("MSR_ENTRY_DATA", KvmAbi.MSR_ENTRY_DATA);
        check("REGS_R9", KvmAbi.REGS_R9);
        check("REGS_R10", KvmAbi.REGS_R10);
        check("REGS_R11", KvmAbi.REGS_R11);
        check("KVM_SET_SIGNAL_MASK", KvmAbi.KVM_SET_SIGNAL_MASK);
        check("API_VERSION", KvmAbi.API_VERSION);
    }

    @Test
    void capabilitiesAndExitReasonsMatch() {
        check("KVM_CAP_USER_MEMORY", KvmAbi.KVM_CAP_USER_MEMORY);
        check("KVM_CAP_SET_TSS_ADDR", KvmAbi.KVM_CAP_SET_TSS_ADDR);
        check("KVM_CAP_IOEVENTFD", KvmAbi.KVM_CAP_IOEVENTFD);
        check("KVM_CAP_IMMEDIATE_EXIT", KvmAbi.KVM_CAP_IMMEDIATE_EXIT);
        check("KVM_EXIT_IO", KvmAbi.KVM_EXIT_IO);
        check("KVM_EXIT_HLT", KvmAbi.KVM_EXIT_HLT);
        check("KVM_EXIT_MMIO", KvmAbi.KVM_EXIT_MMIO);
        check("KVM_EXIT_SHUTDOWN", KvmAbi.KVM_EXIT_SHUTDOWN);
        check("KVM_EXIT_FAIL_ENTRY", KvmAbi.KVM_EXIT_FAIL_ENTRY);
        check("KVM_EXIT_INTR", KvmAbi.KVM_EXIT_INTR);
        check("KVM_EXIT_INTERNAL_ERROR", KvmAbi.KVM_EXIT_INTERNAL_ERROR);
        check("KVM_EXIT_SYSTEM_EVENT", KvmAbi.KVM_EXIT_SYSTEM_EVENT);
        check("KVM_EXIT_IO_OUT", KvmAbi.KVM_EXIT_IO_OUT);
        check("KVM_EXIT_IO_IN", KvmAbi.KVM_EXIT_IO_IN);
        check("KVM_EXIT_UNKNOWN", KvmAbi.KVM_EXIT_UNKNOWN);
        check("KVM_EXIT_EXCEPTION", KvmAbi.KVM_EXIT_EXCEPTION);
        check("KVM_EXIT_HYPERCALL", KvmAbi.KVM_EXIT_HYPERCALL);
        check("KVM_EXIT_DEBUG", KvmAbi.KVM_EXIT_DEBUG);
        check("KVM_IOEVENTFD_FLAG_DATAMATCH", KvmAbi.KVM_IOEVENTFD_FLAG_DATAMATCH);
        check("KVM_IOEVENTFD_FLAG_PIO", KvmAbi.KVM_IOEVENTFD_FLAG_PIO);
        check("KVM_IOEVENTFD_FLAG_DEASSIGN", KvmAbi.KVM_IOEVENTFD_FLAG_DEASSIGN);
    }

    @Test
    void structLayoutsMatch() {
        check("MEMREGION_SIZE", KvmAbi.MEMREGION_SIZE);
        check("MEMREGION_SLOT", KvmAbi.MEMREGION_SLOT);
        check("MEMREGION_FLAGS", KvmAbi.MEMREGION_FLAGS);
        check("MEMREGION_GUEST_PHYS_ADDR", KvmAbi.MEMREGION_GUEST_PHYS_ADDR);
        check("MEMREGION_MEMORY_SIZE", KvmAbi.MEMREGION_MEMORY_SIZE);
        check("MEMREGION_USERSPACE_ADDR", KvmAbi.MEMREGION_USERSPACE_ADDR);
        check("IOEVENTFD_SIZE", KvmAbi.IOEVENTFD_SIZE);
        check("IOEVENTFD_DATAMATCH", KvmAbi.IOEVENTFD_DATAMATCH);
        check("IOEVENTFD_ADDR", KvmAbi.IOEVENTFD_ADDR);
        check("IOEVENTFD_LEN", KvmAbi.IOEVENTFD_LEN);
        check("IOEVENTFD_FD", KvmAbi.IOEVENTFD_FD);
        check("IOEVENTFD_FLAGS", KvmAbi.IOEVENTFD_FLAGS);
        check("REGS_SIZE", KvmAbi.REGS_SIZE);
        check("REGS_RAX", KvmAbi.REGS_RAX);
        check("REGS_RBX", KvmAbi.REGS_RBX);
        check("REGS_RCX", KvmAbi.REGS_RCX);
        check("REGS_RDX", KvmAbi.REGS_RDX);
        check("REGS_RSI", KvmAbi.REGS_RSI);
        check("REGS_RDI", KvmAbi.REGS_RDI);
        check("REGS_RSP", KvmAbi.REGS_RSP);
        check("REGS_RBP", KvmAbi.REGS_RBP);
        check("REGS_R8", KvmAbi.REGS_R8);
        check("REGS_R15", KvmAbi.REGS_R15);
        check("REGS_RIP", KvmAbi.REGS_RIP);
        check("REGS_RFLAGS", KvmAbi.REGS_RFLAGS);
        check("SEGMENT_SIZE", KvmAbi.SEGMENT_SIZE);
        check("SEG_BASE", KvmAbi.SEG_BASE);
        check("SEG_LIMIT", KvmAbi.SEG_LIMIT);
        check("SEG_SELECTOR", KvmAbi.SEG_SELECTOR);
        check("SEG_TYPE", KvmAbi.SEG_TYPE);
        check("SEG_PRESENT", KvmAbi.SEG_PRESENT);
        check("SEG_DPL", KvmAbi.SEG_DPL);
        check("SEG_DB", KvmAbi.SEG_DB);
        check("SEG_S", KvmAbi.SEG_S);
        check("SEG_L", KvmAbi.SEG_L);
        check("SEG_G", KvmAbi.SEG_G);
        check("SEG_AVL", KvmAbi.SEG_AVL);
        check("SEG_UNUSABLE", KvmAbi.SEG_UNUSABLE);
        check("DTABLE_BASE", KvmAbi.DTABLE_BASE);
        check("DTABLE_LIMIT", KvmAbi.DTABLE_LIMIT);
        check("SREGS_SIZE", KvmAbi.SREGS_SIZE);
        check("SREGS_CS", KvmAbi.SREGS_CS);
        check("SREGS_DS", KvmAbi.SREGS_DS);
        check("SREGS_ES", KvmAbi.SREGS_ES);
        check("SREGS_FS", KvmAbi.SREGS_FS);
        check("SREGS_GS", KvmAbi.SREGS_GS);
        check("SREGS_SS", KvmAbi.SREGS_SS);
        check("SREGS_TR", KvmAbi.SREGS_TR);
        check("SREGS_LDT", KvmAbi.SREGS_LDT);
        check("SREGS_GDT", KvmAbi.SREGS_GDT);
        check("SREGS_IDT", KvmAbi.SREGS_IDT);
        check("SREGS_CR0", KvmAbi.SREGS_CR0);
        check("SREGS_CR2", KvmAbi.SREGS_CR2);
        check("SREGS_CR3", KvmAbi.SREGS_CR3);
        check("SREGS_CR4", KvmAbi.SREGS_CR4);
        check("SREGS_CR8", KvmAbi.SREGS_CR8);
        check("SREGS_EFER", KvmAbi.SREGS_EFER);
        check("SREGS_APIC_BASE", KvmAbi.SREGS_APIC_BASE);
        check("SREGS_INTERRUPT_BITMAP", KvmAbi.SREGS_INTERRUPT_BITMAP);
        check("RUN_IMMEDIATE_EXIT", KvmAbi.RUN_IMMEDIATE_EXIT);
        check("RUN_EXIT_REASON", KvmAbi.RUN_EXIT_REASON);
        check("RUN_IO_DIRECTION", KvmAbi.RUN_IO_DIRECTION);
        check("RUN_IO_SIZE", KvmAbi.RUN_IO_SIZE);
        check("RUN_IO_PORT", KvmAbi.RUN_IO_PORT);
        check("RUN_IO_COUNT", KvmAbi.RUN_IO_COUNT);
        check("RUN_IO_DATA_OFFSET", KvmAbi.RUN_IO_DATA_OFFSET);
        check("RUN_MMIO_PHYS_ADDR", KvmAbi.RUN_MMIO_PHYS_ADDR);
        check("RUN_MMIO_DATA", KvmAbi.RUN_MMIO_DATA);
        check("RUN_MMIO_LEN", KvmAbi.RUN_MMIO_LEN);
        check("RUN_MMIO_IS_WRITE", KvmAbi.RUN_MMIO_IS_WRITE);
        check("RUN_FAIL_ENTRY_REASON", KvmAbi.RUN_FAIL_ENTRY_REASON);
        check("RUN_FAIL_ENTRY_CPU", KvmAbi.RUN_FAIL_ENTRY_CPU);
        check("RUN_INTERNAL_SUBERROR", KvmAbi.RUN_INTERNAL_SUBERROR);
        check("RUN_INTERNAL_NDATA", KvmAbi.RUN_INTERNAL_NDATA);
        check("RUN_INTERNAL_DATA", KvmAbi.RUN_INTERNAL_DATA);
        check("RUN_SYSTEM_EVENT_TYPE", KvmAbi.RUN_SYSTEM_EVENT_TYPE);
        check("RUN_HW_EXIT_REASON", KvmAbi.RUN_HW_EXIT_REASON);
    }

}
