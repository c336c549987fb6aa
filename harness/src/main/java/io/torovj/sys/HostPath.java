package io.torovj.sys;

/**
 * A NUL-terminated path in host memory, owned by the monitor and handed to the host by
 * {@link HostFiles}: the guest never has a pointer to it, so it cannot change the path after the
 * monitor checked it. Allocated once and refilled per call.
 */
public final class HostPath {
    private final NativeBuffer buffer;

    /** @param maxLength the longest path it holds, in bytes, NUL excluded */
    public HostPath(int maxLength) {
        // every use sets the path first and the host reads it only up to its NUL: no need to
        // zero it, and a VM that never names a path keeps its pages untouched (three per VM)
        this.buffer = NativeBuffer.uncleared(maxLength + 1);
    }

    /** Sets the path to {@code utf8} (no NUL inside); false, and unchanged, if it is longer than the maximum. */
    public boolean set(byte[] utf8) {
        return buffer.putCString(0, utf8);
    }

    long address() { return buffer.address(); }
}
