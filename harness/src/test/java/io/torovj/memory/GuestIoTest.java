package io.torovj.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.linux.Errno;
import io.torovj.linux.SocketConstants;
import io.torovj.sys.HostFiles;
import io.torovj.sys.HostSockets;
import io.torovj.sys.FileCalls;
import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import io.torovj.sys.SockAddrIn;
import io.torovj.sys.SocketOption;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The host calls on guest memory: a good range reaches the host, a range past the end of guest
 * RAM, straddling it, overflowing, or below a guest-pointer view's floor is refused with
 * {@link GuestMemoryException} before the host sees anything.
 */
class GuestIoTest {
    private static final long SIZE = 1 << 20;
    private static final int O_NONBLOCK = 0x800, F_SETFL = 4, MSG_DONTWAIT = 0x40, CLOCK_MONOTONIC = 1;
    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

    private GuestMemory mem;
    private GuestIo io;
    private final int[] pipe = {-1, -1};
    private final int[] sockets = {-1, -1};

    @BeforeEach
    void setUp() {
        mem = GuestMemory.allocate(SIZE);
        io = new GuestIo(mem);
        NativeBuffer fds = new NativeBuffer(8);
        assertEquals(0, FileCalls.INSTANCE.pipe2(fds.address(), 0x80000 | O_NONBLOCK));
        pipe[0] = fds.getInt(0);
        pipe[1] = fds.getInt(4);
    }

    @AfterEach
    void tearDown() {
        for (int fd : pipe) if (fd >= 0) HostFiles.close(fd);
        for (int fd : sockets) if (fd >= 0) HostFiles.close(fd);
        mem.close();
    }

    /** Bytes waiting in the pipe, read without guest memory (0 if none). */
    private int pendingInPipe() {
        NativeBuffer b = new NativeBuffer(4096);
        long n = LibC.INSTANCE.read(pipe[0], b.address(), 4096);
        return (int) Math.max(0, n);
    }

    private static void refused(Executable call) {
        GuestMemoryException e = assertThrows(GuestMemoryException.class, call);
        assertEquals(GuestMemoryException.Kind.OUT_OF_RANGE, e.kind());
    }

    @Test
    void writeAndReadMoveGuestBytesThroughAHostFd() {
        mem.write(0x1000, HELLO);
        assertEquals(5, io.write(pipe[1], 0x1000, 5));
        assertEquals(5, io.read(pipe[0], 0x2000, 5));
        byte[] back = new byte[5];
        mem.read(0x2000, back, 0, 5);
        assertArrayEquals(HELLO, back);

        // a range that ends exactly at the end of guest RAM is inside it
        mem.write(SIZE - 5, HELLO);
        assertEquals(5, io.write(pipe[1], SIZE - 5, 5));
        assertEquals(5, io.read(pipe[0], SIZE - 10, 5));
        mem.read(SIZE - 10, back, 0, 5);
        assertArrayEquals(HELLO, back);
        assertEquals(0, io.write(pipe[1], SIZE, 0), "an empty range at the end");
    }

    @Test
    void writeRefusesRangesOutsideGuestMemoryWithoutTouchingTheHost() {
        refused(() -> io.write(pipe[1], SIZE, 1));
        refused(() -> io.write(pipe[1], SIZE - 8, 16));
        refused(() -> io.write(pipe[1], 0x7fff_ffff_ffff_f000L, 0x2000));
        refused(() -> io.write(pipe[1], 8, Long.MAX_VALUE));
        refused(() -> io.write(pipe[1], -8, 16));
        refused(() -> io.write(pipe[1], 0, -1));
        assertEquals(0, pendingInPipe(), "no refused write reached the pipe");
    }

    @Test
    void readRefusesRangesOutsideGuestMemoryWithoutConsumingInput() {
        mem.write(0x1000, HELLO);
        assertEquals(5, io.write(pipe[1], 0x1000, 5));
        refused(() -> io.read(pipe[0], SIZE, 1));
        refused(() -> io.read(pipe[0], SIZE - 2, 5));
        refused(() -> io.read(pipe[0], Long.MAX_VALUE, 1));
        refused(() -> io.read(pipe[0], 0, -1));
        assertEquals(5, pendingInPipe(), "the refused reads left the input in the pipe");
    }

