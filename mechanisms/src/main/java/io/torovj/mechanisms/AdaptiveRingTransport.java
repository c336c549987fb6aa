package io.torovj.mechanisms;

import io.torovj.lifecycle.Ending;
import static io.torovj.mechanisms.RingLayout.FLAG_POLLER_SLEEPING;
import static io.torovj.mechanisms.RingLayout.OFF_FLAGS;

import io.torovj.memory.GuestMemory;
import io.torovj.memory.GuestMemoryException;
import io.torovj.syscall.SyscallExecutor;
import io.torovj.transport.KernelDoorbell;
import io.torovj.transport.SyscallTransport;
import io.torovj.transport.TransportContext;
import io.torovj.transport.TransportProvider;
import io.torovj.lifecycle.VmControl;
import java.lang.invoke.VarHandle;

/**
 * The ring with an adaptive poller, after io_uring's SQPOLL with {@code sq_thread_idle}: the
 * same rings and guest protocol as {@link RingTransport} (layout {@link RingLayout}, guest half
 * src/main/guest/aring.c, which shares ring.h's call with ring.c), but the poller stops
 * spinning once the rings have been idle for {@link #DEFAULT_IDLE_SPIN_MICROS} (before a run's
 * first call, {@link #DEFAULT_START_SPIN_MICROS}) and sleeps until the guest rings the doorbell.
 *
 * <p>Sleeping (ring.h, step 4; a Dekker handshake with the guest): set POLLER_SLEEPING in flags
 * (release), full fence, re-check the tag of the slot it serves next - if a submission arrived
 * meanwhile, clear the flag and go on polling - else wait on the VM's {@link KernelDoorbell}. The
 * guest publishes the SQE's tag with a full barrier and then reads flags, so either the poller sees the submission or the guest sees
 * the flag and executes {@code out} to the doorbell port. That OUT exits to the monitor, whose
 * port bus wakes the poller; with the transport option {@code doorbell=ioeventfd} the kernel
 * answers it on KVM instead (KVM_IOEVENTFD), without an exit to user space. The trade-off, on
 * this project's PVM host: a call that finds the poller asleep took ~80 µs with the exit and
 * ~63 µs with the ioeventfd (medians of 5 interleaved runs of {@code think 3000 200000}), but
 * taking the ioeventfd down at the VM's end cost ~5 ms in a warm JVM (KVM_IOEVENTFD deassign, or
 * the VM fd's close if left to it; 5-13 ms under strace): more than the rest of a fresh VM's
 * life, and the worth of ~300 doorbells. So the exit is the default, and a long-lived VM that
 * often sleeps between calls can take the ioeventfd. After waking, the poller clears the flag
 * and polls again.
 *
 * <p>Ending: the run loop calls {@link #close} once the vCPU has stopped, whatever stopped it,
 * and close always rings the doorbell before joining, so a sleeping poller cannot miss the end
 * (the doorbell counts: a ring before the wait is not lost). A guest that rings the
 * doorbell spuriously only costs itself doorbells and the poller a wake-up; one that never rings
 * it while the poller sleeps stalls itself until something else (a limit, a signal) stops the VM.
 * Tags are checked as in {@link RingTransport}; an impossible one ends the VM with a report.
 */
