package io.torovj.syscall;

import io.torovj.lifecycle.Ending;
import io.torovj.log.MonitorLog;
import io.torovj.linux.Errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.memory.GuestMemory;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.FileCalls;
import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import io.torovj.lifecycle.VmControl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The syscall layer against real host files and pipes, with a hostile caller (no KVM needed). */
class SyscallDispatcherTest {
    static final int READ = 0, WRITE = 1, OPEN = 2, CLOSE = 3, FSTAT = 5, LSEEK = 8, MMAP = 9, BRK = 12,
            GETPID = 39, EXIT_GROUP = 231, CLOCK_GETTIME = 228, OPENAT = 257, UNLINK = 87, WRITEV = 20, IOCTL = 16,
            FCNTL = 72;
    static final long AT_FDCWD = -100;
    static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40;
    static final long RAM = 4L << 20, BUF = 0x100000, PATH = 0x80000;

    @TempDir Path root;
    private GuestMemory mem;
    private FdTable fds;
    private PathResolver paths;
    private SyscallDispatcher d;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final StubControl control = new StubControl();
    private final int[] pipe = new int[2];

    static final class StubControl implements VmControl {
        Ending ending;
        int status = -1;
        private void end(Ending e, int s) { if (ending == null) { ending = e; status = s; } }
        @Override public void stop(Ending e, String report) { end(e, e.status()); }
        @Override public void exit(int s) { end(Ending.EXITED, s); }
        @Override public void fault(int signal, String report) { end(Ending.FAULT, 128 + signal); }
        @Override public boolean isStopped() { return ending != null; }
    }

