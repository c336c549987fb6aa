package io.torovj.syscall;

import io.torovj.linux.Errno;
import io.torovj.memory.GuestMemory;

/**
 * brk and anonymous mmap, served from guest RAM that is already mapped (the guest's page tables
 * are built once at boot). The heap region [start, end) is a page bitmap: brk grows up from the
 * end of the program image, mmap takes the highest free run below the stack, so the two grow
 * toward each other. munmap and a shrinking brk leave the pages zeroed, as Linux would hand out
 * fresh anonymous pages: a run of up to {@link #ZERO_IN_PLACE_MAX_BYTES} is zeroed where it is,
 * a longer one is given back to the host (MADV_REMOVE). Protection bits are accepted but not
 * enforced.
 */
public final class GuestHeap implements io.torovj.lifecycle.Rewindable {
    private static final long PAGE = GuestMemory.PAGE_SIZE;
    /**
     * Freed runs up to this size are zeroed in place rather than given back. Giving pages back
     * (MADV_REMOVE on the RAM memfd) made the mmap workload's munmap of 16 pages cost 30-40 µs
     * on a PVM host, against ~6.5 µs natively: the host kernel unmaps the pages from every
     * mapping, KVM zaps its shadow page tables for them, and the guest's next touch of each page
     * faults again. Zeroing 256 KiB costs a few µs and keeps the pages mapped; what a short run
     * keeps stays within the guest's RAM size, as freed memory kept by a malloc would.
     */
    static final long ZERO_IN_PLACE_MAX_BYTES = 256 * 1024;

    private final GuestMemory memory;
    private final long start;
    private final long end;
    private final long[] mmapped;   // one bit per page: taken by mmap (or reserved by the monitor)
    private long brk;
    /** The break and bitmap when the build ended ({@link #markPristine}); null before. */
    private long pristineBrk;
    private long[] pristineMapped;

    /** @param start first heap byte (page aligned; also the initial program break) @param end exclusive */
    public GuestHeap(GuestMemory memory, long start, long end) {
        if (start % PAGE != 0 || end % PAGE != 0 || start > end) throw new IllegalArgumentException("bad heap range");
        this.memory = memory;
        this.start = start;
        this.end = end;
        this.brk = start;
        this.mmapped = new long[(int) (((end - start) / PAGE + 63) / 64)];
    }

    /** Keeps the current break and mappings (the monitor's own reservations) as what {@link #rewind} returns to. */
    public void markPristine() {
        pristineBrk = brk;
        pristineMapped = mmapped.clone();
    }

    /** Back to the break and mappings {@link #markPristine} kept; guest memory itself is restored by its image. */
    @Override
    public void rewind() {
        if (pristineMapped == null) throw new IllegalStateException("the heap was never marked pristine");
        brk = pristineBrk;
        System.arraycopy(pristineMapped, 0, mmapped, 0, mmapped.length);
    }

    public long start() { return start; }
    public long end() { return end; }
    public long currentBreak() { return brk; }

    /** Linux brk: returns the new break, or the old one if the request cannot be met (or is 0). */
    public long brk(long requested) {
        if (requested < start || requested > end) return brk;
        long oldTop = pageUp(brk), newTop = pageUp(requested);
        if (newTop > oldTop) {
            if (!free(oldTop, newTop)) return brk;
        } else if (newTop < oldTop) {
            release(newTop, oldTop - newTop);
        }
        if (requested < brk && requested > newTop - PAGE) {
            // shrink within the last page: zero the released tail so regrowing gives zeros
            memory.fill(requested, brk - requested, (byte) 0);
        }
        brk = requested;
        return brk;
    }

    /** Allocates {@code length} bytes (rounded to pages) of zeroed memory; its gpa or -ENOMEM. */
    public long mmap(long length) {
        if (length <= 0 || length > end - start) return length <= 0 ? -Errno.EINVAL : -Errno.ENOMEM;
        long pages = pageUp(length) / PAGE;
        long floor = pageUp(brk);
        long runEnd = end;
        for (long p = end - PAGE; p >= floor; p -= PAGE) {
            if (isMapped(p)) {
                runEnd = p;
            } else if ((runEnd - p) / PAGE == pages) {
                mark(p, runEnd, true);
                return p;
            }
        }
        return -Errno.ENOMEM;
    }

    /** Linux munmap: 0, or -EINVAL for an unaligned or out-of-heap range. Unmapped pages are ignored. */
    public long munmap(long addr, long length) {
        if (addr % PAGE != 0 || length <= 0) return -Errno.EINVAL;
        long top = addr + pageUp(length);
        if (addr < start || top > end || top < addr) return -Errno.EINVAL;
        // one discard (madvise) per contiguous run of mapped pages, not one per page: a 1 GiB
        // munmap is a handful of calls
        long run = -1;
        for (long p = addr; p <= top; p += PAGE) {
            boolean mapped = p < top && isMapped(p);
            if (mapped && run < 0) {
                run = p;
            } else if (!mapped && run >= 0) {
                mark(run, p, false);
                release(run, p - run);
                run = -1;
            }
        }
        return 0;
    }

    /** Leaves the freed run [gpa, gpa + len) zeroed: in place if short, else given back to the host. */
    private void release(long gpa, long len) {
        memory.zero(gpa, len, ZERO_IN_PLACE_MAX_BYTES);
    }

    /** Takes [from, to) out of the heap for the monitor's own use (e.g. the latency buffer). */
    public void reserve(long from, long to) {
        if (from < start || to > end || from % PAGE != 0 || to % PAGE != 0 || !free(from, to)) {
            throw new IllegalArgumentException("cannot reserve heap range");
        }
        mark(from, to, true);
    }

    private boolean free(long from, long to) {
        for (long p = from; p < to; p += PAGE) if (isMapped(p)) return false;
        return true;
    }

    private boolean isMapped(long page) {
        int i = (int) ((page - start) / PAGE);
        return (mmapped[i >>> 6] & (1L << (i & 63))) != 0;
    }

    private void mark(long from, long to, boolean on) {
        for (long p = from; p < to; p += PAGE) {
            int i = (int) ((p - start) / PAGE);
            if (on) mmapped[i >>> 6] |= 1L << (i & 63);
            else mmapped[i >>> 6] &= ~(1L << (i & 63));
        }
    }

    private static long pageUp(long v) { return (v + PAGE - 1) & ~(PAGE - 1); }
}
