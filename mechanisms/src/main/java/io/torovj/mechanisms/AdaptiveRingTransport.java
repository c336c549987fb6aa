package io.torovj.mechanisms;

import static io.torovj.mechanisms.RingLayout.FLAG_POLLER_SLEEPING;
import static io.torovj.mechanisms.RingLayout.OFF_FLAGS;
import static io.torovj.mechanisms.RingLayout.OFF_SQ_TAIL;

import io.torovj.kvm.VmFd;
import io.torovj.memory.GuestMemory;
import io.torovj.memory.GuestMemoryException;
import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import io.torovj.syscall.SyscallDispatcher;
import io.torovj.transport.PortIoDevice;
import io.torovj.transport.SyscallTransport;
import io.torovj.transport.TransportContext;
import io.torovj.transport.TransportProvider;
import io.torovj.transport.VmControl;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ring with an adaptive poller, after io_uring's SQPOLL with {@code sq_thread_idle}: the
 * same rings and guest protocol as {@link RingTransport} (layout {@link RingLayout}, guest half
 * src/main/guest/aring.c, which shares ring.h's call with ring.c), but the poller stops
 * spinning once the rings have been idle for {@link #DEFAULT_IDLE_SPIN_MICROS} and sleeps
 * until the guest rings the doorbell.
 *
 * <p>Sleeping (ring.h, step 4; a Dekker handshake with the guest): set POLLER_SLEEPING in flags
 * (release), full fence, re-check sq_tail - if a submission arrived meanwhile, clear the flag and
 * go on polling - else block reading an eventfd. The guest publishes sq_tail with a full barrier
 * and then reads flags, so either the poller sees the submission or the guest sees the flag and
 * executes {@code out} to the doorbell port. On KVM that port is a KVM_IOEVENTFD on the eventfd:
 * the kernel signals it without an exit to the monitor's user space. Where there is no VM fd
 * (the process platform) the port is a device on the port bus whose {@code out} writes the
 * eventfd; on KVM the same device takes the accesses the ioeventfd does not match (other sizes).
 * After waking, the poller clears the flag and polls again.
 *
 * <p>Ending: the run loop calls {@link #close} once the vCPU has stopped, whatever stopped it,
 * and close always writes the eventfd before joining, so a sleeping poller cannot miss the end
 * (the eventfd is a counter: a write before the read is not lost). A guest that rings the
 * doorbell spuriously only costs itself doorbells and the poller a wake-up; one that never rings
 * it while the poller sleeps stalls itself until something else (a limit, a signal) stops the VM.
 * Indices are checked as in {@link RingTransport}; an impossible one ends the VM with a report.
 */
public final class AdaptiveRingTransport implements SyscallTransport, PortIoDevice {
    /**
     * How long (µs) the poller keeps spinning on idle rings before it sleeps. Sleeping pays, on the
     * next call, the guest's doorbell (~47 µs on this project's PVM hosts, whether an ioeventfd or
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
     * 2-core machine, where then most calls rang). Tune with {@link #IDLE_SPIN_PROPERTY} (0: sleep
     * as soon as the rings are seen idle); on VMX/SVM hosts, where a trap costs a few µs, a
     * smaller value fits.
     */
    public static final long DEFAULT_IDLE_SPIN_MICROS = 50;
    /** System property overriding {@link #DEFAULT_IDLE_SPIN_MICROS} (a non-negative number of µs). */
    public static final String IDLE_SPIN_PROPERTY = "torovj.aring.idleSpinMicros";
    /**
     * Idle spins between clock reads: a busy ring (the next submission within a few spins) never
     * reads the clock, and the idle spell is timed from the first read, so the poller sleeps after
     * the budget plus this many spins (~1-3 µs).
     */
    private static final int IDLE_CHECK_SPINS = 64;     // a power of two
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int EINTR = 4;

    /** Sleeps of every aring poller in this JVM (for tests and diagnostics; not on the hot path). */
    private static final AtomicLong TOTAL_SLEEPS = new AtomicLong();

    private GuestMemory memory;
    private SyscallDispatcher dispatcher;
    private VmControl control;
    private long area;
    private long idleSpinNanos;
    private int doorbellPort;
    private int eventFd = -1;
    /** The VM the ioeventfd is registered with, or null. */
    private VmFd ioeventfdVm;
    /** 8 bytes the poller reads the eventfd into (poller thread only). */
    private final NativeBuffer readBuffer = new NativeBuffer(8);
    /** The constant 1 that {@link #out} and {@link #close} write to the eventfd (never changed after construction). */
    private final NativeBuffer one = new NativeBuffer(8);
    private Thread poller;
    private volatile boolean closing;
    private boolean started, closed;

    public AdaptiveRingTransport() {
        one.putLong(0, 1);
    }

    /** How many times aring pollers in this JVM have slept and been woken (for tests and diagnostics). */
    public static long totalSleeps() {
        return TOTAL_SLEEPS.get();
    }

    @Override
    public String name() { return "aring"; }

    @Override
    public void attach(TransportContext context) {
        idleSpinNanos = idleSpinMicros() * 1000;
        memory = context.memory();
        dispatcher = context.dispatcher();
        control = context.control();
        area = RingLayout.format(context);
        eventFd = LibC.INSTANCE.eventfd(0, EFD_CLOEXEC);
        if (eventFd < 0) {
            throw new IllegalStateException("aring transport: eventfd failed: " + LibC.INSTANCE.strerror(LibC.errno()));
        }
        doorbellPort = context.doorbellPort();
        // the doorbell as a device: every access on the process platform, odd-sized ones on KVM
        context.portBus().register(doorbellPort, 1, this);
        context.bootInfo().setDoorbellPort(doorbellPort);
        VmFd vm = context.vmFd();
        if (vm != null) {
            // a 1-byte OUT (what the guest half executes) signals the eventfd inside the kernel
            vm.ioeventfd(doorbellPort, 1, eventFd, true, false);
            ioeventfdVm = vm;
        }
    }

    private static long idleSpinMicros() {
        String value = System.getProperty(IDLE_SPIN_PROPERTY);
        if (value == null) return DEFAULT_IDLE_SPIN_MICROS;
        long micros;
        try {
            micros = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            micros = -1;
        }
        if (micros < 0 || micros > 60_000_000L) {
            throw new IllegalArgumentException(IDLE_SPIN_PROPERTY + " must be a number of microseconds from 0 to 60000000, not '" + value + "'");
        }
        return micros;
    }

    @Override
    public void start() {
        started = true;
        poller = new Thread(this::poll, "torovj-aring-poller");
        poller.setDaemon(true);
        poller.start();
    }

    /**
     * The poller: consume submissions in order, complete each before the next; when the rings stay
     * idle for the spin budget, sleep until the doorbell. Allocation-free.
     */
    private void poll() {
        final long budget = idleSpinNanos;
        RingServer server = new RingServer(memory, area, dispatcher, control, "aring", () -> closing);
        long sqHead = 0;
        long idleSpins = 0;
        long idleSince = 0;
        try {
            while (!closing && !control.isStopped()) {
                long sqTail = memory.getLongAcquire(area + OFF_SQ_TAIL);
                if (sqTail == sqHead) {
                    if ((++idleSpins & (IDLE_CHECK_SPINS - 1)) == 0) {
                        long now = System.nanoTime();
                        if (idleSpins == IDLE_CHECK_SPINS) {
                            idleSince = now;
                        } else if (now - idleSince >= budget) {
                            if (!sleep(sqHead)) return;
                            idleSpins = 0;
                            continue;
                        }
                    }
                    Thread.onSpinWait();
                    continue;
                }
                idleSpins = 0;
                if (!server.serveOne(sqTail)) return;
                sqHead = server.sqHead();
            }
        } catch (GuestMemoryException e) {
            server.corrupt(e.getMessage());
        } catch (RuntimeException e) {
            control.stop(VmControl.Ending.MONITOR_ERROR, 70, "aring poller failed: " + e);
        }
    }

    /**
     * The sleep handshake (see the class comment). Returns false if the VM was stopped because
     * the eventfd failed.
     */
    private boolean sleep(long sqHead) {
        memory.setIntRelease(area + OFF_FLAGS, FLAG_POLLER_SLEEPING);
        VarHandle.fullFence();      // the flag store before the sq_tail load below (store-load order)
        if (memory.getLongAcquire(area + OFF_SQ_TAIL) == sqHead && !closing && !control.isStopped()) {
            long n = LibC.INSTANCE.read(eventFd, readBuffer.address(), 8);
            if (n != 8) {
                int errno = LibC.errno();
                if (errno != EINTR) {
                    control.stop(VmControl.Ending.MONITOR_ERROR, 70,
                            "aring poller: reading its eventfd failed: " + LibC.INSTANCE.strerror(errno));
                    return false;
                }
            }
            TOTAL_SLEEPS.incrementAndGet();
        }
        memory.setIntRelease(area + OFF_FLAGS, 0);
        return true;
    }

    /** The doorbell, when it reaches the monitor (vCPU thread): wake the poller. Spurious rings are harmless. */
    @Override
    public void out(int port, int size, long value) {
        if (LibC.INSTANCE.write(eventFd, one.address(), 8) != 8) {
            control.stop(VmControl.Ending.MONITOR_ERROR, 70,
                    "aring transport: writing its eventfd failed: " + LibC.INSTANCE.strerror(LibC.errno()));
        }
    }

    @Override
    public long in(int port, int size) {
        return VmControl.refuseDoorbellRead(control, name(), port, size);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        closing = true;
        // always, whatever ended the VM: a poller asleep in read(eventfd) wakes and sees closing
        if (eventFd >= 0) LibC.INSTANCE.write(eventFd, one.address(), 8);
        Thread t = poller;
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                // interrupted before the poller ended (as the ring's close, it does not wait on):
                // leave the eventfd open rather than let a new file reuse the number it reads
                eventFd = -1;
            }
        }
        if (ioeventfdVm != null) {
            // only after start: before it, the run has failed and the VM fd may already be closed,
            // which released the ioeventfd with the VM
            if (started) {
                try {
                    ioeventfdVm.ioeventfd(doorbellPort, 1, eventFd, true, true);
                } catch (RuntimeException e) {
                    // the VM goes away next, and its ioeventfds with it
                }
            }
            ioeventfdVm = null;
        }
        if (eventFd >= 0) {
            LibC.INSTANCE.close(eventFd);
            eventFd = -1;
        }
    }

    /** Registry entry. */
    public static final class Provider implements TransportProvider {
        @Override public String name() { return "aring"; }
        @Override public String description() {
            return "shared-memory rings, host poller that sleeps when idle (doorbell: ioeventfd on KVM), like io_uring SQPOLL";
        }
        @Override public SyscallTransport create() { return new AdaptiveRingTransport(); }
    }
}