public final class AdaptiveRingTransport implements SyscallTransport {
    /**
     * How long (µs) the poller keeps spinning on idle rings before it sleeps. Sleeping pays, on the
     * next call, the guest's doorbell (~47-80 µs on this project's PVM hosts, whether an ioeventfd or
     * an exit) plus the host wake-up of the blocked poller (a few µs); spinning pays host CPU time.
     * Spinning for about as long as the sleep path costs - ~50 µs - is the classic rent-or-buy
     * choice: whatever the gaps between calls, the guest's added latency and the poller's wasted
     * spinning together stay within twice the best choice made knowing the gap in advance. A
     * shorter budget makes gaps just above it pay a doorbell for nothing much saved; a longer one
     * burns a core while a quiet guest waits for I/O (io_uring's default is 1 s, but its wake-up
     * costs far less than a PVM trap). The budget must also outlast the time the doorbell itself
     * keeps the guest from its next call (the trap, ~47 µs): else the poller, woken and done with
     * the call, falls asleep again while its guest is still inside the doorbell, and every call
     * rings it. Busy guests also ring when the host is oversubscribed: a spinning poller can keep
     * the guest's thread off the CPU until it sleeps (seen on the process platform on a loaded
     * 2-core machine, where then most calls rang). Tune with the transport option
     * {@link #IDLE_SPIN_OPTION} (0: sleep as soon as the rings are seen idle); on VMX/SVM hosts,
     * where a trap costs a few µs, a smaller value fits.
     */
    public static final long DEFAULT_IDLE_SPIN_MICROS = 50;
    /** Transport option overriding {@link #DEFAULT_IDLE_SPIN_MICROS} (a non-negative number of µs). */
    public static final String IDLE_SPIN_OPTION = "idleSpinMicros";
    /**
     * How long (µs) the poller spins at a run's start, before the guest's first call: the idle
     * budget counts from that call on. A run's first call is not a gap between calls: the guest
     * is starting (a fresh VM faults its first pages in: HelloWorld's first write came 50-200 µs
     * after the run began here, with shadow paging), and with the idle budget alone the poller
     * slept before it in 233-293 of 300 cold HelloWorld VMs, which then paid the doorbell: over
     * 1,500 cold VMs each, built in turn with the ring's, the run took 183 µs against the ring's
     * 136, and 135 with this budget (p50 of the whole VM 808, 757 and 760 µs). Spinning 100 µs at
     * the start slept in 31 of 300, 200 µs in 2. 250 µs is about that doorbell's price twice over
     * and more (rent or buy again, the gap's spread here being known): a guest that computes
     * longer before its first call wastes at most that much of a host CPU per run. Where the idle
     * budget is longer, the start budget is as long, unless {@link #START_SPIN_OPTION} says otherwise.
     */
    public static final long DEFAULT_START_SPIN_MICROS = 250;
    /** Transport option overriding {@link #DEFAULT_START_SPIN_MICROS} (a non-negative number of µs). */
    public static final String START_SPIN_OPTION = "startSpinMicros";
    /**
     * Idle spins between clock reads: a busy ring (the next submission within a few spins) never
     * reads the clock, and the idle spell is timed from the first read, so the poller sleeps after
     * the budget plus this many spins (~1-3 µs).
     */
    private static final int IDLE_CHECK_SPINS = 64;     // a power of two

    /** Transport option: how the doorbell reaches the poller, {@code exit} (the default) or {@code ioeventfd}. */
    public static final String DOORBELL_OPTION = "doorbell";

    /** {@link #counters()}' name for the times this VM's poller slept and was woken. */
    public static final String POLLER_SLEEPS = "pollerSleeps";

    private GuestMemory memory;
    private SyscallExecutor executor;
    private VmControl control;
    private long area;
    private long idleSpinNanos;
    private long startSpinNanos;
    private KernelDoorbell doorbell;
    private final PollerThread poller = new PollerThread("torovj-aring-poller");
    /** Written by the poller thread only; read after it has been joined. */
    private long sleeps;

    private String name;

    @Override
    public void attach(TransportContext context) {
        name = context.transportName();
        idleSpinNanos = spinMicros(IDLE_SPIN_OPTION, context.option(IDLE_SPIN_OPTION).orElse(null), DEFAULT_IDLE_SPIN_MICROS) * 1000;
        // not given, the start budget is never shorter than the idle one: a poller told to stay
        // awake between calls stays awake before the first as well
        startSpinNanos = spinMicros(START_SPIN_OPTION, context.option(START_SPIN_OPTION).orElse(null),
                Math.max(DEFAULT_START_SPIN_MICROS, idleSpinNanos / 1000)) * 1000;
        memory = context.memory();
        executor = context.executor();
        control = context.control();
        area = RingLayout.format(context);
        doorbell = context.doorbells().claim(context.doorbellPort(), name,
                doorbellPath(context.option(DOORBELL_OPTION).orElse(null)));
        context.bootInfo().setDoorbellPort(context.doorbellPort());
    }

