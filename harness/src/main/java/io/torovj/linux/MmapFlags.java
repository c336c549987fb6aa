package io.torovj.linux;

/**
 * Flags of mmap(2) on x86-64 ({@code <asm-generic/mman-common.h>}, {@code <asm-generic/mman.h>},
 * {@code <linux/mman.h>}), with madvise(2)'s MADV_REMOVE and memfd_create(2)'s MFD_CLOEXEC, the
 * other calls that make and give back the mappings.
 */
public final class MmapFlags {
    private MmapFlags() {}

    public static final int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2;
    public static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20,
            MAP_NORESERVE = 0x4000, MAP_FIXED_NOREPLACE = 0x100000;
    /** What mmap(2) returns on failure, {@code (void *) -1}. */
    public static final long MAP_FAILED = -1L;
    /** madvise: free the range's pages and backing store; it reads back as zeros. */
    public static final int MADV_REMOVE = 9;
    /** memfd_create: close the fd on exec. */
    public static final int MFD_CLOEXEC = 1;
}
