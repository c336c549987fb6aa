package io.torovj.vmm;

import io.torovj.abi.GuestAbi;
import io.torovj.boot.BootInfo;
import io.torovj.memory.GuestMemory;
import io.torovj.syscall.GuestHeap;

/**
 * The per-call latency buffer (struct torovj_latency_buffer): reserved at the top of the heap
 * when the configuration asks for samples, filled by the guest runtime with rdtsc deltas, read
 * back when the VM ends. The guest may scribble over it: only the capacity the monitor gave it
 * is trusted.
 */
final class LatencyBuffer {
    private LatencyBuffer() {}

    /** Reserves room for {@code samples} samples; returns its gpa, or 0 for none. */
    static long reserve(GuestMemory memory, GuestHeap heap, BootInfo bootInfo, int samples) {
        if (samples == 0) return 0;
        long bytes = GuestAbi.LAT_SAMPLES + 8L * samples;
        long size = (bytes + GuestMemory.PAGE_SIZE - 1) & ~(GuestMemory.PAGE_SIZE - 1L);
        long at = heap.end() - size;
        if (at < heap.start()) throw new IllegalArgumentException("latency buffer of " + samples + " samples does not fit guest memory");
        heap.reserve(at, heap.end());
        memory.writeU64(at + GuestAbi.LAT_CAPACITY, samples);
        memory.writeU64(at + GuestAbi.LAT_COUNT, 0);
        bootInfo.setLatencyBuffer(at);
        return at;
    }

    /** The samples recorded in the buffer at {@code buffer} of {@code capacity} samples. */
    static long[] samples(GuestMemory memory, long buffer, int capacity) {
        if (buffer == 0) return new long[0];
        int n = (int) Math.max(0, Math.min(memory.readU64(buffer + GuestAbi.LAT_COUNT), capacity));
        long[] samples = new long[n];
        for (int i = 0; i < n; i++) samples[i] = memory.readU64(buffer + GuestAbi.LAT_SAMPLES + 8L * i);
        return samples;
    }

    /** Samples the guest recorded beyond the capacity (dropped). */
    static long dropped(GuestMemory memory, long buffer, int capacity) {
        return buffer == 0 ? 0 : Math.max(0, memory.readU64(buffer + GuestAbi.LAT_COUNT) - capacity);
    }
}
