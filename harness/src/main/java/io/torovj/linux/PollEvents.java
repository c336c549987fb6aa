package io.torovj.linux;

/** poll(2)'s event bits ({@code <asm-generic/poll.h>}). */
public final class PollEvents {
    private PollEvents() {}

    public static final int POLLIN = 0x001, POLLPRI = 0x002, POLLOUT = 0x004, POLLERR = 0x008, POLLHUP = 0x010,
            POLLNVAL = 0x020;
}
