package io.torovj.syscall;

import static io.torovj.linux.PollEvents.POLLIN;
import static io.torovj.linux.PollEvents.POLLNVAL;
import static io.torovj.linux.PollEvents.POLLOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.linux.Errno;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * poll and ppoll as the guest sees them (no VM): Linux's errno for every bad argument, fds
 * translated through the fd table (POLLNVAL for one it does not hold, a negative one skipped),
 * only the revents written back, and waits that end when the VM stops.
 */
class PollSyscallsTest {
    /** Below this, the guest's system pages: its pointers may not reach them. */
    private static final long FLOOR = 0x10000;
    private static final long FDS = 0x100000, TS = 0x101000;

    private final ExecutorService executing = SyscallLayer.executingThread();
    /** The host end the test writes to, of the pipe the guest polls. */
    private final int[] writeEnd = {-1};
    private int devNull = -1;
    private SyscallLayer vm;
    private PollSyscalls poll;

    @BeforeEach
    void boot(@TempDir Path tmp) throws Exception {
        devNull = LibC.INSTANCE.open("/dev/null", SyscallLayer.O_RDWR | SyscallLayer.O_CLOEXEC, 0);
        vm = new SyscallLayer(SyscallPolicy.permissive(tmp.toRealPath()), devNull, devNull, devNull);
        poll = new PollSyscalls(vm.mem.guestPointerView(FLOOR), vm.fds);
    }

    @AfterEach
    void tearDown() {
        executing.shutdownNow();
        vm.close();
        SyscallLayer.closeAll(devNull, writeEnd[0]);
    }

    private long guestPipe() {
        return vm.guestPipe(writeEnd);
    }

    private void pollfd(int i, long fd, int events, int revents) {
        vm.mem.writeU32(FDS + 8L * i, (int) fd);
        vm.mem.writeU16(FDS + 8L * i + 4, (short) events);
        vm.mem.writeU16(FDS + 8L * i + 6, (short) revents);
    }

    private int revents(int i) {
        return vm.mem.readU16(FDS + 8L * i + 6) & 0xFFFF;
    }

    private void hostWrite(String s) {
        NativeBuffer b = new NativeBuffer(16);
        b.putCString(0, s.getBytes());
        assertEquals(s.length(), LibC.INSTANCE.write(writeEnd[0], b.address(), s.length()));
    }

    @Test
    void badArgumentsGetLinuxErrno() {
        long pipe = guestPipe();
        pollfd(0, pipe, POLLIN, 0);
        assertEquals(-Errno.EINVAL, poll.poll(FDS, poll.maxFds() + 1, 0), "more fds than the table holds");
        assertEquals(-Errno.EINVAL, poll.poll(FDS, -1, 0), "nfds is unsigned");
        assertEquals(0, poll.poll(FDS, 1L << 32, 0), "and 32 bits: 2^32 is 0 fds");
        assertEquals(-Errno.EFAULT, poll.poll(0x10, 1, 0), "the system pages");
        assertEquals(-Errno.EFAULT, poll.poll(vm.mem.size() - 4, 1, 0), "an array across the end of guest memory");
        assertEquals(-Errno.EFAULT, poll.poll(-8, 1, 0));
        assertEquals(0, poll.poll(0, 0, 0), "no fds: no pointer needed");
        vm.mem.writeU64(TS, 0);
        vm.mem.writeU64(TS + 8, 1_000_000_000L);
        assertEquals(-Errno.EINVAL, poll.ppoll(FDS, 1, TS, 0, 8), "tv_nsec out of range");
        vm.mem.writeU64(TS, -1);
        vm.mem.writeU64(TS + 8, 0);
        assertEquals(-Errno.EINVAL, poll.ppoll(FDS, 1, TS, 0, 8), "a negative tv_sec");
        assertEquals(-Errno.EFAULT, poll.ppoll(FDS, 1, 0x20, 0, 8), "a timespec in the system pages");
        vm.mem.writeU64(TS, 0);
        assertEquals(-Errno.EINVAL, poll.ppoll(FDS, 1, TS, TS + 64, 8), "a signal mask: no signals reach a guest");
    }

    @Test
    void fdsAreTranslatedAndOnlyReventsAreWritten() {
        long pipe = guestPipe();
        pollfd(0, pipe, POLLIN, 0x7fff);
        assertEquals(0, poll.poll(FDS, 1, 0), "an empty pipe, timeout 0");
        assertEquals(0, revents(0), "revents cleared");
        hostWrite("x");
        pollfd(0, pipe, POLLIN | POLLOUT, 0);
        pollfd(1, 12, POLLIN, 0);              // not open in the table
        pollfd(2, -5, POLLIN, 0x7fff);         // negative: skipped
        pollfd(3, 1, POLLOUT, 0);              // stdout: /dev/null
        assertEquals(3, poll.poll(FDS, 4, -1), "ready at once: data, POLLNVAL, a writable fd");
        assertEquals(POLLIN, revents(0), "the read end of a pipe is not writable");
        assertEquals(POLLNVAL, revents(1));
        assertEquals(0, revents(2));
        assertEquals(POLLOUT, revents(3));
        assertEquals((int) pipe, vm.mem.readU32(FDS), "the fd is left as it was");
        assertEquals(POLLIN | POLLOUT, vm.mem.readU16(FDS + 4), "and the events");
        assertEquals(-5, vm.mem.readU32(FDS + 16));
        vm.mem.writeU64(TS, 0);
        vm.mem.writeU64(TS + 8, 0);
        pollfd(0, pipe, POLLIN, 0);
        assertEquals(1, poll.ppoll(FDS, 1, TS, 0, 8));
        assertEquals(POLLIN, revents(0));
    }

    @Test
    void aWaitWithoutTimeoutEndsWhenTheVmStops() throws Exception {
        long pipe = guestPipe();
        pollfd(0, pipe, POLLIN, 0);
        Future<Long> wait = executing.submit(() -> poll.poll(FDS, 1, -1));
        Thread.sleep(100);                  // let it block (if it ended early, the assertion below says so)
        vm.fds.interruptBlockingCalls();
        assertEquals(-Errno.EINTR, wait.get(10, TimeUnit.SECONDS));
        assertEquals(-Errno.EINTR, poll.ppoll(FDS, 1, 0, 0, 0), "a wait after the stop (NULL timespec) ends at once");
        assertEquals(-Errno.EINTR, poll.poll(0, 0, -1), "so does a poll of no fds at all");
    }
}
