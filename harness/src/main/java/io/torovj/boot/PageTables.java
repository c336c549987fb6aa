package io.torovj.boot;

import io.torovj.memory.GuestMemory;

/**
 * Builds the guest's 4-level page tables once, at boot: an identity map of RAM (4 KiB pages in
 * the first 2 MiB so page 0 can be absent and the system pages supervisor-only, 2 MiB pages
 * above) and of the device window (4 KiB uncached pages). Pure code over guest memory.
 *
 * <p>Built once because under shadow paging (PVM) later host-side rewrites of live guest page
 * tables are not seen by KVM.
 *
 * <p>Every entry is built with its accessed bit set, and every page with its dirty bit: no guest
 * kernel reads them, and under shadow paging KVM emulates them. A clear dirty bit makes KVM map a
 * page read-only and take a second fault (and a second shadow page for a 2 MiB page) at the first
 * write; a clear accessed bit keeps KVM from mapping the neighbours of a faulting page with it
 * (it prefetches only accessed entries). Measured on a PVM host (kvmmmu tracepoints): HelloWorld's
 * first run took 5 shadow faults and 7 shadow pages with the bits clear, 4 and 6 with them set.
 */
public final class PageTables {
    private PageTables() {}

    static final long PRESENT = 1, WRITABLE = 2, USER = 4, WRITE_THROUGH = 8, CACHE_DISABLE = 0x10, ACCESSED = 0x20,
            DIRTY = 0x40, HUGE = 0x80;
    /** A table entry (the leaf's own flags decide the access). */
    private static final long TABLE = PRESENT | WRITABLE | USER | ACCESSED;
    /** A present page: see the class comment for why accessed and dirty are already set. */
    private static final long PAGE = PRESENT | ACCESSED | DIRTY;

    public static void build(GuestMemory mem, long ram) {
        GuestLayout.checkRamSize(ram);
        mem.fill(GuestLayout.PML4, 4 * GuestLayout.PAGE, (byte) 0);
        mem.writeU64(GuestLayout.PML4, GuestLayout.PDPT | TABLE);
        mem.writeU64(GuestLayout.PDPT, GuestLayout.PD | TABLE);
        mem.writeU64(GuestLayout.PD, GuestLayout.PT_LOW | TABLE);
        for (long pde = 1; pde < ram / GuestLayout.MIB2; pde++) {
            mem.writeU64(GuestLayout.PD + pde * 8, (pde * GuestLayout.MIB2) | TABLE | DIRTY | HUGE);
        }
        for (long pte = 1; pte < 512; pte++) {
            long gpa = pte * GuestLayout.PAGE;
            mem.writeU64(GuestLayout.PT_LOW + pte * 8, gpa | lowPageFlags(gpa));
        }
        // one 2 MiB entry: no memory backs the window, every access exits whatever the page size,
        // and a 4 KiB table for it would be one more resident page per VM
        long devicePde = GuestLayout.DEVICE_WINDOW / GuestLayout.MIB2;
        mem.writeU64(GuestLayout.PD + devicePde * 8, GuestLayout.DEVICE_WINDOW | TABLE | DIRTY | HUGE | CACHE_DISABLE | WRITE_THROUGH);
    }

    /** Flags of a 4 KiB page in the first 2 MiB (page 0 is never mapped). */
    static long lowPageFlags(long gpa) {
        if (gpa == 0) return 0;
        if (gpa == GuestLayout.BOOT_INFO) return PAGE | USER;
        boolean system = gpa < GuestLayout.REQUEST_BLOCKS;
        return system ? PAGE | WRITABLE : PAGE | WRITABLE | USER;
    }

    /**
     * Walks the tables like the MMU for a user-mode access and returns the physical address, or
     * -1 if the access would fault. For tests and the debugger.
     */
    public static long translateUser(GuestMemory mem, long va, boolean write) {
        if (va < 0 || (va >>> 48) != 0) return -1;
        long table = GuestLayout.PML4;
        int[] shifts = {39, 30, 21, 12};
        for (int level = 0; level < 4; level++) {
            long index = (va >>> shifts[level]) & 511;
            long entry = mem.readU64((table & 0x000F_FFFF_FFFF_F000L) + index * 8);
            if ((entry & PRESENT) == 0 || (entry & USER) == 0 || (write && (entry & WRITABLE) == 0)) return -1;
            long frame = entry & 0x000F_FFFF_FFFF_F000L;
            if (level == 2 && (entry & HUGE) != 0) return (entry & 0x000F_FFFF_FFE0_0000L) | (va & (GuestLayout.MIB2 - 1));
            if (level == 3) return frame | (va & 0xFFF);
            table = frame;
        }
        return -1;
    }
}
