package io.torovj.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The VMs of one function: {@code pool} worker threads, each with one VM built ahead, and a
 * bounded queue in front of them. At most pool + queue invocations are admitted at a time;
 * beyond that {@link #submit} refuses at once (never a wait). A drain stops admitting, lets
 * every admitted invocation finish, and ends the workers.
 */
public final class FunctionPool {
    /** How long {@link #start} waits for the first VMs: a build takes milliseconds; this only bounds a stuck host. */
    private static final long START_SECONDS = 60;

    private final FunctionDefinition definition;
    private final PoolSettings settings;
    private final ServeMetrics metrics;
    private final LinkedBlockingQueue<Invocation> queue = new LinkedBlockingQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger ready = new AtomicInteger(), busy = new AtomicInteger();
    private final CountDownLatch firstBuilds;
    private volatile String firstFailure;
    private volatile boolean draining;
    private final ScheduledExecutorService deadlines;

    FunctionPool(FunctionDefinition definition, PoolSettings settings, ServeMetrics metrics,
                 ScheduledExecutorService deadlines) {
        this.definition = definition;
        this.settings = settings;
        this.metrics = metrics;
        this.deadlines = deadlines;
        this.firstBuilds = new CountDownLatch(definition.pool());
    }

    /**
     * Starts the workers and waits until each has built its first VM. If one cannot, the pool
     * is drained and the reason thrown: a definition that passed reading but cannot boot (a
     * transport option it rejects, a policy limit) changes nothing.
     */
    void start() throws DefinitionException {
        for (int i = 0; i < definition.pool(); i++) {
            Thread t = new Thread(new PoolWorker(this, queue, deadlines), "torovj-pool-" + definition.name() + "-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        try {
            if (!firstBuilds.await(START_SECONDS, TimeUnit.SECONDS)) firstFailure = "its VMs were not built within " + START_SECONDS + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            firstFailure = "interrupted while its VMs were built";
        }
        if (firstFailure != null) {
            drain();
            throw new DefinitionException("function \"" + definition.name() + "\": " + firstFailure);
        }
    }

    /** Admits one invocation of {@code body}, or refuses at once. */
    public CompletableFuture<InvocationResult> submit(byte[] body) throws RefusedException {
        if (draining) {
            metrics.refused(name(), "unavailable");
            throw new RefusedException(RefusedException.Reason.UNAVAILABLE, "function \"" + name() + "\" is shutting down");
        }
        int limit = definition.pool() + definition.limits().queue();
        if (admitted.incrementAndGet() > limit) {
            admitted.decrementAndGet();
            metrics.refused(name(), "queue_full");
            throw new RefusedException(RefusedException.Reason.QUEUE_FULL, "function \"" + name() + "\" is busy: "
                    + definition.pool() + " running and " + definition.limits().queue() + " queued");
        }
        long now = System.nanoTime();
        Invocation inv = new Invocation(body, now, now + definition.limits().timeout().toNanos());
        queue.add(inv);
        return inv.result;
    }

    /**
     * Stops admitting and ends each worker once the invocations admitted before are served;
     * returns when every worker has ended (the in-flight ones are then answered).
     */
    public void drain() {
        draining = true;
        for (int i = 0; i < workers.size(); i++) queue.add(Invocation.END);
        for (Thread t : workers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public String name() { return definition.name(); }
    public FunctionDefinition definition() { return definition; }
    PoolSettings settings() { return settings; }
    boolean draining() { return draining; }

    /** VMs built and waiting. */
    public int ready() { return ready.get(); }
    /** VMs running an invocation. */
    public int busy() { return busy.get(); }
    /** Invocations admitted and not yet taken by a VM. */
    public int queued() { return Math.max(0, admitted.get() - busy.get()); }

    void readyDelta(int d) { ready.addAndGet(d); }
    void busyDelta(int d) { busy.addAndGet(d); }

    /** A worker's build ended: {@code failure} null if it succeeded. Only the first build of each worker counts for start. */
    void built(boolean first, String failure) {
        if (failure == null) metrics.built(definition);
        if (!first) return;
        if (failure != null && firstFailure == null) firstFailure = failure;
        firstBuilds.countDown();
    }

    /** A worker reset its VM in place for the next invocation. */
    void reset() {
        metrics.reset(definition);
    }

    void completed(Invocation inv, InvocationResult result) {
        admitted.decrementAndGet();
        metrics.ran(definition, result);
        inv.result.complete(result);
    }

    void log(String message) {
        settings.log().line("function \"" + name() + "\": " + message);
    }
}
