package io.torovj.transport;

import io.torovj.sys.ThreadAffinity;

/**
 * Where a transport's own threads (pollers) may run: on every CPU the process may, whatever the
 * mask of the thread that made them. A new thread inherits its creator's mask, and a spinning
 * poller pinned with a creator that runs the vCPU (the bench's cold sampler pins its thread, as
 * cfloor pins its VM lifecycle's; a caller may pin its own) would wait a time slice per request.
 */
public final class PollerPlacement {
    private PollerPlacement() {}

    /**
     * Lets the calling thread run on every CPU of the process. Placement only: if the host refuses,
     * the thread stays where it is and serves the same.
     */
    public static void anywhere() {
        try {
            ThreadAffinity.set(ThreadAffinity.process());
        } catch (RuntimeException e) {
            // the thread keeps its creator's mask
        }
    }
}
