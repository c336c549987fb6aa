package io.torovj.abi;

/**
 * The contract between the monitor and the guest runtime, mirroring
 * harness/src/main/c/torovj_abi.h constant by constant (every number here is checked against
 * what gcc computes from the header: {@code GuestAbiLayoutTest}). Leaf: constants only.
 */
public final class GuestAbi {
    private GuestAbi() {}

    /** TOROVJ_BOOT_MAGIC: "TOROVJ1\0" little-endian. */
    public static final long BOOT_MAGIC = 0x00314a564f524f54L;
    /** TOROVJ_ABI_VERSION. */
    public static final int ABI_VERSION = 1;
    /** TOROVJ_AT_BOOT_INFO: the auxv type whose value is the boot information's address. */
    public static final long AT_BOOT_INFO = 0x7430;
    /** TOROVJ_TRANSPORT_NAME_MAX: bytes of the transport name, its NUL included. */
    public static final int TRANSPORT_NAME_MAX = 16;
    /** TOROVJ_NULL_PORT: an OUT here exits and does nothing (the exit floor). */
    public static final int NULL_PORT = 0x00F2;
    /** TOROVJ_NULL_MMIO: a store here exits and does nothing (page 1 of the device window). */
    public static final long NULL_MMIO = 0x3FE0_1000L;

    /**
     * The ELF section TOROVJ_TRANSPORT() (torovj_transport.h) fills with the guest halves a
     * runtime-linked program carries: its presence tells such a program from an unmodified one.
     */
    public static final String TRANSPORT_REGISTRY_SECTION = "torovj_transports";

    /** struct torovj_boot_info. */
    public static final int BOOT_MAGIC_OFF = 0, BOOT_ABI_VERSION = 8, BOOT_VCPU_COUNT = 12, BOOT_TRANSPORT = 16,
            BOOT_REQUEST_BLOCK = 32, BOOT_TRANSPORT_AREA = 40, BOOT_TRANSPORT_AREA_SIZE = 48,
            BOOT_DOORBELL_MMIO = 56, BOOT_DOORBELL_PORT = 64, BOOT_LATENCY_BUFFER = 72, BOOT_INFO_SIZE = 80;

    /** struct torovj_request. */
    public static final int REQ_NR = 0, REQ_ARGS = 8, REQ_RET = 56, REQ_SIZE = 64;

    /** struct torovj_latency_buffer. */
    public static final int LAT_CAPACITY = 0, LAT_COUNT = 8, LAT_SAMPLES = 16;
}
