package io.torovj.serve;

/** An invocation the pool did not admit: its queue is full, or it no longer serves. */
public final class RefusedException extends Exception {
    /** Why: a full queue (HTTP 429) or a pool that is draining or gone (503). */
    public enum Reason { QUEUE_FULL, UNAVAILABLE }

    private final Reason reason;

    RefusedException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() { return reason; }
}
