package io.torovj.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs {@link VmMemoryProbe} for one transport in a JVM of its own and reads its points back.
 * Its own JVM so that nothing the bench did before (JMH's results, histograms, a grown heap)
 * moves its RSS, and so that its heap is fixed and pre-touched ({@link #JVM_OPTIONS}): the heap
 * then adds the same resident pages at every point, and the Java objects of a VM are counted
 * from the live heap after a GC instead of from whatever the collector happened to touch.
 */
final class MemoryProbeRun {
    /**
     * A fixed heap, resident from the start; the collector and the stack shadow zone `torovj serve`
     * runs with (the torovj script's: a thread's interpreter touches all of the zone).
     */
    static final List<String> JVM_OPTIONS = List.of("-Xms192m", "-Xmx192m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC",
            "-XX:StackShadowPages=10");
    private static final List<String> PROPERTIES = List.of("torovj.guestDir", "torovj.nativeDir", "torovj.toolsDir",
            "torovj.vcpuProcess", "bench.platform");

    /** Both shapes' growth for one transport. */
    record Result(String transport, MemoryGrowth pooled, MemoryGrowth live) {}

    private MemoryProbeRun() {}

    static Result run(String transport, int pooled, int live) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_OPTIONS);
        for (String p : PROPERTIES) {
            String v = System.getProperty(p);
            if (v != null) cmd.add("-D" + p + "=" + v);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), VmMemoryProbe.class.getName(), transport,
                Integer.toString(pooled), Integer.toString(live)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        int status = p.waitFor();
        String last = out.isEmpty() ? "" : out.substring(out.lastIndexOf('\n') + 1);
        if (status != 0 || !last.startsWith("{")) {
            throw new IllegalStateException("the memory probe for " + transport + " failed (status " + status + "): " + out);
        }
        JsonNode json = new ObjectMapper().readTree(last);
        return new Result(transport, growth(json.get("pooled")), growth(json.get("live")));
    }

    private static MemoryGrowth growth(JsonNode points) {
        List<MemoryGrowth.Point> out = new ArrayList<>();
        for (JsonNode p : points) {
            out.add(new MemoryGrowth.Point(p.get(0).asInt(), new MemorySnapshot(p.get(1).asLong(), p.get(2).asLong(), p.get(3).asLong())));
        }
        return new MemoryGrowth(out);
    }

    /** One line for the notes: the points and the fits, in KiB. */
    static String describe(String shape, String transport, MemoryGrowth g) {
        StringBuilder b = new StringBuilder(shape + " " + transport + ": VMs/RSS/live heap/host kernel KiB");
        for (MemoryGrowth.Point p : g.points()) {
            b.append(String.format(Locale.ROOT, " [%d: %d, %d, %d]", p.vms(), p.memory().rssBytes() >> 10,
                    p.memory().heapLiveBytes() >> 10, p.memory().kernelBytes() >> 10));
        }
        b.append(String.format(Locale.ROOT, "; per VM: RSS %.1f KiB (R² %.3f) + Java heap %.1f KiB (R² %.3f) = %.1f KiB;"
                        + " host kernel %.1f KiB (R² %.3f)", g.rss().slope() / 1024, g.rss().rSquared(),
                g.heap().slope() / 1024, g.heap().rSquared(), g.monitorBytesPerVm() / 1024, g.kernel().slope() / 1024,
                g.kernel().rSquared()));
        return b.toString();
    }
}
