package io.torovj.sys;

import io.torovj.linux.Errno;
import io.torovj.linux.PollEvents;

/**
 * Waits with poll(2) for one host fd to be ready, or for a wake-up fd (an eventfd that some other
 * thread signals) to become readable, whichever comes first: how a host call that could block
 * waits without being able to outlive the VM. Two {@code struct pollfd}s in monitor-owned memory,
 * allocated once; one thread at a time; allocation-free.
 */
public final class HostPoll {
    private static final int POLLFD_SIZE = 8, OFF_FD = 0, OFF_EVENTS = 4, OFF_REVENTS = 6;

    /** What {@link #await(int, int, int)} answers when its time is up. */
    public static final int TIMED_OUT = -Errno.ETIMEDOUT;

    private final NativeBuffer fds = new NativeBuffer(2 * POLLFD_SIZE);

    /** @param wakeFd a host fd that becomes readable, and stays so, when waiting must end */
    public HostPoll(int wakeFd) {
        fds.putInt(POLLFD_SIZE + OFF_FD, wakeFd);
        fds.putShort(POLLFD_SIZE + OFF_EVENTS, (short) PollEvents.POLLIN);
    }

    /**
     * Blocks until {@code fd} reports one of {@code events} (or an error, a hang-up, an invalid
     * fd: whatever the call that follows will answer) or the wake-up fd is readable. Returns the
     * fd's revents ({@code > 0}), 0 if the wake-up fd fired (it wins when both did), or -errno
     * if poll itself failed. A signal interrupting poll (EINTR) only restarts it.
     */
    public int await(int fd, int events) {
        return await(fd, events, -1);
    }

    /**
     * As {@link #await(int, int)}, but for at most {@code timeoutMillis} (negative: no limit):
     * {@link #TIMED_OUT} if neither fd was ready by then. A signal restarts the wait in full.
     */
    public int await(int fd, int events, int timeoutMillis) {
        fds.putInt(OFF_FD, fd);
        fds.putShort(OFF_EVENTS, (short) events);
        for (;;) {
            fds.putShort(OFF_REVENTS, (short) 0);
            fds.putShort(POLLFD_SIZE + OFF_REVENTS, (short) 0);
            int n = LibC.INSTANCE.poll(fds.address(), 2, timeoutMillis);
            if (n < 0) {
                int errno = LibC.errno();
                if (errno == Errno.EINTR) continue;
                return -errno;
            }
            if (n == 0) return TIMED_OUT;
            if (fds.getShort(POLLFD_SIZE + OFF_REVENTS) != 0) return 0;
            int revents = fds.getShort(OFF_REVENTS) & 0xFFFF;
            if (revents != 0) return revents;
        }
    }
}
