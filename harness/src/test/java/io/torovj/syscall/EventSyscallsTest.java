package io.torovj.syscall;

import static io.torovj.linux.EpollConstants.EPOLLIN;
import static io.torovj.linux.EpollConstants.EPOLL_CLOEXEC;
import static io.torovj.linux.EpollConstants.EPOLL_CTL_ADD;
import static io.torovj.linux.EpollConstants.EPOLL_CTL_DEL;
import static io.torovj.linux.EpollConstants.EPOLL_CTL_MOD;
import static io.torovj.linux.EpollConstants.EP_MAX_EVENTS;
import static io.torovj.linux.EpollConstants.EVENT_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.linux.Errno;
import io.torovj.memory.GuestMemory;
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
 * epoll as the guest sees it (no VM): Linux's errno for every bad argument, a guest's epoll_data
 * handed back verbatim, events copied out only into checked guest memory (never the system
 * pages), and a wait that ends when the VM stops.
 */
class EventSyscallsTest {
    /** Below this, the guest's system pages: its pointers may not reach them. */
    private static final long FLOOR = 0x10000;
    private static final long EV = 0x100000, EVENTS = 0x101000;
    private static final long DATA = 0xDEADBEEFCAFEF00DL;

    @TempDir Path tmp;
    private SyscallLayer vm;
    private EventSyscalls epoll;
    private int devNull = -1;
    private final int[] host = {-1, -1};
    private final ExecutorService executing = SyscallLayer.executingThread();

    @BeforeEach
    void boot() throws Exception {
        devNull = LibC.INSTANCE.open("/dev/null", SyscallLayer.O_RDWR | SyscallLayer.O_CLOEXEC, 0);
        vm = new SyscallLayer(SyscallPolicy.permissive(tmp.toRealPath()), devNull, devNull, devNull);
        GuestMemory guestPointers = vm.mem.guestPointerView(FLOOR);
        epoll = new EventSyscalls(guestPointers, vm.fds);
    }

    @AfterEach
    void tearDown() {
        executing.shutdownNow();
        vm.close();
        SyscallLayer.closeAll(devNull, host[1]);
    }

    /** A host pipe whose read end the guest holds: {guest fd of the read end}; the test keeps the write end. */
    private long guestPipe() {
        int[] writeEnd = {-1};
        long fd = vm.guestPipe(writeEnd);
        host[1] = writeEnd[0];
        return fd;
    }

    private void event(long at, int events, long data) {
        vm.mem.writeU32(at, events);
        vm.mem.writeU64(at + 4, data);
    }

    private long create() {
        long ep = epoll.epollCreate1(EPOLL_CLOEXEC);
        assertTrue(ep >= 3, "epoll_create1: " + ep);
        return ep;
    }

    @Test
    void createRefusesUnknownFlagsAndNonPositiveSizes() {
        assertEquals(-Errno.EINVAL, epoll.epollCreate1(1));
        assertEquals(-Errno.EINVAL, epoll.epollCreate1(EPOLL_CLOEXEC | 0x800));
        assertEquals(-Errno.EINVAL, epoll.epollCreate(0));
        assertEquals(-Errno.EINVAL, epoll.epollCreate(-1));
        long ep = epoll.epollCreate(1);
        assertTrue(ep >= 3, "epoll_create(1): " + ep);
        assertEquals(-Errno.EINVAL, vm.call(SyscallLayer.READ, ep, EV, 8), "an epoll fd cannot be read, as on Linux");
    }

    @Test
    void ctlGivesLinuxErrnoForBadFdsAndPointers() throws Exception {
        long ep = create();
        long pipe = guestPipe();
        event(EV, EPOLLIN, DATA);
        assertEquals(-Errno.EBADF, epoll.epollCtl(99, EPOLL_CTL_ADD, pipe, EV), "no such epoll fd");
        assertEquals(-Errno.EBADF, epoll.epollCtl(ep, EPOLL_CTL_ADD, 99, EV), "no such target fd");
        assertEquals(-Errno.EBADF, epoll.epollCtl(ep, EPOLL_CTL_ADD, -1, EV));
        assertEquals(-Errno.EINVAL, epoll.epollCtl(ep, EPOLL_CTL_ADD, ep, EV), "an epoll set cannot hold itself");
        assertEquals(-Errno.EINVAL, epoll.epollCtl(pipe, EPOLL_CTL_ADD, ep, EV), "the first fd is not an epoll set");
        assertEquals(-Errno.EPERM, epoll.epollCtl(ep, EPOLL_CTL_ADD, 0, EV), "/dev/null cannot be polled");
        long file = vm.call(SyscallLayer.OPENAT, SyscallLayer.AT_FDCWD, vm.path(tmp.toRealPath().resolve("f").toString()),
                SyscallLayer.O_RDWR | SyscallLayer.O_CREAT, 0600);
        assertTrue(file >= 3, "open: " + file);
        assertEquals(-Errno.EPERM, epoll.epollCtl(ep, EPOLL_CTL_ADD, file, EV), "a regular file cannot be polled");
        assertEquals(-Errno.EFAULT, epoll.epollCtl(ep, EPOLL_CTL_ADD, pipe, 0x1000), "the event lies in the system pages");
        assertEquals(-Errno.EFAULT, epoll.epollCtl(ep, EPOLL_CTL_ADD, pipe, SyscallLayer.RAM - 4), "the event runs past RAM");
        assertEquals(-Errno.EFAULT, epoll.epollCtl(ep, EPOLL_CTL_ADD, pipe, -1L));
        assertEquals(-Errno.ENOENT, epoll.epollCtl(ep, EPOLL_CTL_MOD, pipe, EV), "not registered yet");
        assertEquals(-Errno.EINVAL, epoll.epollCtl(ep, 7, pipe, EV), "no such operation");
        assertEquals(0, epoll.epollCtl(ep, EPOLL_CTL_ADD, pipe, EV));
        assertEquals(-Errno.EEXIST, epoll.epollCtl(ep, EPOLL_CTL_ADD, pipe, EV));
        assertEquals(0, epoll.epollCtl(ep, EPOLL_CTL_MOD, pipe, EV));
        assertEquals(0, epoll.epollCtl(ep, EPOLL_CTL_DEL, pipe, 0x1000), "DEL ignores the event pointer, as Linux does");
        assertEquals(-Errno.ENOENT, epoll.epollCtl(ep, EPOLL_CTL_DEL, pipe, 0));
    }

