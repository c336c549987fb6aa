package io.torovj.transport;

/** A device on the I/O-port bus. Called on the vCPU thread; must not allocate on the hot path. */
public interface PortIoDevice {
    /** The guest executed OUT: {@code size} is 1, 2 or 4; {@code value} is zero-extended. */
    void out(int port, int size, long value);

    /** The guest executed IN; the value returned is what it reads. */
    default long in(int port, int size) { return -1L; }

    /**
     * True (the default) if code at CPL3 may use the device's ports: the VM's TSS I/O bitmap
     * grants them. False for ports only the monitor's CPL0 code uses (the fault-report port).
     */
    default boolean grantedToUserCode() { return true; }
}
