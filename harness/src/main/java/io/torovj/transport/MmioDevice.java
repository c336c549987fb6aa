package io.torovj.transport;

/** A device on the MMIO bus (guest-physical addresses no memory slot backs). vCPU thread only. */
public interface MmioDevice {
    /** A guest store of {@code length} bytes (1..8) at {@code address}; {@code value} little-endian. */
    void write(long address, int length, long value);

    /** A guest load; the value returned is what it reads. */
    default long read(long address, int length) { return -1L; }
}
