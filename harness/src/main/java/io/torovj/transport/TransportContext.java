package io.torovj.transport;

import io.torovj.boot.BootInfo;
import io.torovj.lifecycle.VmControl;
import io.torovj.memory.GuestMemory;
import io.torovj.syscall.SyscallExecutor;
import java.util.Map;
import java.util.Optional;

/**
 * What a transport may use while it attaches: guest memory, the boot information it fills, the
 * buses it claims doorbells on, the executor that performs system calls, the VM's control, the
 * kernel doorbells the VM provides, its slots in guest memory, and its own options. Nothing here
 * depends on the platform the VM runs on.
 *
 * @param transportName the transport's name (its provider's), for its reports
 * @param slots   where the transport's structures and doorbells go
 * @param options the transport's own tunables ({@code VmConfig.transportOption}), unchecked
 */
public record TransportContext(
        String transportName,
        GuestMemory memory,
        BootInfo bootInfo,
        DeviceBus<PortIoDevice> portBus,
        DeviceBus<MmioDevice> mmioBus,
        SyscallExecutor executor,
        VmControl control,
        KernelDoorbell.Factory doorbells,
        Slots slots,
        Map<String, String> options) {

    /**
     * The guest-memory and I/O resources set aside for the transport.
     *
     * @param requestBlock      gpa of vCPU 0's struct torovj_request (64 bytes)
     * @param transportArea     gpa of the transport's shared area
     * @param transportAreaSize its size in bytes
     * @param deviceWindow      gpa of the first page of the unbacked device window (MMIO doorbells)
     * @param doorbellPort      an I/O port reserved for the transport's doorbell
     */
    public record Slots(long requestBlock, long transportArea, long transportAreaSize, long deviceWindow,
                        int doorbellPort) {}

    public TransportContext {
        options = Map.copyOf(options);
    }

    public long requestBlock() { return slots.requestBlock(); }
    public long transportArea() { return slots.transportArea(); }
    public long transportAreaSize() { return slots.transportAreaSize(); }
    public long deviceWindow() { return slots.deviceWindow(); }
    public int doorbellPort() { return slots.doorbellPort(); }

    /** The transport's option {@code name}, if the VM's configuration set it. */
    public Optional<String> option(String name) { return Optional.ofNullable(options.get(name)); }
}
