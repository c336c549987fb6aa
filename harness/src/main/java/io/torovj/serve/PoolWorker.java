package io.torovj.serve;

import io.torovj.lifecycle.Ending;
import io.torovj.loader.ElfLoadException;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One thread of a pool, owning its VMs: it builds one ahead, takes an invocation, runs it on
 * that VM, answers, then makes the VM ready again: resets it in place, or closes it and builds
 * the next ({@link VmReuse}; a run that did not end by the guest's exit, or whose deadline
 * fired, always takes the second way). A VM's vCPU is bound to the thread that built it, so the
 * VM never leaves this thread. While it waits with a ready VM it is blocked on the queue: an
 * idle pooled VM costs no CPU (a ring's poller is parked between runs).
 */
final class PoolWorker implements Runnable {
    /** Pause before building again after a build failed (host out of fds or memory). */
    private static final long RETRY_MILLIS = 200;

    private final FunctionPool pool;
    private final BlockingQueue<Invocation> queue;
    private final ScheduledExecutorService deadlines;

    PoolWorker(FunctionPool pool, BlockingQueue<Invocation> queue, ScheduledExecutorService deadlines) {
        this.pool = pool;
        this.queue = queue;
        this.deadlines = deadlines;
    }

    @Override
    public void run() {
        PreparedVm vm = null;
        boolean first = true;
        try {
            while (true) {
                if (vm == null) {
                    vm = buildUntilDone(first);
                    first = false;
                    if (vm == null) return;
                }
                pool.readyDelta(1);
                Invocation inv;
                try {
                    inv = queue.take();
                } finally {
                    pool.readyDelta(-1);
                }
                if (inv == Invocation.END) return;
                pool.busyDelta(1);
                PreparedVm used = vm;
                vm = null;      // until it is reset: whatever fails from here on, it is closed
                try {
                    Served served = serve(used, inv);
                    pool.completed(inv, served.result);     // answer first: reset or rebuild is off the latency path
                    if (served.reusable && pool.settings().reuse() == VmReuse.RESET && !pool.draining()) vm = resetOrNull(used);
                } finally {
                    pool.busyDelta(-1);
                    if (vm == null) closeQuietly(used);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (vm != null) closeQuietly(vm);
        }
    }

    /** An invocation's result, and whether its VM may be reset for the next one. */
    private record Served(InvocationResult result, boolean reusable) {}

    /**
     * Runs {@code inv} unless its deadline passed in the queue; the guest is stopped at the
     * deadline. The VM may be reused only if the guest exited by itself and the deadline was
     * cancelled before it fired (a deadline task that has begun could still stop the next run).
     */
    private Served serve(PreparedVm vm, Invocation inv) {
        long now = System.nanoTime();
        long queueNanos = now - inv.admittedNanos;
        long left = inv.deadlineNanos - now;
        if (left <= 0) {
            return new Served(timedOut(queueNanos, "the invocation's timeout passed while it waited for a VM"), true);
        }
        ScheduledFuture<?> deadline = deadlines.schedule(() -> vm.stop(Ending.TIME_LIMIT,
                "the invocation's timeout of " + pool.definition().limits().timeout().toMillis() + " ms passed"),
                left, TimeUnit.NANOSECONDS);
        InvocationResult result;
        try {
            result = vm.invoke(inv.body, queueNanos);
        } catch (RuntimeException e) {
            pool.log("invocation failed in the monitor: " + e);
            result = new InvocationResult(Ending.MONITOR_ERROR, Ending.MONITOR_ERROR.status(), "monitor error: " + e.getMessage(),
                    new byte[0], new byte[0], queueNanos, System.nanoTime() - now, 0, 0, Map.of());
        }
        boolean cancelled = deadline.cancel(false);
        return new Served(result, cancelled && result.exited());
    }

    /** {@code vm} reset for the next invocation, or null (logged) if the reset failed: then it is closed and rebuilt. */
    private PreparedVm resetOrNull(PreparedVm vm) {
        try {
            vm.reset();
            pool.reset();
            return vm;
        } catch (RuntimeException e) {
            pool.log("resetting a VM failed, building a new one: " + e);
            return null;
        }
    }

    private static InvocationResult timedOut(long queueNanos, String why) {
        return new InvocationResult(Ending.TIME_LIMIT, Ending.TIME_LIMIT.status(), why, new byte[0], new byte[0],
                queueNanos, 0, 0, 0, Map.of());
    }

    /**
     * A fresh VM; null if the pool is draining, or if the first build failed (the pool reports
     * that as a bad definition). Later failures are logged and retried.
     */
    private PreparedVm buildUntilDone(boolean first) throws InterruptedException {
        while (!pool.draining()) {
            try {
                PreparedVm vm = PreparedVm.build(pool.definition(), pool.settings());
                pool.built(first, null);
                return vm;
            } catch (ElfLoadException | RuntimeException e) {
                String why = e instanceof ElfLoadException ? pool.definition().program() + ": " + e.getMessage()
                        : String.valueOf(e.getMessage());
                if (first) {
                    pool.built(true, why);
                    return null;
                }
                pool.log("building a VM failed, retrying: " + why);
                Thread.sleep(RETRY_MILLIS);
            }
        }
        return null;
    }

    private void closeQuietly(PreparedVm vm) {
        try {
            vm.close();
        } catch (RuntimeException e) {
            pool.log("closing a VM failed: " + e);
        }
    }
}