    private void boot(SyscallPolicy policy) {
        mem = GuestMemory.allocate(RAM);
        fds = new FdTable(16);
        NativeBuffer p = new NativeBuffer(8);
        assertEquals(0, FileCalls.INSTANCE.pipe2(p.address(), 0x80000));
        pipe[0] = p.getInt(0);
        pipe[1] = p.getInt(4);
        fds.installStdio(0, pipe[1], pipe[1]);
        MonitorLog log = new MonitorLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8));
        paths = new PathResolver(mem, fds, policy, log);
        d = new SyscallDispatcher(mem, policy, control, log);
        new FileSyscalls(mem, fds, paths).registerWith(d);
        new ProcessSyscalls(mem, control).registerWith(d);
        new MemorySyscalls(new GuestHeap(mem, 0x200000, RAM)).registerWith(d);
    }

    @AfterEach
    void tearDown() {
        if (paths != null) paths.close();
        if (fds != null) fds.close();
        if (mem != null) mem.close();
        LibC.INSTANCE.close(pipe[0]);
        LibC.INSTANCE.close(pipe[1]);
    }

    private long call(int nr, long... a) {
        long[] x = new long[6];
        System.arraycopy(a, 0, x, 0, a.length);
        return d.execute(nr, x[0], x[1], x[2], x[3], x[4], x[5]);
    }

    private long path(String s) {
        mem.write(PATH, (s + "\0").getBytes(StandardCharsets.UTF_8));
        return PATH;
    }

    private String drainPipe() {
        NativeBuffer b = new NativeBuffer(4096);
        LibC.INSTANCE.fcntl(pipe[0], 4 /* F_SETFL */, 0x800 /* O_NONBLOCK */);
        long n = LibC.INSTANCE.read(pipe[0], b.address(), 4096);
        byte[] out = new byte[(int) Math.max(0, n)];
        b.get(0, out, 0, out.length);
        return new String(out, StandardCharsets.UTF_8);
    }

    /**
     * Every group a VM's build adds (as VmBuilder.syscalls does): no call is served by two (the
     * dispatcher would take the first), and the calls served are exactly those the policy knows
     * as implemented (what {@link SyscallPolicy#permissive} allows).
     */
    @Test
    void everyImplementedCallIsServedByExactlyOneGroup() {
        SyscallPolicy implemented = SyscallPolicy.permissive(root);
        boot(implemented);
        SegmentBases bases = new SegmentBases() {
            long fs, gs;
            @Override public long fs() { return fs; }
            @Override public void setFs(long base) { fs = base; }
            @Override public long gs() { return gs; }
            @Override public void setGs(long base) { gs = base; }
        };
        MonitorLog log = new MonitorLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8));
        new SocketSyscalls(mem, fds, implemented, log).registerWith(d);
        new EventSyscalls(mem, fds).registerWith(d);
        new PollSyscalls(mem, fds).registerWith(d);
        new StartupSyscalls(mem, fds, bases, "prog", 1 << 20, 16).registerWith(d);
        int served = 0;
        for (String name : io.torovj.linux.SyscallNames.allNames()) {
            int groups = d.servingGroups(name);
            assertTrue(groups <= 1, name + " is served by " + groups + " groups");
            assertEquals(implemented.allows(io.torovj.linux.SyscallNames.number(name)), groups == 1,
                    name + (groups == 1 ? " is served but not in the policy's implemented list" : " is in the implemented list but not served"));
            served += groups;
        }
        assertTrue(served > 80, "calls served: " + served);
    }

    @Test
    void writeGoesToTheHostFdBehindGuestFd1() {
        boot(SyscallPolicy.defaultPolicy());
        mem.write(BUF, "hello\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(6, call(WRITE, 1, BUF, 6));
        assertEquals("hello\n", drainPipe());
    }

    @Test
    void writevGathersIoctlSaysNotATerminalAndFcntlReportsTheFlags() {
        boot(SyscallPolicy.builder().allow(List.of("write", "writev", "ioctl", "fcntl")).build());
        mem.write(BUF, "hel".getBytes(StandardCharsets.US_ASCII));
        mem.write(BUF + 100, "lo\n".getBytes(StandardCharsets.US_ASCII));
        long iov = BUF + 0x1000;
        mem.writeU64(iov, BUF); mem.writeU64(iov + 8, 3);
        mem.writeU64(iov + 16, BUF + 200); mem.writeU64(iov + 24, 0);          // an empty one is skipped
        mem.writeU64(iov + 32, BUF + 100); mem.writeU64(iov + 40, 3);
        assertEquals(6, call(WRITEV, 1, iov, 3));
        assertEquals("hello\n", drainPipe());
        assertEquals(-Errno.EINVAL, call(WRITEV, 1, iov, 1025), "more than IOV_MAX");
        assertEquals(-Errno.EFAULT, call(WRITEV, 1, RAM - 8, 1), "an iovec array past the end of RAM");
        assertEquals(-Errno.ENOTTY, call(IOCTL, 1, 0x5401, BUF), "TCGETS: no terminals for the guest");
        assertEquals(-Errno.EBADF, call(IOCTL, 9, 0x5401, BUF));
        assertEquals(1, call(FCNTL, 1, 3, 0) & 3, "F_GETFL: the pipe's write end is O_WRONLY");
        assertEquals(0, call(FCNTL, 1, 4, 1), "F_SETFL of what the lent fd already has");
        assertEquals(-Errno.EINVAL, call(FCNTL, 1, 1024, 0), "F_SETLEASE (leases, locks) is not served");
    }

    @Test
    void badGuestPointersGetEfaultAndTheMonitorGoesOn() {
        boot(SyscallPolicy.defaultPolicy());
        assertEquals(-Errno.EFAULT, call(WRITE, 1, RAM, 1));
        assertEquals(-Errno.EFAULT, call(WRITE, 1, RAM - 8, 16), "a buffer straddling the end of RAM");
        assertEquals(-Errno.EFAULT, call(WRITE, 1, 0x7ffffffff000L, 16));
        assertEquals(-Errno.EFAULT, call(WRITE, 1, -1, 16));
        assertEquals(-Errno.EFAULT, call(READ, 0, RAM - 1, 2));
        assertEquals(-Errno.EFAULT, call(CLOCK_GETTIME, 0, RAM - 8));
        assertEquals(-Errno.EFAULT, call(FSTAT, 1, RAM - 100));
        assertEquals(-Errno.EINVAL, call(WRITE, 1, BUF, -1));
        assertEquals(0, call(CLOCK_GETTIME, 1, BUF));
        assertTrue(mem.readU64(BUF) > 0, "CLOCK_MONOTONIC seconds written to guest memory");
    }

    @Test
    void guestFdsNameOnlyTheirOwnTable() {
        boot(SyscallPolicy.defaultPolicy());
        assertEquals(-Errno.EBADF, call(WRITE, 5, BUF, 1), "fd 5 is not the guest's");
        assertEquals(-Errno.EBADF, call(WRITE, 1L << 32 | 99, BUF, 1));
        assertEquals(-Errno.EBADF, call(WRITE, -1, BUF, 1));
        assertEquals(0, call(CLOSE, 1));
        assertEquals(-Errno.EBADF, call(WRITE, 1, BUF, 1));
        assertTrue(LibC.INSTANCE.fcntl(pipe[1], 1 /* F_GETFD */, 0) >= 0, "closing guest fd 1 leaves the lent host fd open");
        assertEquals(-Errno.EBADF, call(CLOSE, 1));
    }

    @Test
    void deniedCallsGetEpermAndAreLoggedOncePerNumber() {
        boot(SyscallPolicy.builder().allow("write").build());
        assertEquals(-Errno.EPERM, call(GETPID));
        assertEquals(-Errno.EPERM, call(GETPID));
        assertEquals(-Errno.EPERM, call(OPENAT, AT_FDCWD, path("x"), 0));
        assertEquals(-Errno.EPERM, call(100_000));
        assertEquals(-Errno.EPERM, call(-5));
        String log = logBytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, log.split("getpid", -1).length - 1, log);
        assertTrue(log.contains("openat"));
        assertFalse(control.isStopped());
    }

    @Test
    void aSweepOfDeniedNumbersLogsABoundedNumberOfLines() {
        boot(SyscallPolicy.builder().allow("write").build());
        for (int nr = 0; nr < 600; nr++) {
            if (nr != WRITE) assertEquals(-Errno.EPERM, call(nr), "syscall " + nr);
        }
        for (int nr = 0; nr < 600; nr++) if (nr != WRITE) call(nr);     // again: nothing new
        d.logSummary();
        List<String> lines = logBytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(SyscallDispatcher.LOG_DISTINCT_LIMIT + 2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(SyscallDispatcher.LOG_DISTINCT_LIMIT).contains("the rest are not logged"), lines.toString());
        // the 511 denied numbers of the table (write is allowed), and one line's worth for all numbers beyond it
        assertEquals("torovj: " + (511 + 1 - SyscallDispatcher.LOG_DISTINCT_LIMIT)
                + " more distinct syscall numbers were denied or not implemented without a log line", lines.get(lines.size() - 1));
        assertFalse(control.isStopped());
    }

    @Test
    void killPolicyEndsTheVm() {
        boot(SyscallPolicy.builder().allow("write").onViolation(SyscallPolicy.ViolationAction.KILL).build());
        assertEquals(-Errno.EPERM, call(GETPID));
        assertEquals(Ending.POLICY_KILL, control.ending);
    }

    @Test
    void exitStopsTheVmWithTheLowByte() {
        boot(SyscallPolicy.defaultPolicy());
        call(EXIT_GROUP, 0x1_07);
        assertEquals(Ending.EXITED, control.ending);
        assertEquals(7, control.status);
    }

    @Test
    void filesBeneathTheRootWorkEndToEnd() throws IOException {
        boot(SyscallPolicy.permissive(root.toRealPath()));
        long fd = call(OPENAT, AT_FDCWD, path("data.txt"), O_CREAT | O_RDWR, 0644);
        assertEquals(3, fd);
        mem.write(BUF, "abc".getBytes(StandardCharsets.US_ASCII));
        assertEquals(3, call(WRITE, fd, BUF, 3));
        assertEquals(0, call(LSEEK, fd, 0, 0));
        assertEquals(3, call(READ, fd, BUF + 100, 10));
        assertEquals('c', mem.readU8(BUF + 102));
        assertEquals(0, call(FSTAT, fd, BUF + 200));
        assertEquals(3, mem.readU64(BUF + 200 + 48), "st_size");
        assertEquals(0, call(CLOSE, fd));
        assertEquals("abc", Files.readString(root.resolve("data.txt")));
        long abs = call(OPEN, path(root.toRealPath() + "/data.txt"), O_RDONLY);
        assertEquals(3, abs, "an absolute path under the root, the lowest free fd");
        assertEquals(0, call(UNLINK, path("data.txt")));
        assertFalse(Files.exists(root.resolve("data.txt")));
        assertTrue(call(OPENAT, AT_FDCWD, path("/dev/null"), O_WRONLY) >= 0, "/dev/null is allowed by the permissive policy");
    }

    @Test
    void nothingOutsideTheRootIsReachable(@TempDir Path outside) throws IOException {
        Files.writeString(outside.resolve("secret"), "s");
        Files.createSymbolicLink(root.resolve("link"), outside);
        Files.createSymbolicLink(root.resolve("abs"), outside.resolve("secret"));
        boot(SyscallPolicy.permissive(root.toRealPath()));
        assertEquals(-Errno.EPERM, call(OPENAT, AT_FDCWD, path("../secret"), O_RDONLY));
        assertEquals(-Errno.EPERM, call(OPENAT, AT_FDCWD, path("link/secret"), O_RDONLY), "symlinked directory");
        assertEquals(-Errno.EPERM, call(OPENAT, AT_FDCWD, path("abs"), O_RDONLY), "absolute symlink");
        assertEquals(-Errno.EPERM, call(OPENAT, AT_FDCWD, path(outside + "/secret"), O_RDONLY));
        assertEquals(-Errno.EPERM, call(OPENAT, AT_FDCWD, path("/etc/passwd"), O_RDONLY));
        assertEquals(-Errno.EPERM, call(OPENAT, AT_FDCWD, path("/proc/self/fd/0"), O_RDONLY));
        assertEquals(-Errno.EPERM, call(UNLINK, path("link/secret")));
        assertEquals(-Errno.EPERM, call(UNLINK, path("../" + outside.getFileName() + "/secret")));
        assertEquals(-Errno.EPERM, call(OPENAT, 1, path("x"), O_RDONLY), "a lent stdio fd cannot anchor paths");
        assertEquals(-Errno.EBADF, call(OPENAT, 9, path("x"), O_RDONLY), "nor can an fd that is not open");
        assertTrue(Files.exists(outside.resolve("secret")));
    }

    @Test
    void readOnlyPolicyRefusesWrites() throws IOException {
        Files.writeString(root.resolve("r.txt"), "r");
        boot(SyscallPolicy.builder().allow(java.util.List.of("openat", "read", "unlink")).fileRoot(root.toRealPath()).readOnly(true).build());
        assertTrue(call(OPENAT, AT_FDCWD, path("r.txt"), O_RDONLY) >= 0);
        assertEquals(-Errno.EPERM, call(OPENAT, AT_FDCWD, path("r.txt"), O_RDWR));
        assertEquals(-Errno.EPERM, call(OPENAT, AT_FDCWD, path("new"), O_CREAT | O_WRONLY, 0644));
        assertEquals(-Errno.EPERM, call(UNLINK, path("r.txt")));
    }

    @Test
    void pathsAreBoundedAndFdTableFillsUp() {
        boot(SyscallPolicy.permissive(root));
        mem.fill(PATH, 8192, (byte) 'a');
        assertEquals(-Errno.ENAMETOOLONG, call(OPENAT, AT_FDCWD, PATH, O_RDONLY));
        mem.fill(RAM - 16, 16, (byte) 'a');
        assertEquals(-Errno.EFAULT, call(OPENAT, AT_FDCWD, RAM - 16, O_RDONLY), "a path running off guest memory");
        long last = 0;
        for (int i = 0; i < 20; i++) last = call(OPENAT, AT_FDCWD, path("/dev/null"), O_RDONLY);
        assertEquals(-Errno.EMFILE, last);
    }

    @Test
    void anonymousMmapOnly() {
        boot(SyscallPolicy.defaultPolicy());
        long addr = call(MMAP, 0, 8192, 3, 0x22, -1, 0);
        assertTrue(addr >= 0x200000 && addr < RAM, Long.toHexString(addr));
        assertEquals(-Errno.ENODEV, call(MMAP, 0, 8192, 3, 0x02, 3, 0));
        assertEquals(-Errno.EINVAL, call(MMAP, 0x300000, 8192, 3, 0x32, -1, 0));
        assertEquals(0x200000, call(BRK, 0));
    }

    @Test
    void theCallsAnsweredEnosysAreListedOnceWithTheirCounts() {
        boot(SyscallPolicy.builder().allow(List.of("rseq", "clone3", "getpid", "write")).build());
        assertEquals("", d.unimplementedSummary());
        int rseq = io.torovj.linux.SyscallNames.number("rseq"), clone3 = io.torovj.linux.SyscallNames.number("clone3");
        assertEquals(-Errno.ENOSYS, d.execute(rseq, 0, 0, 0, 0, 0, 0));
        assertEquals(-Errno.ENOSYS, d.execute(clone3, 0, 0, 0, 0, 0, 0));
        assertEquals(-Errno.ENOSYS, d.execute(rseq, 0, 0, 0, 0, 0, 0));
        assertTrue(d.execute(GETPID, 0, 0, 0, 0, 0, 0) > 0);
        assertEquals(-Errno.EPERM, d.execute(READ, 0, BUF, 1, 0, 0, 0), "denied, not unimplemented");
        assertEquals("rseq x2, clone3 x1", d.unimplementedSummary(), "in the order first asked");
    }
}
