package io.torovj.memory;

import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Read-only copies of guest pages for {@link MemoryImage}s, one per distinct content, shared by
 * every image that holds that content. The VMs of one pool are built from the same program and
 * configuration, so their reset images are the same bytes but for a page or two (the stack's
 * AT_RANDOM): kept once, HelloWorld's 52 KiB image costs each further pooled VM a few KiB.
 *
 * <p>Sharing reveals nothing: a page is shared only with an image that holds exactly the same
 * bytes, and a copy is never written after it is made (restores copy out of it). A page lives as
 * long as an image references it; the store holds it weakly.
 */
final class SharedPages {
    /** One stored page: its bytes, native memory freed with the object. */
    static final class Page {
        private final NativeBuffer bytes;

        private Page(NativeBuffer bytes) { this.bytes = bytes; }

        long address() { return bytes.address(); }

        /** True when guest page {@code gpa} holds exactly these bytes. */
        boolean holds(GuestMemory memory, long gpa) {
            for (int off = 0; off < GuestMemory.PAGE_SIZE; off += 8) {
                if (bytes.getLong(off) != memory.readU64(gpa + off)) return false;
            }
            return true;
        }
    }

    /** The store's weak hold on a page, with the hash it is filed under (to unfile it once dead). */
    private static final class Entry extends WeakReference<Page> {
        final long hash;

        Entry(Page page, long hash, ReferenceQueue<Page> queue) {
            super(page, queue);
            this.hash = hash;
        }
    }

    private static final Map<Long, List<Entry>> BY_HASH = new HashMap<>();
    private static final ReferenceQueue<Page> DEAD = new ReferenceQueue<>();

    private SharedPages() {}

    /** The stored page with the same bytes as guest page {@code gpa} of {@code memory}, made if there is none yet. */
    static synchronized Page intern(GuestMemory memory, long gpa) {
        if ((gpa & (GuestMemory.PAGE_SIZE - 1)) != 0 || gpa < 0 || gpa > memory.size() - GuestMemory.PAGE_SIZE) {
            throw new IllegalArgumentException("not a guest page: 0x" + Long.toHexString(gpa));
        }
        forgetDead();
        long hash = hash(memory, gpa);
        List<Entry> filed = BY_HASH.computeIfAbsent(hash, h -> new ArrayList<>(1));
        for (Entry e : filed) {
            Page p = e.get();
            if (p != null && p.holds(memory, gpa)) return p;
        }
        NativeBuffer copy = NativeBuffer.uncleared(GuestMemory.PAGE_SIZE);    // every byte copied in below
        LibC.INSTANCE.memcpy(copy.address(), memory.hostBase() + gpa, GuestMemory.PAGE_SIZE);
        Page page = new Page(copy);
        filed.add(new Entry(page, hash, DEAD));
        return page;
    }

    private static void forgetDead() {
        for (java.lang.ref.Reference<? extends Page> r; (r = DEAD.poll()) != null; ) {
            Entry dead = (Entry) r;
            List<Entry> filed = BY_HASH.get(dead.hash);
            if (filed == null) continue;
            filed.remove(dead);
            if (filed.isEmpty()) BY_HASH.remove(dead.hash);
        }
    }

    private static long hash(GuestMemory memory, long gpa) {
        long h = 0x9E37_79B9_7F4A_7C15L;
        for (int off = 0; off < GuestMemory.PAGE_SIZE; off += 8) {
            h = (h ^ memory.readU64(gpa + off)) * 0xBF58_476D_1CE4_E5B9L;
            h ^= h >>> 31;
        }
        return h;
    }
}
