package io.torovj.serve;

import java.util.concurrent.CompletableFuture;

/** One admitted request waiting for, or running in, a pooled VM. */
final class Invocation {
    /** Tells a worker to end once the invocations queued before it are served (a drain). */
    static final Invocation END = new Invocation(new byte[0], 0, 0);

    final byte[] body;
    final long admittedNanos;
    /** System.nanoTime() by which the invocation must be over, queueing included. */
    final long deadlineNanos;
    final CompletableFuture<InvocationResult> result = new CompletableFuture<>();

    Invocation(byte[] body, long admittedNanos, long deadlineNanos) {
        this.body = body;
        this.admittedNanos = admittedNanos;
        this.deadlineNanos = deadlineNanos;
    }
}
