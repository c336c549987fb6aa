package io.torovj.mechanisms;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The host poller thread of a polling transport (ring, aring, line) and its stopping flag: how a
 * run starts, how the poller learns that the run ends, and how the end waits for it. One place,
 * so that every polling transport ends the same way.
 *
 * <p>The thread outlives a run: between two runs of a pooled VM it is parked on a semaphore
 * (no CPU; a new run costs one wake-up rather than a thread start), and it ends only at
 * {@link #close}. A one-shot VM runs once, so its poller starts, serves and ends as before.
 */
final class PollerThread {
    /**
     * How long the end of a run waits for its poller. The VM has stopped by then, and every host
     * call that may block waits on the VM's stop as well (the syscall layer's StopSignal), so the
     * poller returns within microseconds; the bound is for a host call that cannot be interrupted
     * (a hung network file system, another process racing for a lent pipe's data), which must
     * not hang the monitor's shutdown.
     */
    static final long JOIN_MILLIS = 5_000;

    private final String threadName;
    private final Semaphore go = new Semaphore(0), done = new Semaphore(0);
    private Thread thread;
    private volatile Runnable body;
    private volatile boolean stopping;
    private volatile boolean ended;
    /** True while the body runs (tests: the poller has noticed a stop once this is false again). */
    private volatile boolean serving;
    private boolean running, closed;

    PollerThread(String threadName) {
        this.threadName = threadName;
    }

    /** Runs {@code body} on the poller thread (a daemon: a poller never keeps the JVM alive) for one run. */
    void start(Runnable body) {
        if (closed) throw new IllegalStateException(threadName + ": started after close");
        if (running) throw new IllegalStateException(threadName + ": started twice in one run");
        this.body = body;
        stopping = false;
        running = true;
        if (thread == null) {
            thread = new Thread(this::serveRuns, threadName);
            thread.setDaemon(true);
            thread.start();
        }
        go.release();
    }

    private void serveRuns() {
        while (true) {
            go.acquireUninterruptibly();
            if (ended) return;
            serving = true;
            try {
                body.run();
            } finally {
                serving = false;
                done.release();
            }
        }
    }

    /**
     * True once the run's end (or close) has begun. The poller checks it after every host call
     * and publishes nothing into guest memory then: guest memory may be reset or released as
     * soon as {@link #stop} returns.
     */
    boolean closing() { return stopping; }

    /** True while a run's body is executing on the poller thread. */
    boolean serving() { return serving; }

    /** {@link #stop(String, Runnable)} with nothing to wake. */
    void stop(String transport) {
        stop(transport, () -> {});
    }

    /**
     * Ends the run: sets the stopping flag, runs {@code wake} (what gets a sleeping poller to look
     * at it) and waits up to {@link #JOIN_MILLIS} for the body to return; throws (a monitor error,
     * and the VM is not reused) if it has not. Does nothing outside a run.
     */
    void stop(String transport, Runnable wake) {
        stop(transport, wake, JOIN_MILLIS);
    }

    /** {@link #stop(String, Runnable)} with the bound given (tests). */
    void stop(String transport, Runnable wake, long millis) {
        if (!running) return;
        stopping = true;
        wake.run();
        boolean returned;
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            try {
                // an interrupt does not cut the wait short: guest memory must outlive a running poller
                returned = done.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (!returned) {
            closed = true;          // abandoned: it may still return from its host call later
            throw new IllegalStateException(transport + " transport: the poller is still in a host call "
                    + millis + " ms after the VM stopped; abandoning it");
        }
        running = false;
    }

    /** Ends the run if one is going ({@link #stop}), then the thread, and joins it. Idempotent. */
    void close(String transport, Runnable wake) {
        if (closed) return;
        stopping = true;            // also for a call served outside a run (tests drive serveOne directly)
        try {
            stop(transport, wake);
        } finally {
            closed = true;
        }
        if (thread != null) {
            ended = true;
            go.release();
            join(thread, transport, JOIN_MILLIS);
        }
    }

    /**
     * Joins {@code poller} for up to {@code millis}; throws (a monitor error) if it is still
     * running then. An interrupt does not cut the wait short.
     */
    static void join(Thread poller, String transport, long millis) {
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

    /** {@link #close(String, Runnable)} with nothing to wake. */
    void close(String transport) {
        close(transport, () -> {});
    }
}
