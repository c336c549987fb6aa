package io.torovj.vmm;

import io.torovj.abi.GuestAbi;
import io.torovj.boot.BootInfo;
import io.torovj.transport.MmioDevice;
import io.torovj.transport.PortIoDevice;

/**
 * A doorbell that does nothing: the guest's {@code floor} program rings it to measure the bare
 * cost of a VM exit and re-entry, the physical limit of the exit-based transports.
 */
final class NullDevice implements PortIoDevice, MmioDevice {
    static final int PORT = GuestAbi.NULL_PORT;
    static final long MMIO = GuestAbi.NULL_MMIO;
    static final long MMIO_LENGTH = 4096;

    @Override public void out(int port, int size, long value) { }
    @Override public long in(int port, int size) { return 0; }
    @Override public void write(long address, int length, long value) { }
    @Override public long read(long address, int length) { return 0; }
}
