/*
 * vcpu_process_layout.h - the numbers the process platform's launcher
 * (vcpu_process.c) shares with the monitor: the guest's memory map and
 * exception frame (io.torovj.boot.GuestLayout, DescriptorTables, GuestFault)
 * and the control page (io.torovj.kvm.ProcessVcpu, laid out like struct
 * kvm_run). Every one is checked against the Java side by compiling this
 * header (io.torovj.kvm.ProcessVcpuLayoutTest).
 */
#ifndef VCPU_PROCESS_LAYOUT_H
#define VCPU_PROCESS_LAYOUT_H

/* guest memory map (io.torovj.boot.GuestLayout) */
#define GUEST_RAM_START       0x1000ULL
#define DEVICE_WINDOW         0x3FE00000ULL
#define DEVICE_WINDOW_END     0x40000000ULL
#define EXCEPTION_STACK_TOP   0xB000ULL
#define FAULT_PORT            0xF0
#define SYSCALL_PORT          0xF4
/* the CPL0 exception handler (io.torovj.boot.DescriptorTables): its frame
 * (GuestLayout.FAULT_FRAME, 10 qwords) and the rip after its OUT
 * (DescriptorTables.FAULT_REPORTED_RIP: common handler at 0x1800 + 33 * 16,
 * OUT at offset 10) */
#define FAULT_FRAME           (EXCEPTION_STACK_TOP - 80)
#define FAULT_REPORTED_RIP    0x1A1BULL
enum { F_CR2, F_RDX, F_RAX, F_VECTOR, F_ERROR, F_RIP, F_CS, F_RFLAGS, F_RSP, F_SS };
#define USER_CS               0x23
#define USER_DS               0x1B
#define LINUX_USER64_CS       0x33

/* control page (io.torovj.kvm.ProcessVcpu) */
#define CONTROL_SIZE          8192
#define RUN_EXIT_REASON       8
#define RUN_UNION             32
#define RUN_IO_DIRECTION      32
#define RUN_IO_SIZE           33
#define RUN_IO_PORT           34
#define RUN_IO_COUNT          36
#define RUN_IO_DATA_OFFSET    40
#define RUN_MMIO_PHYS_ADDR    32
#define RUN_MMIO_DATA         40
#define RUN_MMIO_LEN          48
#define RUN_MMIO_IS_WRITE     52
#define RUN_INTERNAL_SUBERROR 32
#define RUN_INTERNAL_NDATA    36
#define RUN_INTERNAL_DATA     40
#define IO_DATA_OFFSET        2048
#define REGS_OFFSET           4096
#define READY_OFFSET          4352
#define READY_MAGIC           0x504A5654u
#define SREGS_CR3             4368
#define SREGS_TR_BASE         4376
#define SREGS_TR_LIMIT        4384
#define SREGS_CR4             4392
#define SREGS_EFER            4400
#define MSR_LSTAR_OFFSET      4408
#define MSR_FMASK_OFFSET      4416
#define FS_BASE_OFFSET        4424
#define GS_BASE_OFFSET        4432
/* u32: FPU_RESET_MAGIC asks the next resume to wipe the guest's FPU/SSE/AVX
 * state (a pooled VM's reset); the launcher clears it */
#define FPU_RESET_OFFSET      4440
#define FPU_RESET_MAGIC       0x55504657u

#endif
