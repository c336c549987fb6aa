package io.torovj.memory;

import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import java.util.Arrays;

/**
 * Guest RAM as it was at one moment, to return it to exactly that state later: a pooled VM's
 * reset between invocations. Only what is allocated is kept: guest RAM is a memfd, and
 * {@code lseek(SEEK_DATA/SEEK_HOLE)} names its allocated extents (on tmpfs, pages swapped out
 * count as data, so nothing written can hide from the restore); of those, the pages that are all
 * zero are not copied but zeroed back like any page outside the image.
 *
 * <p>{@link #restore} walks the extents allocated now: what lies outside the image is zeroed
 * (a short run by memset, so the pages a function touches every time stay mapped in the guest
 * and cost no fault next time; a long run by MADV_REMOVE, which gives the pages back), then every
 * extent of the image is copied back. The guest must not be running. Allocation-free.
 */
public final class MemoryImage {
    private static final int SEEK_DATA = 3, SEEK_HOLE = 4;
    /** Runs outside the image up to this long are zeroed in place; longer ones are given back. */
    static final long ZERO_IN_PLACE_BYTES = 64 * 1024;

    private final GuestMemory memory;
    private final long[] starts, ends;
    private final NativeBuffer saved;
    private final long bytes;
    private long zeroedBytes, removedBytes;

    private MemoryImage(GuestMemory memory, long[] starts, long[] ends, NativeBuffer saved, long bytes) {
        this.memory = memory;
        this.starts = starts;
        this.ends = ends;
        this.saved = saved;
        this.bytes = bytes;
    }

    /**
     * Copies the allocated extents of {@code memory} now, less their all-zero pages: those need no
     * copy, as {@link #restore} zeroes whatever lies outside the image, and the copy is native
     * memory each pooled VM holds for its whole life (HelloWorld's build leaves 3 of its 16 pages
     * zero: the image keeps 52 KiB, not 64).
     */
    public static MemoryImage capture(GuestMemory memory) {
        long[] runs = new long[16];
        int n = 0;
        long total = 0;
        for (long at = 0; (at = nextData(memory, at)) < memory.size(); ) {
            long end = nextHole(memory, at);
            // each page looked at once: a non-zero one extends the run it follows, or starts one
            for (long p = at; p < end; p = pageEnd(p, end)) {
                if (zeroPage(memory, p, end)) continue;
                long q = pageEnd(p, end);
                if (n > 0 && runs[2 * n - 1] == p) {
                    runs[2 * n - 1] = q;
                } else {
                    if (2 * n + 2 > runs.length) runs = Arrays.copyOf(runs, runs.length * 2);
                    runs[2 * n] = p;
                    runs[2 * n + 1] = q;
                    n++;
                }
                total += q - p;
            }
            at = end;
        }
        if (total > Integer.MAX_VALUE) throw new IllegalStateException("guest RAM image too large to keep: " + total + " bytes");
        long[] starts = new long[n], ends = new long[n];
        NativeBuffer saved = NativeBuffer.uncleared((int) Math.max(1, total)); // every byte is copied in below
        long off = 0;
        for (int i = 0; i < n; i++) {
            starts[i] = runs[2 * i];
            ends[i] = runs[2 * i + 1];
            LibC.INSTANCE.memcpy(saved.address() + off, memory.hostBase() + starts[i], ends[i] - starts[i]);
            off += ends[i] - starts[i];
        }
        return new MemoryImage(memory, starts, ends, saved, total);
    }

    /** The end of the page holding {@code p}, or {@code end} if that comes first. */
    private static long pageEnd(long p, long end) {
        return Math.min(end, (p | (GuestMemory.PAGE_SIZE - 1)) + 1);
    }

    /** True when the bytes from {@code p} to the end of its page (or {@code end}) are all zero. */
    private static boolean zeroPage(GuestMemory memory, long p, long end) {
        long stop = pageEnd(p, end);
        for (; p + 8 <= stop; p += 8) {
            if (memory.readU64(p) != 0) return false;
        }
        for (; p < stop; p++) {
            if (memory.readU8(p) != 0) return false;
        }
        return true;
    }

    /** Returns guest RAM to the captured state: nothing written since survives. */
    public void restore() {
        LibC c = LibC.INSTANCE;
        long size = memory.size();
        int k = 0;                          // the first image extent not wholly before `at`
        for (long at = 0; (at = nextData(memory, at)) < size; ) {
            long end = nextHole(memory, at);
            // zero [at, end) minus the image's extents (those are copied back below)
            for (long p = at; p < end; ) {
                while (k < starts.length && ends[k] <= p) k++;
                long stop = k < starts.length ? Math.min(end, Math.max(p, starts[k])) : end;
                if (stop > p) {
                    clear(p, stop - p);
                    p = stop;
                } else {
                    p = Math.min(end, ends[k]);
                }
            }
            at = end;
        }
        long off = 0;
        for (int i = 0; i < starts.length; i++) {
            long len = ends[i] - starts[i];
            c.memcpy(memory.hostBase() + starts[i], saved.address() + off, len);
            off += len;
        }
    }

    private void clear(long gpa, long len) {
        if (len <= ZERO_IN_PLACE_BYTES) {
            memory.fill(gpa, len, (byte) 0);
            zeroedBytes += len;
        } else {
            memory.discard(gpa, len);
            removedBytes += len;
        }
    }

    /** Bytes the image holds (its allocated extents when captured). */
    public long bytes() { return bytes; }
    /** Extents the image holds. */
    public int extents() { return starts.length; }
    /** Bytes zeroed in place and bytes given back by the restores so far. */
    public long zeroedBytes() { return zeroedBytes; }
    public long removedBytes() { return removedBytes; }

    /** The first allocated offset at or after {@code from}, or the size if there is none. */
    static long nextData(GuestMemory memory, long from) {
        if (from >= memory.size()) return memory.size();
        long r = LibC.INSTANCE.lseek(memory.memfd(), from, SEEK_DATA);
        if (r < 0) {
            int errno = LibC.errno();
            if (errno == 6) return memory.size();        // ENXIO: no data at or after from
            throw new IllegalStateException("lseek(SEEK_DATA) on guest RAM failed: errno " + errno);
        }
        return Math.min(r, memory.size());
    }

    /** The first hole at or after {@code from} (the file's end counts as one). */
    static long nextHole(GuestMemory memory, long from) {
        long r = LibC.INSTANCE.lseek(memory.memfd(), from, SEEK_HOLE);
        if (r < 0) throw new IllegalStateException("lseek(SEEK_HOLE) on guest RAM failed: errno " + LibC.errno());
        return Math.min(r, memory.size());
    }
}