    static KernelDoorbell.Path doorbellPath(String value) {
        if (value == null || value.trim().equals("exit")) return KernelDoorbell.Path.EXIT;
        if (value.trim().equals("ioeventfd")) return KernelDoorbell.Path.IOEVENTFD;
        throw new IllegalArgumentException("aring transport option " + DOORBELL_OPTION
                + " must be exit or ioeventfd, not '" + value + "'");
    }

    /** Option {@code option}'s value in µs, {@code fallback} where it is not given. */
    static long spinMicros(String option, String value, long fallback) {
        if (value == null) return fallback;
        long micros;
        try {
            micros = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            micros = -1;
        }
        if (micros < 0 || micros > 60_000_000L) {
            throw new IllegalArgumentException("aring transport option " + option
                    + " must be a number of microseconds from 0 to 60000000, not '" + value + "'");
        }
        return micros;
    }

    /** Each run starts from the rings as attach laid them out, and counts its own sleeps. */
    @Override
    public void start() {
        sleeps = 0;
        poller.start(this::poll);
    }

    /**
     * The poller: serve the calls in order, complete each before the next; when the rings stay
     * idle for the spin budget (before the run's first call, the start budget), sleep until the
     * doorbell. Allocation-free.
     */
    private void poll() {
        long budget = startSpinNanos;
        RingServer server = new RingServer(memory, area, executor, control, name, poller::closing);
        long idleSpins = 0;
        long idleSince = 0;
        try {
            for (;;) {
                int step = server.serveNext();
                if (step == RingServer.SERVED) {
                    idleSpins = 0;
                    budget = idleSpinNanos;
                    continue;
                }
                if (step == RingServer.END) return;
                // checked only while idle: a call pending is served first, the stop a spin later
                if (poller.closing() || control.isStopped()) return;
                if ((++idleSpins & (IDLE_CHECK_SPINS - 1)) == 0) {
                    long now = System.nanoTime();
                    if (idleSpins == IDLE_CHECK_SPINS) {
                        idleSince = now;
                    } else if (now - Math.max(idleSince, doorbell.lastExitNanos()) >= budget) {
                        // an idle spell counts from the doorbell's exit if that came later: the
                        // guest that rang is not back in its code before the vCPU re-enters it
                        sleep(server);
                        idleSpins = 0;
                        continue;
                    }
                }
                Thread.onSpinWait();
            }
        } catch (GuestMemoryException e) {
            server.corrupt(e.getMessage());
        } catch (RuntimeException e) {
            control.stop(Ending.MONITOR_ERROR, name + " poller failed: " + e);
        }
    }

    /** The sleep handshake (see the class comment). */
    private void sleep(RingServer server) {
        memory.setIntRelease(area + OFF_FLAGS, FLAG_POLLER_SLEEPING);
        VarHandle.fullFence();      // the flag store before the tag load below (store-load order)
        if (server.idle() && !poller.closing() && !control.isStopped()) {
            doorbell.await();
            sleeps++;
        }
        memory.setIntRelease(area + OFF_FLAGS, 0);
    }

    /** Always, whatever ended the VM: a poller asleep on the doorbell wakes and sees the stop. */
    @Override
    public void stop() {
        poller.stop(name, this::wake);
    }

    @Override
    public void close() {
        poller.close(name, this::wake);
    }

    private void wake() {
        if (doorbell != null) doorbell.ring();
    }

    @Override
    public java.util.Map<String, Long> counters() { return java.util.Map.of(POLLER_SLEEPS, sleeps); }

    /** Registry entry. */
    public static final class Provider implements TransportProvider {
        @Override public String name() { return "aring"; }
        @Override public String description() {
            return "shared-memory rings, host poller that sleeps when idle and is woken by a port doorbell, like io_uring SQPOLL";
        }
        @Override public Floor floor() { return Floor.CACHE_LINE_PING_PONG; }
        @Override public SyscallTransport create() { return new AdaptiveRingTransport(); }
    }
}
