package io.torovj.memory;

import io.torovj.sys.FileCalls;
import io.torovj.sys.LibC;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
    /** The image's pages in address order, the extents' pages one after another. */
    private final SharedPages.Page[] pages;
    private final long bytes;
    private long zeroedBytes, removedBytes;

    private MemoryImage(GuestMemory memory, long[] starts, long[] ends, SharedPages.Page[] pages, long bytes) {
        this.memory = memory;
        this.starts = starts;
        this.ends = ends;
        this.pages = pages;
        this.bytes = bytes;
    }

    /**
     * Keeps the allocated extents of {@code memory} now, less their all-zero pages: those need no
     * copy, as {@link #restore} zeroes whatever lies outside the image (HelloWorld's build leaves
     * 3 of its 16 pages zero). Each page kept is a {@link SharedPages} copy, shared with every
     * other image holding the same bytes: the VMs of a pool hold one image between them, but for
     * the pages where they differ.
     */
    public static MemoryImage capture(GuestMemory memory) {
        long[] runs = new long[16];
        int n = 0;
        List<SharedPages.Page> kept = new ArrayList<>();
        // each page looked at once: a non-zero one extends the run it follows, or starts one
        for (long p : allocatedPages(memory)) {
            if (zeroPage(memory, p)) continue;
            long q = p + GuestMemory.PAGE_SIZE;
            if (n > 0 && runs[2 * n - 1] == p) {
                runs[2 * n - 1] = q;
            } else {
                if (2 * n + 2 > runs.length) runs = Arrays.copyOf(runs, runs.length * 2);
                runs[2 * n] = p;
                runs[2 * n + 1] = q;
                n++;
            }
            kept.add(SharedPages.intern(memory, p));
        }
        long[] starts = new long[n], ends = new long[n];
        for (int i = 0; i < n; i++) {
            starts[i] = runs[2 * i];
            ends[i] = runs[2 * i + 1];
        }
        return new MemoryImage(memory, starts, ends, kept.toArray(new SharedPages.Page[0]),
                (long) kept.size() * GuestMemory.PAGE_SIZE);
    }

    /**
     * The guest-physical address of every page of {@code memory} allocated now (its memfd's data
     * extents), all-zero ones included, in address order: what a build wrote.
     */
    public static long[] allocatedPages(GuestMemory memory) {
        long[] pages = new long[64];
        int n = 0;
        for (long at = 0; (at = nextData(memory, at)) < memory.size(); ) {
            long end = nextHole(memory, at);
            if ((at | end) % GuestMemory.PAGE_SIZE != 0) {
                throw new IllegalStateException("guest RAM extent [0x" + Long.toHexString(at) + ", 0x" + Long.toHexString(end)
                        + ") is not page-aligned");
            }
            for (long p = at; p < end; p += GuestMemory.PAGE_SIZE) {
                if (n == pages.length) pages = Arrays.copyOf(pages, n * 2);
                pages[n++] = p;
            }
            at = end;
        }
        return Arrays.copyOf(pages, n);
    }

    /** True when guest page {@code p} is all zero. */
    private static boolean zeroPage(GuestMemory memory, long p) {
        for (long stop = p + GuestMemory.PAGE_SIZE; p < stop; p += 8) {
            if (memory.readU64(p) != 0) return false;
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
        int j = 0;
        for (int i = 0; i < starts.length; i++) {
            for (long p = starts[i]; p < ends[i]; p += GuestMemory.PAGE_SIZE) {
                c.memcpy(memory.hostBase() + p, pages[j++].address(), GuestMemory.PAGE_SIZE);
            }
        }
    }

    private void clear(long gpa, long len) {
        if (memory.zero(gpa, len, ZERO_IN_PLACE_BYTES)) zeroedBytes += len;
        else removedBytes += len;
    }

    /** Bytes the image holds (its non-zero allocated pages when captured), shared or not. */
    public long bytes() { return bytes; }
    /** How many of this image's pages are the very copies {@code other} holds (not merely equal ones). */
    int pagesSharedWith(MemoryImage other) {
        java.util.Set<SharedPages.Page> theirs = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        theirs.addAll(List.of(other.pages));
        int n = 0;
        for (SharedPages.Page p : pages) if (theirs.contains(p)) n++;
        return n;
    }

    /** Extents the image holds. */
    public int extents() { return starts.length; }
    /** Bytes zeroed in place and bytes given back by the restores so far. */
    public long zeroedBytes() { return zeroedBytes; }
    public long removedBytes() { return removedBytes; }

    /** The first allocated offset at or after {@code from}, or the size if there is none. */
    static long nextData(GuestMemory memory, long from) {
        if (from >= memory.size()) return memory.size();
        long r = FileCalls.INSTANCE.lseek(memory.memfd(), from, SEEK_DATA);
        if (r < 0) {
            int errno = LibC.errno();
            if (errno == 6) return memory.size();        // ENXIO: no data at or after from
            throw new IllegalStateException("lseek(SEEK_DATA) on guest RAM failed: errno " + errno);
        }
        return Math.min(r, memory.size());
    }

    /** The first hole at or after {@code from} (the file's end counts as one). */
    static long nextHole(GuestMemory memory, long from) {
        long r = FileCalls.INSTANCE.lseek(memory.memfd(), from, SEEK_HOLE);
        if (r < 0) throw new IllegalStateException("lseek(SEEK_HOLE) on guest RAM failed: errno " + LibC.errno());
        return Math.min(r, memory.size());
    }
}
