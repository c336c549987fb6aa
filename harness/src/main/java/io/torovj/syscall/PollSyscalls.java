package io.torovj.syscall;

import static io.torovj.linux.PollEvents.POLLIN;
import static io.torovj.linux.PollEvents.POLLNVAL;

import io.torovj.linux.Errno;
import io.torovj.memory.GuestMemory;
import io.torovj.sys.PollFds;

/**
 * poll(2) and ppoll(2) for the guest, on the fds of its {@link FdTable}.
 *
 * <p>The guest's {@code struct pollfd} array is checked whole ({@code nfds * 8} bytes) and copied
 * into a host array in monitor memory with each guest fd translated through the table: a fd the
 * table does not hold gets POLLNVAL and counts as ready, as Linux answers for a closed fd; a
 * negative fd is skipped (revents 0). So the host kernel only ever sees host fds the guest holds.
 * {@code nfds} is capped by the table's capacity (the guest cannot name more fds than that; Linux
 * caps it by RLIMIT_NOFILE the same way): more is EINVAL. Only the revents are written back, as
 * Linux does.
 *
 * <p>The host array has one more entry after the guest's: the VM's stop eventfd
 * ({@link StopSignal}), so that a wait, however long (a negative timeout, a NULL timespec), ends
 * with -EINTR in the same host call as soon as the VM stops. A signal to the monitor's thread
 * (EINTR from the host) is not the guest's: the wait goes on for the time that is left.
 *
 * <p>ppoll's timespec is read through guest memory (EFAULT, EINVAL for a negative or unnormalized
 * one) and rounded up to milliseconds; the remaining time is not written back (glibc's and
 * musl's wrappers do not pass it on). No signal is ever delivered to a guest, so a signal mask has
 * nothing to apply to: a non-NULL one is refused with EINVAL rather than silently ignored.
 * Executing thread only; allocation-free.
 */
public final class PollSyscalls implements SyscallGroup {
    private static final int OFF_FD = 0, OFF_EVENTS = 4, OFF_REVENTS = 6;
    private static final long TIMESPEC_SIZE = 16, NANOS_PER_SECOND = 1_000_000_000L, NANOS_PER_MILLI = 1_000_000L;
    /** No deadline: wait until a fd is ready or the VM stops. */
    private static final long FOREVER = -1;

    private final GuestMemory memory;
    private final FdTable fds;
    private final StopSignal stop;
    private final int maxFds;
    private final PollFds host;
    /** Per entry of the current call: its guest fd is not in the table (POLLNVAL), decided once at copy-in. */
    private final boolean[] invalidFd;

    public PollSyscalls(GuestMemory memory, FdTable fds) {
        this.memory = memory;
        this.fds = fds;
        this.stop = fds.stopSignal();
        this.maxFds = fds.capacity();
        this.host = new PollFds(maxFds + 1);
        this.invalidFd = new boolean[maxFds];
    }

    @Override
    public SyscallHandler handler(String call) {
        return switch (call) {
            case "poll" -> (ufds, nfds, timeout, a3, a4, a5) -> poll(ufds, nfds, timeout);
            case "ppoll" -> (ufds, nfds, tsp, mask, maskSize, a5) -> ppoll(ufds, nfds, tsp, mask, maskSize);
            default -> null;
        };
    }

    /** The most pollfds one call may pass: the fd table's capacity. */
    int maxFds() { return maxFds; }

    /** poll(2): {@code timeout} in milliseconds, negative for none. */
    long poll(long ufds, long nfds, long timeout) {
        int millis = (int) timeout;                     // the kernel reads it as an int
        long waitNanos = millis < 0 ? FOREVER : millis * NANOS_PER_MILLI;
        return pollFor(ufds, nfds, waitNanos);
    }

    /** ppoll(2): a timespec (NULL: no limit); a signal mask must be NULL. */
    long ppoll(long ufds, long nfds, long tsp, long mask, long maskSize) {
        long waitNanos = FOREVER;
        if (tsp != 0) {
            if (!memory.contains(tsp, TIMESPEC_SIZE)) return -Errno.EFAULT;
            long sec = memory.readU64(tsp), nsec = memory.readU64(tsp + 8);
            if (sec < 0 || nsec < 0 || nsec >= NANOS_PER_SECOND) return -Errno.EINVAL;
            // beyond ~292 years the nanoseconds overflow: as good as no limit
            waitNanos = sec >= Long.MAX_VALUE / NANOS_PER_SECOND - 1 ? FOREVER : sec * NANOS_PER_SECOND + nsec;
        }
        if (mask != 0) return -Errno.EINVAL;
        return pollFor(ufds, nfds, waitNanos);
    }

    private long pollFor(long ufds, long nfds, long waitNanos) {
        long count = nfds & 0xFFFF_FFFFL;              // the kernel reads nfds as an unsigned int
        if (count > maxFds) return -Errno.EINVAL;
        int n = (int) count;
        if (n > 0 && !memory.contains(ufds, (long) n * PollFds.SIZE)) return -Errno.EFAULT;
        int invalid = 0;
        for (int i = 0; i < n; i++) {
            long entry = ufds + (long) i * PollFds.SIZE;
            int fd = memory.readU32(entry + OFF_FD);
            int events = memory.readU16(entry + OFF_EVENTS) & 0xFFFF;
            int hostFd = fd < 0 ? -1 : fds.host(fd);
            invalidFd[i] = fd >= 0 && hostFd < 0;
            if (invalidFd[i]) invalid++;
            host.set(i, hostFd, fd < 0 ? 0 : events);  // -1: poll skips it (a negative fd, or POLLNVAL that is ours to set)
        }
        host.set(n, stop.fd(), POLLIN);
        // a POLLNVAL is an event: the call returns at once, with whatever the others have now
        if (invalid > 0) waitNanos = 0;
        long deadline = waitNanos > 0 ? System.nanoTime() + waitNanos : 0;
        int ready;
        for (;;) {
            int millis = waitNanos == FOREVER ? -1 : waitNanos == 0 ? 0 : millisLeft(deadline);
            ready = host.poll(n + 1, millis);
            if (stop.isStopped() || host.revents(n) != 0) return -Errno.EINTR;   // the VM is ending
            if (ready == -Errno.EINTR || (ready == 0 && waitNanos > 0 && deadline - System.nanoTime() > 0)) {
                host.clearRevents(n + 1);               // a monitor signal, or a wait cut at Integer.MAX_VALUE ms
                continue;
            }
            break;
        }
        if (ready < 0) return ready;
        int answered = 0;
        for (int i = 0; i < n; i++) {
            // what was decided at copy-in: the guest may have rewritten its array meanwhile (a ring guest runs on)
            int revents = invalidFd[i] ? POLLNVAL : host.revents(i);
            memory.writeU16(ufds + (long) i * PollFds.SIZE + OFF_REVENTS, (short) revents);
            if (revents != 0) answered++;
        }
        return answered;
    }

    /** Milliseconds to {@code deadline}, rounded up (a wait never ends early), at least 0, at most Integer.MAX_VALUE. */
    private static int millisLeft(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) return 0;
        return (int) Math.min(Integer.MAX_VALUE, (left + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI);
    }
}
