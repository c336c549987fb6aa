package io.torovj.serve;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The functions a server serves, each with its pool. Defining builds the new pool's VMs first
 * and only then replaces the old pool, which drains in the background: a definition that
 * cannot boot changes nothing, and invocations already admitted by the old pool finish on it.
 */
public final class FunctionRegistry implements AutoCloseable {
    private final PoolSettings settings;
    private final Map<String, FunctionPool> pools = new TreeMap<>();
    private final List<Thread> retiring = new ArrayList<>();
    private final ServeMetrics metrics = new ServeMetrics(this::pools);
    /** One timer thread for every invocation deadline; it sleeps while nothing runs. */
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "torovj-serve-deadlines");
        t.setDaemon(true);
        return t;
    });
    private boolean closed;

    public FunctionRegistry(PoolSettings settings) {
        this.settings = settings;
    }

    public ServeMetrics metrics() { return metrics; }
    public PoolSettings settings() { return settings; }

    /**
     * Serves {@code def}, replacing a function of the same name once the new VMs are built.
     * Returns true if it replaced one.
     */
    public boolean define(FunctionDefinition def) throws DefinitionException {
        FunctionPool pool = new FunctionPool(def, settings, metrics, deadlines);
        pool.start();
        FunctionPool old;
        synchronized (this) {
            if (closed) {
                retire(pool);
                throw new DefinitionException("the server is shutting down");
            }
            old = pools.put(def.name(), pool);
            if (old != null) retire(old);
        }
        return old != null;
    }

    /** Stops serving {@code name}; its admitted invocations finish. False if there is no such function. */
    public synchronized boolean delete(String name) {
        FunctionPool old = pools.remove(name);
        if (old == null) return false;
        retire(old);
        return true;
    }

    /** True once {@link #close} began: nothing is admitted any more. */
    public synchronized boolean closed() {
        return closed;
    }

    public synchronized Optional<FunctionPool> pool(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    public synchronized Collection<FunctionPool> pools() {
        return List.copyOf(pools.values());
    }

    /** Drains a pool on a thread of its own, so that the caller (an HTTP request) does not wait for it. */
    private void retire(FunctionPool pool) {
        Thread t = new Thread(pool::drain, "torovj-drain-" + pool.name());
        t.setDaemon(true);
        retiring.removeIf(r -> !r.isAlive());
        retiring.add(t);
        t.start();
    }

    /** Stops admitting everywhere; returns once every admitted invocation is answered and every VM closed. */
    @Override
    public void close() {
        List<FunctionPool> all;
        List<Thread> drains;
        synchronized (this) {
            if (closed) return;
            closed = true;
            all = new ArrayList<>(pools.values());
            pools.clear();
            for (FunctionPool p : all) retire(p);
            drains = new ArrayList<>(retiring);
        }
        for (Thread t : drains) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        deadlines.shutdownNow();
    }

    /** Invocations admitted and not yet answered, over all pools. */
    public int inFlight() {
        int n = 0;
        for (FunctionPool p : pools()) n += p.queued() + p.busy();
        return n;
    }
}