    @Test
    void aGuestPointerViewRefusesTheSystemPages() {
        GuestIo user = new GuestIo(mem.guestPointerView(0xC000));
        mem.write(0xC000, HELLO);
        refused(() -> user.write(pipe[1], 0x3000, 5));
        refused(() -> user.write(pipe[1], 0xBFF0, 32));
        refused(() -> user.fstat(pipe[0], 0x3000));
        refused(() -> user.clockGettime(CLOCK_MONOTONIC, 0xBFF8));
        assertEquals(0, pendingInPipe());
        assertEquals(5, user.write(pipe[1], 0xC000, 5), "at the floor is fine");
    }

    @Test
    void fstatFillsAGuestStatAndRefusesOneStraddlingTheEnd() {
        assertEquals(0, io.fstat(pipe[0], 0x1000));
        int mode = mem.readU32(0x1000 + 24);                 // st_mode in x86-64 struct stat
        assertEquals(0010000, mode & 0170000, "a pipe is a FIFO");
        refused(() -> io.fstat(pipe[0], SIZE - GuestIo.STAT_SIZE + 8));
        refused(() -> io.fstat(pipe[0], SIZE));
        assertEquals(0, io.fstat(pipe[0], SIZE - GuestIo.STAT_SIZE), "the last struct stat that fits");
    }

    @Test
    void clockGettimeFillsAGuestTimespecAndRefusesOneStraddlingTheEnd() {
        assertEquals(0, io.clockGettime(CLOCK_MONOTONIC, 0x1000));
        long nsec = mem.readU64(0x1008);
        assertTrue(mem.readU64(0x1000) >= 0 && nsec >= 0 && nsec < 1_000_000_000L);
        refused(() -> io.clockGettime(CLOCK_MONOTONIC, SIZE - 8));
        assertEquals(-Errno.EINVAL, io.clockGettime(-1234, 0x1000), "a host error is -errno");
    }

    @Test
    void hostErrorsComeBackAsMinusErrno() {
        assertEquals(-Errno.EAGAIN, io.read(pipe[0], 0x1000, 5), "empty non-blocking pipe");
        int closed = pipe[1];
        HostFiles.close(closed);
        pipe[1] = -1;
        assertEquals(-Errno.EBADF, io.write(closed, 0x1000, 5));
        assertEquals(-Errno.EBADF, io.fstat(closed, 0x1000));
        assertEquals(0, io.read(pipe[0], 0x1000, 5), "end of file once the write end is gone");
    }

    @Test
    void datagramsGoFromAndToGuestBuffers() {
        sockets[0] = HostSockets.socket(SocketConstants.AF_INET, SocketConstants.SOCK_DGRAM | SocketConstants.SOCK_CLOEXEC, 0);
        sockets[1] = HostSockets.socket(SocketConstants.AF_INET, SocketConstants.SOCK_DGRAM | SocketConstants.SOCK_CLOEXEC, 0);
        assertTrue(sockets[0] >= 0 && sockets[1] >= 0);
        int rx = sockets[0], tx = sockets[1];
        SockAddrIn scratch = new SockAddrIn(), dest = new SockAddrIn(), peer = new SockAddrIn();
        scratch.setLoopback(0);
        assertEquals(0, HostSockets.bind(rx, scratch));
        assertEquals(0, HostSockets.bind(tx, scratch));
        long rxPort = HostSockets.localPort(rx, scratch), txPort = HostSockets.localPort(tx, scratch);
        assertTrue(rxPort > 0 && txPort > 0);
        assertEquals(SocketConstants.SOCK_DGRAM, HostSockets.socketType(rx, new SocketOption(4)));
        dest.setLoopback((int) rxPort);

        // refused before the send: nothing arrives
        refused(() -> io.sendto(tx, SIZE - 2, 5, 0, dest));
        refused(() -> io.sendto(tx, SIZE, 1, 0, dest));
        assertEquals(-Errno.EAGAIN, io.recvfrom(rx, 0x2000, 64, MSG_DONTWAIT, null));

        mem.write(0x1000, HELLO);
        assertEquals(5, io.sendto(tx, 0x1000, 5, 0, dest));
        // refused before the receive: the datagram stays queued
        refused(() -> io.recvfrom(rx, SIZE - 32, 64, MSG_DONTWAIT, peer));
        assertEquals(5, io.recvfrom(rx, 0x2000, 64, MSG_DONTWAIT, peer));
        byte[] back = new byte[5];
        mem.read(0x2000, back, 0, 5);
        assertArrayEquals(HELLO, back);
        assertEquals(SocketConstants.SOCKADDR_IN_SIZE, peer.length());
        assertEquals(txPort, peer.port(), "the sender's address");
    }
}