    @Test
    void waitGivesLinuxErrnoForBadArguments() {
        long ep = create();
        long pipe = guestPipe();
        assertEquals(-Errno.EINVAL, epoll.epollWait(ep, EVENTS, 0, 0));
        assertEquals(-Errno.EINVAL, epoll.epollWait(ep, EVENTS, -1, 0));
        assertEquals(-Errno.EINVAL, epoll.epollWait(ep, EVENTS, EP_MAX_EVENTS + 1L, 0), "above INT_MAX / 12");
        assertEquals(-Errno.EINVAL, epoll.epollWait(ep, EVENTS, 1L << 32, 0), "maxevents is an int: 2^32 is 0");
        assertEquals(-Errno.EFAULT, epoll.epollWait(ep, EVENTS, EP_MAX_EVENTS, 0), "huge maxevents: its range is checked in full");
        assertEquals(-Errno.EFAULT, epoll.epollWait(ep, 0x1000, 1, 0), "events into the system pages");
        assertEquals(-Errno.EFAULT, epoll.epollWait(ep, FLOOR - EVENT_SIZE + 1, 1, 0), "events straddling the floor");
        assertEquals(-Errno.EFAULT, epoll.epollWait(ep, SyscallLayer.RAM - EVENT_SIZE + 1, 1, 0), "events past RAM");
        assertEquals(-Errno.EBADF, epoll.epollWait(99, EVENTS, 1, 0));
        assertEquals(-Errno.EINVAL, epoll.epollWait(pipe, EVENTS, 1, 0), "not an epoll fd");
        assertEquals(-Errno.EINVAL, epoll.epollPwait(ep, EVENTS, 1, 0, EV, 4), "a sigmask of the wrong size");
        assertEquals(0, epoll.epollPwait(ep, EVENTS, 1, 0, EV, 8));
        assertEquals(0, epoll.epollWait(ep, EVENTS, 1, 0), "nothing ready, no wait");
        assertEquals(0, epoll.epollWait(ep, EVENTS, 4, 30), "nothing ready within the timeout");
    }

    @Test
    void eventsCarryTheGuestsDataVerbatimAndOnlyTheirBytesAreWritten() {
        long ep = create();
        long pipe = guestPipe();
        event(EV, EPOLLIN, DATA);
        assertEquals(0, epoll.epollCtl(ep, EPOLL_CTL_ADD, pipe, EV));
        vm.mem.fill(EVENTS, 64, (byte) 0x5A);
        NativeBuffer one = new NativeBuffer(1);
        assertEquals(1, LibC.INSTANCE.write(host[1], one.address(), 1));
        // maxevents far above what one host call takes: still served, up to that many
        assertEquals(1, epoll.epollWait(ep, EVENTS, 100_000, -1));
        assertEquals(EPOLLIN, vm.mem.readU32(EVENTS));
        assertEquals(DATA, vm.mem.readU64(EVENTS + 4));
        assertEquals((byte) 0x5A, vm.mem.readU8(EVENTS + EVENT_SIZE), "nothing written past the one event");
        assertEquals(0, vm.call(SyscallLayer.CLOSE, pipe));
        assertEquals(0, epoll.epollWait(ep, EVENTS, 1, 0), "closing the fd dropped its registration, as on Linux");
    }

    @Test
    void anEpollSetInsideAnotherIsReportedByTheOuterOne() {
        long outer = create(), inner = create();
        long pipe = guestPipe();
        event(EV, EPOLLIN, 1);
        assertEquals(0, epoll.epollCtl(inner, EPOLL_CTL_ADD, pipe, EV));
        event(EV, EPOLLIN, 2);
        assertEquals(0, epoll.epollCtl(outer, EPOLL_CTL_ADD, inner, EV));
        assertEquals(0, epoll.epollWait(outer, EVENTS, 4, 0), "the VM's stop, in both sets, is not an event");
        NativeBuffer one = new NativeBuffer(1);
        assertEquals(1, LibC.INSTANCE.write(host[1], one.address(), 1));
        assertEquals(1, epoll.epollWait(outer, EVENTS, 4, 0));
        assertEquals(2, vm.mem.readU64(EVENTS + 4));
    }

    @Test
    void aWaitWithoutTimeoutEndsWhenTheVmStops() throws Exception {
        long ep = create();
        long pipe = guestPipe();
        event(EV, EPOLLIN, DATA);
        assertEquals(0, epoll.epollCtl(ep, EPOLL_CTL_ADD, pipe, EV));
        Future<Long> wait = executing.submit(() -> epoll.epollWait(ep, EVENTS, 8, -1));
        Thread.sleep(100);                  // let it block (if it ended early, the assertion below says so)
        vm.fds.interruptBlockingCalls();
        assertEquals(-Errno.EINTR, wait.get(10, TimeUnit.SECONDS));
        assertEquals(-Errno.EINTR, epoll.epollWait(ep, EVENTS, 8, -1), "a wait after the stop ends at once");
    }
}
