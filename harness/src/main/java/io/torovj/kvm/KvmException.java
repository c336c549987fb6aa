package io.torovj.kvm;

/** A KVM ioctl or the KVM device failed; the message names the call and the host errno text. */
public final class KvmException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public KvmException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public int errno() { return errno; }
}
