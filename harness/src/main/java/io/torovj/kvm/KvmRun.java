package io.torovj.kvm;

import java.nio.ByteBuffer;

/**
 * A view over the vCPU's mmap'd struct kvm_run: read after {@link VcpuFd#run()} returns to
 * learn why the guest exited. Reused for every exit: reading it allocates nothing.
 */
public final class KvmRun {
    private final ByteBuffer run;

    KvmRun(ByteBuffer run) {
        this.run = run;
    }

    public int exitReason() { return run.getInt(KvmAbi.RUN_EXIT_REASON); }

    public int ioDirection() { return run.get(KvmAbi.RUN_IO_DIRECTION); }
    public int ioSize() { return run.get(KvmAbi.RUN_IO_SIZE); }
    public int ioPort() { return run.getShort(KvmAbi.RUN_IO_PORT) & 0xffff; }
    public int ioCount() { return run.getInt(KvmAbi.RUN_IO_COUNT); }

    /** The first data item of an I/O exit (size 1, 2 or 4), zero-extended; -1 if kvm_run is inconsistent. */
    public long ioData() {
        long off = run.getLong(KvmAbi.RUN_IO_DATA_OFFSET);
        int size = ioSize();
        if (off < 0 || off > run.capacity() - 4) return -1;
        return switch (size) {
            case 1 -> run.get((int) off) & 0xffL;
            case 2 -> run.getShort((int) off) & 0xffffL;
            case 4 -> run.getInt((int) off) & 0xffffffffL;
            default -> -1;
        };
    }

    /** Sets the value an IN instruction reads (size 1, 2 or 4). */
    public void setIoData(long value) {
        long off = run.getLong(KvmAbi.RUN_IO_DATA_OFFSET);
        if (off < 0 || off > run.capacity() - 4) return;
        switch (ioSize()) {
            case 1 -> run.put((int) off, (byte) value);
            case 2 -> run.putShort((int) off, (short) value);
            case 4 -> run.putInt((int) off, (int) value);
            default -> { }
        }
    }

    public long mmioAddress() { return run.getLong(KvmAbi.RUN_MMIO_PHYS_ADDR); }
    public int mmioLength() { return run.getInt(KvmAbi.RUN_MMIO_LEN); }
    public boolean mmioIsWrite() { return run.get(KvmAbi.RUN_MMIO_IS_WRITE) != 0; }
    /** The bytes of an MMIO access as a little-endian value (the first min(len, 8) bytes). */
    public long mmioData() { return run.getLong(KvmAbi.RUN_MMIO_DATA); }
    public void setMmioData(long value) { run.putLong(KvmAbi.RUN_MMIO_DATA, value); }

    public long failEntryReason() { return run.getLong(KvmAbi.RUN_FAIL_ENTRY_REASON); }
    public int internalSuberror() { return run.getInt(KvmAbi.RUN_INTERNAL_SUBERROR); }
    public long hardwareExitReason() { return run.getLong(KvmAbi.RUN_HW_EXIT_REASON); }
    public int systemEventType() { return run.getInt(KvmAbi.RUN_SYSTEM_EVENT_TYPE); }

    void setImmediateExit(boolean on) { run.put(KvmAbi.RUN_IMMEDIATE_EXIT, (byte) (on ? 1 : 0)); }
}
