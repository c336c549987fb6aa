package io.torovj.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The monitor's memory at one moment, after a forced GC: its resident set (smaps_rollup's Rss,
 * every mapping: guest RAM pages touched, kvm_run pages, thread stacks, malloc arenas,
 * metaspace, code cache and the Java heap), the Java heap's live bytes, and the host kernel's
 * own memory (Slab + PageTables + SecPageTables + KernelStack from /proc/meminfo: where KVM keeps
 * its VM and vCPU structures and shadow page tables; host-wide, so other processes move it too).
 *
 * <p>Taken in a JVM whose heap is fixed and pre-touched ({@link MemoryProbeRun#JVM_OPTIONS}), so
 * the heap's share of the RSS is constant and the Java objects a VM keeps show only as live
 * heap bytes.
 *
 * @param rssBytes      the process's resident set
 * @param heapLiveBytes Java heap in use after a full GC
 * @param kernelBytes   the host's Slab + PageTables + SecPageTables + KernelStack
 */
record MemorySnapshot(long rssBytes, long heapLiveBytes, long kernelBytes) {

    /** Forces a full GC (twice: a second one collects what the first only finalized), then reads the three figures. */
    static MemorySnapshot take() throws IOException, InterruptedException {
        System.gc();
        Thread.sleep(20);
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        Path rollup = Path.of("/proc/self/smaps_rollup");
        long rss = kib(rollup, "Rss:").orElseThrow(() -> new IllegalStateException("no Rss: in " + rollup));
        return new MemorySnapshot(rss, heap, hostKernelBytes());
    }

    private static long hostKernelBytes() throws IOException {
        Path meminfo = Path.of("/proc/meminfo");
        return kib(meminfo, "Slab:").orElseThrow() + kib(meminfo, "PageTables:").orElseThrow()
                + kib(meminfo, "SecPageTables:").orElse(0) // absent before Linux 6.0
                + kib(meminfo, "KernelStack:").orElseThrow();
    }

    /** {@code key}'s value in bytes (the file gives kB), if the file has it. */
    private static OptionalLong kib(Path file, String key) throws IOException {
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(key)) {
                return OptionalLong.of(Long.parseLong(line.substring(key.length()).replaceAll("[^0-9]", "")) * 1024);
            }
        }
        return OptionalLong.empty();
    }
}
