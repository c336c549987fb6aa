package io.torovj.mechanisms;

import io.torovj.lifecycle.Ending;
import io.torovj.lifecycle.VmControl;
import io.torovj.memory.GuestMemory;
import io.torovj.memory.GuestMemoryException;
import io.torovj.syscall.SyscallExecutor;
import io.torovj.transport.SyscallTransport;
import io.torovj.transport.TransportContext;
import io.torovj.transport.TransportProvider;

/**
 * One cache line each way: the least a polled shared-memory call can move between two cores. The
 * guest writes nr and args into the request line, then its sequence number with release; the host
 * poller spins ({@link Thread#onSpinWait()}) on that sequence number, executes the request and
 * answers in the response line (ret, then the same sequence number with release), on which the
 * guest spins. Nothing else is shared: no ring indices, no flags, no doorbell. {@link RingTransport}'s
 * sequence-tagged slots move the same one line each way for a synchronous call and keep up to 16
 * calls in flight; this transport is the minimal form of that exchange, one slot each way (one call
 * in flight, which is all a synchronous syscall needs). Guest half: src/main/guest/line.c.
 *
 * <p>Layout at the transport area (64-aligned, {@link #AREA_BYTES} bytes, zeroed at attach):
 * request line {seq u64 @0, nr @8, args[6] @16}, response line {seq u64 @64, ret i64 @72}.
 *
 * <p>The guest is hostile. Each request field is read once, into locals, after the acquire load of
 * seq; what the guest writes afterwards (it may rewrite the line while the call runs) is not seen
 * by this call, and a pointer among the args is checked when the handler uses it, as for every
 * transport. The sequence number must be the last one served plus one (a free-running u64): any
 * other value means the guest's half is not following the protocol, and the VM ends with a report
 * rather than executing a request the program may never have made. The response line is only
 * written, never read back. Stop and close as in {@link RingTransport}: the poller ends when the VM
 * stops or the transport closes, close waits for it at most {@link PollerThread#JOIN_MILLIS}, and a
 * call that returns after close began publishes nothing.
 */
public final class LineTransport implements SyscallTransport {
    static final int OFF_REQ_SEQ = 0, OFF_REQ_NR = 8, OFF_REQ_ARGS = 16;
    static final int OFF_RESP_SEQ = 64, OFF_RESP_RET = 72;
    /** The two lines. */
    static final int AREA_BYTES = 128;
    static final int LINE = 64;

    private GuestMemory memory;
    private SyscallExecutor executor;
    private VmControl control;
    private String name;
    /** The transport area: the request line, then the response line. */
    private long area;
    /** The last sequence number served; poller thread only. */
    private long lastSeq;
    private final PollerThread poller = new PollerThread("torovj-line-poller");

    @Override
    public void attach(TransportContext context) {
        long at = context.transportArea();
        // refused before anything is laid out: the two lines must fit, each in its own cache line
        if (context.transportAreaSize() < AREA_BYTES || at % LINE != 0 || !context.memory().contains(at, AREA_BYTES)) {
            throw new IllegalStateException("transport area unfit for the line transport: " + context.transportAreaSize()
                    + " bytes at 0x" + Long.toHexString(at));
        }
        context.memory().fill(at, AREA_BYTES, (byte) 0);
        context.bootInfo().setTransportArea(at, AREA_BYTES);
        area = at;
        lastSeq = 0;
        name = context.transportName();
        memory = context.memory();
        executor = context.executor();
        control = context.control();
    }

    /** Each run starts from the line as attach left it (a pooled VM's reset restores guest memory to that). */
    @Override
    public void start() {
        lastSeq = 0;
        poller.start(this::poll);
    }

    /** The poller: serve each new request seq until the VM stops or the transport closes. Allocation-free. */
    private void poll() {
        final GuestMemory memory = this.memory;
        final long seqAt = area + OFF_REQ_SEQ;
        long idleSpins = 0;
        try {
            for (;;) {
                long seq = memory.getLongAcquire(seqAt);
                if (seq == lastSeq) {
                    // checked only while idle: a request pending is served first, the stop a spin later
                    if (poller.closing() || control.isStopped()) return;
                    // yields as the ring's poller does, and for the same reason (RingTransport.YIELD_EVERY_SPINS)
                    if ((++idleSpins & (RingTransport.YIELD_EVERY_SPINS - 1)) == 0) Thread.yield();
                    else Thread.onSpinWait();
                    continue;
                }
                idleSpins = 0;
                if (!serveOne(seq)) return;
            }
        } catch (GuestMemoryException e) {
            corrupt(e.getMessage());
        } catch (RuntimeException e) {
            control.stop(Ending.MONITOR_ERROR, name + " poller failed: " + e);
        }
    }

    /**
     * Serves the request whose sequence number the poller just read ({@code seq != lastSeq}).
     * Returns false when polling must end: the seq is impossible (the VM is stopped) or the
     * transport is closing.
     */
    boolean serveOne(long seq) {
        if (seq != lastSeq + 1) {
            corrupt("seq=" + Long.toUnsignedString(seq) + " after seq=" + Long.toUnsignedString(lastSeq));
            return false;
        }
        final GuestMemory memory = this.memory;
        final long r = area;
        // each field once, into locals: the guest may be rewriting the line right now
        long ret = executor.execute(memory.readU64(r + OFF_REQ_NR),
                memory.readU64(r + OFF_REQ_ARGS), memory.readU64(r + OFF_REQ_ARGS + 8),
                memory.readU64(r + OFF_REQ_ARGS + 16), memory.readU64(r + OFF_REQ_ARGS + 24),
                memory.readU64(r + OFF_REQ_ARGS + 32), memory.readU64(r + OFF_REQ_ARGS + 40));
        // the VM has stopped and close has begun: guest memory may be released once close stops waiting
        if (poller.closing()) return false;
        memory.writeU64(r + OFF_RESP_RET, ret);
        memory.setLongRelease(r + OFF_RESP_SEQ, seq);
        lastSeq = seq;
        return true;
    }

    private void corrupt(String what) {
        control.stop(Ending.UNEXPECTED_EXIT, name + " transport: corrupt request line from the guest: " + what);
    }

    /** True while the poller serves a run (tests). */
    boolean polling() { return poller.serving(); }

    @Override
    public void stop() {
        poller.stop(name);
    }

    @Override
    public void close() {
        poller.close(name);
    }

    /** Registry entry. */
    public static final class Provider implements TransportProvider {
        @Override public String name() { return "line"; }
        @Override public String description() {
            return "one shared cache line each way (request seq+nr+args, response seq+ret), host poller thread, no VM exit per syscall";
        }
        @Override public Floor floor() { return Floor.CACHE_LINE_PING_PONG; }
        @Override public SyscallTransport create() { return new LineTransport(); }
    }
}
