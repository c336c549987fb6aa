package io.torovj.syscall;

import static io.torovj.linux.MmapFlags.MAP_ANONYMOUS;
import static io.torovj.linux.MmapFlags.MAP_FIXED;
import static io.torovj.linux.MmapFlags.MAP_FIXED_NOREPLACE;

import io.torovj.linux.Errno;

/** brk, mmap (anonymous only), munmap, served by {@link GuestHeap} from pre-mapped guest RAM. */
public final class MemorySyscalls implements SyscallGroup {
    private final GuestHeap heap;

    public MemorySyscalls(GuestHeap heap) {
        this.heap = heap;
    }

    @Override
    public SyscallHandler handler(String call) {
        return switch (call) {
            case "brk" -> (addr, a1, a2, a3, a4, a5) -> heap.brk(addr);
            case "mmap" -> (addr, len, prot, flags, fd, off) -> mmap(len, flags);
            case "munmap" -> (addr, len, a2, a3, a4, a5) -> heap.munmap(addr, len);
            default -> null;
        };
    }

    private long mmap(long length, long flags) {
        if ((flags & MAP_ANONYMOUS) == 0) return -Errno.ENODEV;            // no file-backed mappings
        if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0) return -Errno.EINVAL;
        return heap.mmap(length);
    }
}
