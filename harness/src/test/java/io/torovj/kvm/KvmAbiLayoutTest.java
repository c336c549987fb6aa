package io.torovj.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.boot.BootInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every struct size, field offset and ioctl number the monitor relies on, checked against what
 * the machine's gcc computes from {@code <linux/kvm.h>} and from our own torovj_abi.h.
 */
class KvmAbiLayoutTest {
    private static final Map<String, Long> C = new HashMap<>();

    @BeforeAll
    static void compileAndRunProbe(@TempDir Path dir) throws IOException, InterruptedException {
        String[][] checks = {
            {"KVM_GET_API_VERSION", "KVM_GET_API_VERSION"}, {"KVM_CREATE_VM", "KVM_CREATE_VM"},
            {"KVM_CHECK_EXTENSION", "KVM_CHECK_EXTENSION"}, {"KVM_GET_VCPU_MMAP_SIZE", "KVM_GET_VCPU_MMAP_SIZE"},
            {"KVM_CREATE_VCPU", "KVM_CREATE_VCPU"}, {"KVM_SET_USER_MEMORY_REGION", "KVM_SET_USER_MEMORY_REGION"},
            {"KVM_SET_TSS_ADDR", "KVM_SET_TSS_ADDR"}, {"KVM_IOEVENTFD", "KVM_IOEVENTFD"}, {"KVM_RUN", "KVM_RUN"},
            {"KVM_GET_REGS", "KVM_GET_REGS"}, {"KVM_SET_REGS", "KVM_SET_REGS"}, {"KVM_GET_SREGS", "KVM_GET_SREGS"},
            {"KVM_SET_SREGS", "KVM_SET_SREGS"}, {"KVM_SET_SIGNAL_MASK", "KVM_SET_SIGNAL_MASK"},
            {"API_VERSION", "KVM_API_VERSION"},
            {"KVM_CAP_USER_MEMORY", "KVM_CAP_USER_MEMORY"}, {"KVM_CAP_SET_TSS_ADDR", "KVM_CAP_SET_TSS_ADDR"},
            {"KVM_CAP_IOEVENTFD", "KVM_CAP_IOEVENTFD"}, {"KVM_CAP_IMMEDIATE_EXIT", "KVM_CAP_IMMEDIATE_EXIT"},
            {"KVM_EXIT_IO", "KVM_EXIT_IO"}, {"KVM_EXIT_HLT", "KVM_EXIT_HLT"}, {"KVM_EXIT_MMIO", "KVM_EXIT_MMIO"},
            {"KVM_EXIT_SHUTDOWN", "KVM_EXIT_SHUTDOWN"}, {"KVM_EXIT_FAIL_ENTRY", "KVM_EXIT_FAIL_ENTRY"},
            {"KVM_EXIT_INTR", "KVM_EXIT_INTR"}, {"KVM_EXIT_INTERNAL_ERROR", "KVM_EXIT_INTERNAL_ERROR"},
            {"KVM_EXIT_SYSTEM_EVENT", "KVM_EXIT_SYSTEM_EVENT"}, {"KVM_EXIT_IO_OUT", "KVM_EXIT_IO_OUT"},
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
            // our own guest ABI
            {"NULL_PORT", "TOROVJ_NULL_PORT"}, {"NULL_MMIO", "TOROVJ_NULL_MMIO"},
            {"BOOT_MAGIC", "TOROVJ_BOOT_MAGIC"}, {"BOOT_ABI_VERSION", "TOROVJ_ABI_VERSION"},
            {"AT_BOOT_INFO", "TOROVJ_AT_BOOT_INFO"}, {"TRANSPORT_NAME_MAX", "TOROVJ_TRANSPORT_NAME_MAX"},
            {"OFF_MAGIC", "offsetof(struct torovj_boot_info, magic)"},
            {"OFF_ABI_VERSION", "offsetof(struct torovj_boot_info, abi_version)"},
            {"OFF_VCPU_COUNT", "offsetof(struct torovj_boot_info, vcpu_count)"},
            {"OFF_TRANSPORT", "offsetof(struct torovj_boot_info, transport)"},
            {"OFF_REQUEST_BLOCK", "offsetof(struct torovj_boot_info, request_block)"},
            {"OFF_TRANSPORT_AREA", "offsetof(struct torovj_boot_info, transport_area)"},
            {"OFF_TRANSPORT_AREA_SIZE", "offsetof(struct torovj_boot_info, transport_area_size)"},
            {"OFF_DOORBELL_MMIO", "offsetof(struct torovj_boot_info, doorbell_mmio)"},
            {"OFF_DOORBELL_PORT", "offsetof(struct torovj_boot_info, doorbell_port)"},
            {"OFF_LATENCY_BUFFER", "offsetof(struct torovj_boot_info, latency_buffer)"},
            {"BOOT_SIZE", "sizeof(struct torovj_boot_info)"},
            {"REQ_NR", "offsetof(struct torovj_request, nr)"}, {"REQ_ARGS", "offsetof(struct torovj_request, args)"},
            {"REQ_RET", "offsetof(struct torovj_request, ret)"}, {"REQ_SIZE", "sizeof(struct torovj_request)"},
            {"LAT_CAPACITY", "offsetof(struct torovj_latency_buffer, capacity)"},
            {"LAT_COUNT", "offsetof(struct torovj_latency_buffer, count)"},
            {"LAT_SAMPLES", "offsetof(struct torovj_latency_buffer, samples)"},
        };
        StringBuilder src = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include <linux/kvm.h>\n#include \"torovj_abi.h\"\nint main(void) {\n");
        for (String[] c : checks) {
            src.append("  printf(\"%s %llu\\n\", \"").append(c[0]).append("\", (unsigned long long)(").append(c[1]).append("));\n");
        }
        src.append("  return 0;\n}\n");
        Path c = dir.resolve("layout.c");
        Files.writeString(c, src);
        Path exe = dir.resolve("layout");
        Path include = Path.of("src/main/c").toAbsolutePath();
        run(dir, "gcc", "-I" + include, "-o", exe.toString(), c.toString());
        for (String line : run(dir, exe.toString()).split("\n")) {
            String[] kv = line.trim().split(" ");
            C.put(kv[0], Long.parseUnsignedLong(kv[1]));
        }
        assertEquals(checks.length, C.size());
    }

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
        assertEquals(0, p.exitValue(), "failed (gcc and linux-libc-dev are required): " + String.join(" ", cmd) + "\n" + out);
        return out;
    }

    private static void check(String name, long javaValue) {
        assertTrue(C.containsKey(name), "probe did not print " + name);
        assertEquals(C.get(name).longValue(), javaValue, name + " differs from the C compiler's value");
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

    @Test
    void guestAbiMatchesTorovjAbiHeader() {
        check("BOOT_MAGIC", BootInfo.MAGIC);
        check("NULL_PORT", BootInfo.NULL_PORT);
        check("NULL_MMIO", BootInfo.NULL_MMIO);
        check("BOOT_ABI_VERSION", BootInfo.ABI_VERSION);
        check("AT_BOOT_INFO", BootInfo.AT_BOOT_INFO);
        check("TRANSPORT_NAME_MAX", BootInfo.TRANSPORT_NAME_MAX);
        check("OFF_MAGIC", BootInfo.OFF_MAGIC);
        check("OFF_ABI_VERSION", BootInfo.OFF_ABI_VERSION);
        check("OFF_VCPU_COUNT", BootInfo.OFF_VCPU_COUNT);
        check("OFF_TRANSPORT", BootInfo.OFF_TRANSPORT);
        check("OFF_REQUEST_BLOCK", BootInfo.OFF_REQUEST_BLOCK);
        check("OFF_TRANSPORT_AREA", BootInfo.OFF_TRANSPORT_AREA);
        check("OFF_TRANSPORT_AREA_SIZE", BootInfo.OFF_TRANSPORT_AREA_SIZE);
        check("OFF_DOORBELL_MMIO", BootInfo.OFF_DOORBELL_MMIO);
        check("OFF_DOORBELL_PORT", BootInfo.OFF_DOORBELL_PORT);
        check("OFF_LATENCY_BUFFER", BootInfo.OFF_LATENCY_BUFFER);
        check("BOOT_SIZE", BootInfo.SIZE);
        check("REQ_NR", BootInfo.REQ_NR);
        check("REQ_ARGS", BootInfo.REQ_ARGS);
        check("REQ_RET", BootInfo.REQ_RET);
        check("REQ_SIZE", BootInfo.REQ_SIZE);
        check("LAT_CAPACITY", BootInfo.LAT_CAPACITY);
        check("LAT_COUNT", BootInfo.LAT_COUNT);
        check("LAT_SAMPLES", BootInfo.LAT_SAMPLES);
    }
}
