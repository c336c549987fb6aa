package io.torovj.bench;

import java.util.List;
import org.apache.commons.math3.stat.regression.SimpleRegression;

/**
 * Memory against the number of VMs alive (0, k/2, k, ...), fitted by least squares: the slope
 * is the cost of one more VM, R² says how well a straight line explains the points (a GC or
 * another process moving memory shows as a low R²).
 *
 * @param points one snapshot per count of VMs alive, the first with none of them
 */
record MemoryGrowth(List<Point> points) {
    /** {@code vms} alive, and the memory then. */
    record Point(int vms, MemorySnapshot memory) {}

    /** A least-squares line: bytes per VM, bytes at zero VMs, R². */
    record Fit(double slope, double intercept, double rSquared) {}

    MemoryGrowth {
        points = List.copyOf(points);
        if (points.size() < 2) throw new IllegalArgumentException("a fit needs at least two points, got " + points.size());
    }

    /** Resident set against VMs: the native memory of a VM (its Java objects sit in the pre-touched heap). */
    Fit rss() {
        return fit(Metric.RSS);
    }

    /** Live Java heap against VMs: the Java objects of a VM. */
    Fit heap() {
        return fit(Metric.HEAP);
    }

    /** The host kernel's memory against VMs: KVM's structures, page tables, the vCPU threads' kernel stacks. */
    Fit kernel() {
        return fit(Metric.KERNEL);
    }

    /** What one more VM costs the monitor: its native memory plus its Java objects. */
    double monitorBytesPerVm() {
        return rss().slope() + heap().slope();
    }

    int maxVms() {
        return points.stream().mapToInt(Point::vms).max().orElse(0);
    }

    private enum Metric { RSS, HEAP, KERNEL }

    private Fit fit(Metric m) {
        SimpleRegression r = new SimpleRegression();
        for (Point p : points) {
            MemorySnapshot s = p.memory();
            r.addData(p.vms(), switch (m) {
                case RSS -> s.rssBytes();
                case HEAP -> s.heapLiveBytes();
                case KERNEL -> s.kernelBytes();
            });
        }
        double r2 = r.getRSquare();
        return new Fit(r.getSlope(), r.getIntercept(), Double.isFinite(r2) ? r2 : 1.0);
    }
}
