package io.torovj.syscall;

import static io.torovj.linux.MmapFlags.MAP_ANONYMOUS;
import static io.torovj.linux.MmapFlags.MAP_FIXED;
import static io.torovj.linux.MmapFlags.MAP_FIXED_NOREPLACE;

import io.torovj.linux.Errno;

/** brk, mmap (anonymous only), munmap, served by {@link GuestHeap} from pre-mapped guest RAM. */
public final class MemorySyscalls {
    private final GuestHeap heap;

    public MemorySyscalls(GuestHeap heap) {
        this.heap = heap;
    }

    public void registerWith(SyscallDispatcher d) {
        d.register("brk", (addr, a1, a2, a3, a4, a5) -> heap.brk(addr));
        d.register("mmap", (addr, len, prot, flags, fd, off) -> mmap(len, flags));
        d.register("munmap", (addr, len, a2, a3, a4, a5) -> heap.munmap(addr, len));
    }

    private long mmap(long length, long flags) {
        if ((flags & MAP_ANONYMOUS) == 0) return -Errno.ENODEV;            // no file-backed mappings
        if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0) return -Errno.EINVAL;
        return heap.mmap(length);
    }
}
