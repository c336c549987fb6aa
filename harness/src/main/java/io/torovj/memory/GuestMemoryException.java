package io.torovj.memory;

/**
 * A guest address or range that {@link GuestMemory} refused. Syscall handlers turn it into
 * -EFAULT (or -ENAMETOOLONG for an over-long string); it never reaches the host.
 * Stackless: a hostile guest can provoke it at will, so it must be cheap.
 */
public final class GuestMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why an access was refused. */
    public enum Kind { OUT_OF_RANGE, MISALIGNED, STRING_TOO_LONG }

    private final Kind kind;
    private final long address;
    private final long length;

    public GuestMemoryException(Kind kind, long address, long length) {
        super(null, null, false, false);
        this.kind = kind;
        this.address = address;
        this.length = length;
    }

    public Kind kind() { return kind; }
    public long address() { return address; }
    public long length() { return length; }

    @Override
    public String getMessage() {
        return switch (kind) {
            case OUT_OF_RANGE -> String.format("guest range 0x%x+%d is outside guest memory", address, length);
            case MISALIGNED -> String.format("guest address 0x%x is not %d-byte aligned", address, length);
            case STRING_TOO_LONG -> String.format("guest string at 0x%x has no NUL within %d bytes", address, length);
        };
    }
}
