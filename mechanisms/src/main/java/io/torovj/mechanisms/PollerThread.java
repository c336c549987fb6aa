package io.torovj.mechanisms;

/**
 * The host poller thread of a polling transport (ring, aring, line) and its closing flag: how it
 * starts, how it learns that the transport closes, and how close waits for it. One place, so that
 * every polling transport ends the same way.
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

    private final String threadName;
    private Thread thread;
    private volatile boolean closing;
    private boolean closed;

    PollerThread(String threadName) {
        this.threadName = threadName;
    }

    /** Starts {@code body} on a daemon thread (a poller never keeps the JVM alive). */
    void start(Runnable body) {
        thread = new Thread(body, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * True once close has begun. The poller checks it after every host call and publishes nothing
     * into guest memory then: guest memory may be released as soon as close stops waiting.
     */
    boolean closing() { return closing; }

    /** {@link #close(String, Runnable)} with nothing to wake. */
    void close(String transport) {
        close(transport, () -> {});
    }

    /**
     * Sets the closing flag, runs {@code wake} (what gets a sleeping poller to look at the flag),
     * and joins the thread ({@link #join}). Idempotent; a poller never started is closed at once.
     */
    void close(String transport, Runnable wake) {
        if (closed) return;
        closed = true;
        closing = true;
        wake.run();
        join(thread, transport, JOIN_MILLIS);
    }

    /**
     * Joins {@code poller} (may be null: never started) for up to {@code millis}; throws (a
     * monitor error, which the command line reports) if it is still running then. The closing
     * flag is set by then, so a poller that returns from its host call later does not touch guest
     * memory; only the host call itself, if it moves data into guest memory, could still do so.
     */
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
