package io.torovj.vmm;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The wall time of each of a VM's build steps, in {@link VmBuilder}'s order: where a fresh VM's
 * time goes, which {@code torovj run --verbose} prints. A step's time runs from the end of the
 * step before it (the first's from the build's start), so the steps add up to the build.
 */
final class BuildTimes {
    private final Map<String, Long> steps = new LinkedHashMap<>();
    private long last = System.nanoTime();

    /** The step {@code name} has just ended. */
    void ended(String name) {
        long now = System.nanoTime();
        steps.put(name, now - last);
        last = now;
    }

    /** Step name to nanoseconds, in build order: a read-only view, which shows steps ended later too. */
    Map<String, Long> steps() {
        return Collections.unmodifiableMap(steps);
    }
}
