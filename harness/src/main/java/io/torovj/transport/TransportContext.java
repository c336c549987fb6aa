package io.torovj.transport;

import io.torovj.boot.BootInfo;
import io.torovj.kvm.VmFd;
import io.torovj.memory.GuestMemory;
import io.torovj.syscall.SyscallDispatcher;

/**
 * What a transport may use while it attaches: guest memory, the boot information it fills, the
 * buses it claims doorbells on, the dispatcher that executes requests, and the VM's control.
 *
 * @param requestBlock     gpa of vCPU 0's struct torovj_request (64 bytes)
 * @param transportArea    gpa of the transport's shared area
 * @param transportAreaSize its size in bytes
 * @param deviceWindow     gpa of the first page of the unbacked device window (MMIO doorbells)
 * @param vmFd             the KVM VM (for ioeventfds), or null on the process platform
 * @param doorbellPort     an I/O port reserved for this transport's doorbell
 */
public record TransportContext(
        GuestMemory memory,
        BootInfo bootInfo,
        DeviceBus<PortIoDevice> portBus,
        DeviceBus<MmioDevice> mmioBus,
        SyscallDispatcher dispatcher,
        VmControl control,
        VmFd vmFd,
        long requestBlock,
        long transportArea,
        long transportAreaSize,
        long deviceWindow,
        int doorbellPort) {
}
