package io.torovj.mechanisms;

import io.torovj.transport.PollerPlacement;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The host poller thread of a polling transport (ring, aring, line) and its stopping flag: how a
 * run starts, how the poller learns that the run ends, and how the end waits for it. One place,
 * so that every polling transport ends the same way.
 *
 * <p>The thread outlives a run: between two runs of a pooled VM it is parked on a semaphore
 * (no CPU; a new run costs one wake-up rather than a thread start). It outlives the transport
 * too: {@link #close} hands it back as a spare, parked, for the next polling transport's first
 * run, unless {@link #SPARE_WORKERS} are spare already (then it ends). A Java thread's start and
 * end cost ~180 µs on the 2-core host, a seventh of a fresh VM's whole life; a spare's wake-up
 * costs a few. A spare carries nothing from one transport to the next: the body is the new
 * transport's, it keeps no thread-local state, and its interrupt status is cleared per run.
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

    /** Parked workers kept for the next polling transports; more than this end at close. */
    static final int SPARE_WORKERS = 4;
    /** A spare's name while it is parked (a poller's is its transport's, e.g. torovj-ring-poller). */
    static final String SPARE_NAME = "torovj-spare-poller";
    private static final Deque<Worker> SPARE = new ArrayDeque<>();

    private final String threadName;
    private final Semaphore done = new Semaphore(0);
    private Worker worker;
    private volatile Runnable body;
    private volatile boolean stopping;
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
        if (worker == null) worker = Worker.take(threadName);
        worker.serve(this);
    }

    /** One run's body, on the worker thread. */
    private void serveRun() {
        serving = true;
        try {
            body.run();
        } finally {
            serving = false;
            done.release();
        }
    }

    /**
     * A poller thread: it serves the runs of one {@link PollerThread} at a time, parked on its
     * semaphore between them; with no owner when woken, it ends.
     */
    private static final class Worker {
        private final Thread thread;
        private final Semaphore go = new Semaphore(0);
        private volatile PollerThread owner;

        private Worker(String name) {
            thread = new Thread(this::serveRuns, name);
            thread.setDaemon(true);
            thread.start();
        }

        /** A spare if there is one (renamed {@code name}), else a new thread. */
        static Worker take(String name) {
            synchronized (SPARE) {
                Worker w = SPARE.pollFirst();
                if (w != null) {
                    w.thread.setName(name);
                    return w;
                }
            }
            return new Worker(name);
        }

        /** Starts one run of {@code poller}'s. */
        void serve(PollerThread poller) {
            owner = poller;
            go.release();
        }

        private void serveRuns() {
            // wherever the process may run, not only where its creator may: a creator pinned to one
            // CPU (the bench's cold sampler, a caller's own pin) would put this spinning poller on
            // the CPU of the vCPU it serves
            PollerPlacement.anywhere();
            while (true) {
                go.acquireUninterruptibly();
                PollerThread p = owner;
                if (p == null) return;
                Thread.interrupted();      // no interrupt carried into a run from an earlier one
                p.serveRun();
            }
        }

        /** After its owner's last run (the body has returned): parked as a spare, or ended and joined. */
        void retire(String transport) {
            owner = null;
            synchronized (SPARE) {
                if (SPARE.size() < SPARE_WORKERS) {
                    thread.setName(SPARE_NAME);
                    SPARE.addFirst(this);
                    return;
                }
            }
            go.release();
            join(thread, transport, JOIN_MILLIS);
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

    /**
     * Ends the run if one is going ({@link #stop}), then hands the thread back as a spare (or ends
     * and joins it). Idempotent. A poller abandoned in a host call is neither: stop throws first.
     */
    void close(String transport, Runnable wake) {
        if (closed) return;
        stopping = true;            // also for a call served outside a run (tests drive serveOne directly)
        try {
            stop(transport, wake);
        } finally {
            closed = true;
        }
        if (worker != null) {
            Worker w = worker;
            worker = null;
            w.retire(transport);
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
