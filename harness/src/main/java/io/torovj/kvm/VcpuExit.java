package io.torovj.kvm;

/**
 * Why the vCPU stopped, decoded once from struct kvm_run into a small typed value the run loop
 * routes, after kvm-ioctls' {@code VcpuExit}. One instance per vCPU, refilled at every exit, so
 * the exit path allocates nothing. An IN or an MMIO load is answered with {@link #complete};
 * the vCPU writes the answer into kvm_run before it next enters the guest, as KVM requires.
 *
 * <p>Tests fill it synthetically with the {@code set...} methods and drive the run loop's
 * routing without a VM.
 */
public final class VcpuExit {
    /** The kinds of exit the monitor distinguishes. */
    public enum Kind {
        /** The guest executed IN: {@link #port()}, {@link #size()}, {@link #count()}; answer with {@link #complete}. */
        IO_IN,
        /** The guest executed OUT: {@link #port()}, {@link #size()}, {@link #count()}, {@link #data()}. */
        IO_OUT,
        /** A load from an address no memory backs: {@link #address()}, {@link #length()}; answer with {@link #complete}. */
        MMIO_READ,
        /** A store to an address no memory backs: {@link #address()}, {@link #length()}, {@link #data()}. */
        MMIO_WRITE,
        /** The guest executed HLT (only CPL0 code can). */
        HLT,
        /** Triple fault (KVM_EXIT_SHUTDOWN). */
        SHUTDOWN,
        /** KVM could not enter the guest: {@link #detail()} is the hardware reason. */
        FAIL_ENTRY,
        /** KVM failed inside: {@link #detail()} is the suberror. */
        INTERNAL_ERROR,
        /** Another thread kicked the vCPU out of the guest. */
        KICKED,
        /** Any other exit: {@link #reason()} is the raw KVM exit reason ({@link #detail()}: KVM_EXIT_UNKNOWN's hardware reason, KVM_EXIT_SYSTEM_EVENT's type). */
        UNSUPPORTED
    }

    private Kind kind = Kind.UNSUPPORTED;
    private int reason;
    private int port, size, count;
    private long address;
    private int length;
    private long data;
    private long detail;
    private boolean completed;
    private long answer;

    /** An I/O exit: {@code in} or out, {@code count} items of {@code size} bytes; {@code data} the first item of an OUT. */
    public VcpuExit setIo(boolean in, int port, int size, int count, long data) {
        reset(in ? Kind.IO_IN : Kind.IO_OUT, KvmAbi.KVM_EXIT_IO);
        this.port = port;
        this.size = size;
        this.count = count;
        this.data = in ? 0 : data;
        return this;
    }

    /** An MMIO exit of {@code length} bytes at {@code address}; {@code data} the stored value, little-endian, masked to the length. */
    public VcpuExit setMmio(boolean write, long address, int length, long data) {
        reset(write ? Kind.MMIO_WRITE : Kind.MMIO_READ, KvmAbi.KVM_EXIT_MMIO);
        this.address = address;
        this.length = length;
        this.data = !write ? 0 : length >= 8 ? data : length <= 0 ? 0 : data & ((1L << (8 * length)) - 1);
        return this;
    }

    /** An exit with no operands but a detail: HLT, SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR, KICKED. */
    public VcpuExit set(Kind kind, int reason, long detail) {
        reset(kind, reason);
        this.detail = detail;
        return this;
    }

    private void reset(Kind k, int r) {
        kind = k;
        reason = r;
        port = size = count = length = 0;
        address = data = detail = 0;
        completed = false;
        answer = 0;
    }

    public Kind kind() { return kind; }
    /** The raw KVM exit reason (KVM_EXIT_*); KVM_EXIT_INTR, or -1 (KVM_RUN interrupted), for KICKED. */
    public int reason() { return reason; }
    public int port() { return port; }
    /** Bytes per I/O item: 1, 2 or 4. */
    public int size() { return size; }
    /** I/O items: 1, or more for a {@code rep ins}/{@code rep outs}. */
    public int count() { return count; }
    public long address() { return address; }
    /** Bytes of an MMIO access (1 to 8). */
    public int length() { return length; }
    /** The first OUT item (zero-extended) or the MMIO store's value. */
    public long data() { return data; }
    /** FAIL_ENTRY's hardware reason or INTERNAL_ERROR's suberror. */
    public long detail() { return detail; }

    /** The value the guest's IN or MMIO load reads. */
    public void complete(long value) {
        if (kind != Kind.IO_IN && kind != Kind.MMIO_READ) throw new IllegalStateException("nothing to complete for " + kind);
        answer = value;
        completed = true;
    }

    /** True if {@link #complete} was called for this exit. */
    public boolean completed() { return completed; }
    /** What {@link #complete} was given. */
    public long answer() { return answer; }

    /** Decodes kvm_run after KVM_RUN returned. */
    void decode(KvmRun run) {
        int r = run.exitReason();
        switch (r) {
            case KvmAbi.KVM_EXIT_IO -> setIo(run.ioDirection() == KvmAbi.KVM_EXIT_IO_IN, run.ioPort(), run.ioSize(),
                    run.ioCount(), run.ioData());
            case KvmAbi.KVM_EXIT_MMIO -> setMmio(run.mmioIsWrite(), run.mmioAddress(), run.mmioLength(), run.mmioData());
            case KvmAbi.KVM_EXIT_HLT -> set(Kind.HLT, r, 0);
            case KvmAbi.KVM_EXIT_SHUTDOWN -> set(Kind.SHUTDOWN, r, 0);
            case KvmAbi.KVM_EXIT_FAIL_ENTRY -> set(Kind.FAIL_ENTRY, r, run.failEntryReason());
            case KvmAbi.KVM_EXIT_INTERNAL_ERROR -> set(Kind.INTERNAL_ERROR, r, run.internalSuberror());
            case KvmAbi.KVM_EXIT_INTR -> set(Kind.KICKED, r, 0);
            case KvmAbi.KVM_EXIT_UNKNOWN -> set(Kind.UNSUPPORTED, r, run.hardwareExitReason());
            case KvmAbi.KVM_EXIT_SYSTEM_EVENT -> set(Kind.UNSUPPORTED, r, run.systemEventType());
            default -> set(Kind.UNSUPPORTED, r, 0);
        }
    }

    /** Before the next KVM_RUN: hands the answer of an IN or MMIO load to the guest through kvm_run. */
    void writeAnswer(KvmRun run) {
        if (!completed) return;
        if (kind == Kind.IO_IN) run.setIoData(answer);
        else run.setMmioData(answer);
        completed = false;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case IO_IN, IO_OUT -> String.format("%s port=0x%x size=%d count=%d data=0x%x", kind, port, size, count, data);
            case MMIO_READ, MMIO_WRITE -> String.format("%s address=0x%x length=%d data=0x%x", kind, address, length, data);
            case UNSUPPORTED -> kind + " " + KvmAbi.exitReasonName(reason);
            default -> kind + (detail != 0 ? String.format(" detail=0x%x", detail) : "");
        };
    }
}
