package io.torovj.mechanisms;

/**
 * The host poller thread of a polling transport (ring, aring, line): how it is started and how a
 * transport's close waits for it. One place, so that every polling transport ends the same way.
 */
final class PollerThread {
    /**
     * How long a transport's close waits for its poller to end. The VM has stopped by then, and
     * every host call that may block waits on the VM's stop as well (the syscall layer's
     * StopSignal), so the poller ends within microseconds; the bound is for a host call that
     * cannot be interrupted (a hung network file system, another process racing for a lent
     * pipe's data), which must not hang the monitor's shutdown.
     */
    static final long JOIN_MILLIS = 5_000;

    private PollerThread() {}

    /** Starts {@code body} on a daemon thread named {@code name} (a poller never keeps the JVM alive). */
    static Thread start(Runnable body, String name) {
        Thread poller = new Thread(body, name);
        poller.setDaemon(true);
        poller.start();
        return poller;
    }

    /**
     * Joins {@code poller} (may be null: never started) for up to {@link #JOIN_MILLIS}; throws (a
     * monitor error, which the command line reports) if it is still running then. The transport's
     * closing flag is set by then, so a poller that returns from its host call later does not
     * touch guest memory (each transport checks the flag after every host call); only the host
     * call itself, if it moves data into guest memory, could still do so.
     */
    static void join(Thread poller, String transport) {
        join(poller, transport, JOIN_MILLIS);
    }

    /** {@link #join(Thread, String)} with a bound of {@code millis}. */
    static void join(Thread poller, String transport, long millis) {
        if (poller == null) return;
        // an interrupt does not cut the wait short: guest memory must outlive a running poller
        long deadline = System.nanoTime() + millis * 1_000_000;
        boolean interrupted = false;
        for (long left; poller.isAlive() && (left = deadline - System.nanoTime()) > 0; ) {
            try {
                poller.join(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (poller.isAlive()) {
            throw new IllegalStateException(transport + " transport: the poller is still in a host call "
                    + millis + " ms after the VM stopped; abandoning it");
        }
    }
}
