package io.torovj.syscall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.linux.Errno;
import io.torovj.linux.SyscallNames;
import io.torovj.log.MonitorLog;
import io.torovj.memory.GuestMemory;
import io.torovj.policy.SyscallPolicy;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a static libc asks at start-up, answered with Linux's semantics and errno (no VM). */
class StartupSyscallsTest {
    private static final long RAM = 4L << 20, BUF = 0x100000;
    private GuestMemory mem;
    private FdTable fds;
    private SyscallDispatcher d;
    private final long[] bases = new long[2];

    @BeforeEach
    void setUp() {
        mem = GuestMemory.allocate(RAM);
        fds = new FdTable(8);
        SegmentBases segments = new SegmentBases() {
            @Override public long fs() { return bases[0]; }
            @Override public void setFs(long base) { bases[0] = base; }
            @Override public long gs() { return bases[1]; }
            @Override public void setGs(long base) { bases[1] = base; }
        };
        SyscallPolicy policy = SyscallPolicy.permissive(Path.of("/nonexistent-root"));
        d = new SyscallDispatcher(mem, policy, new SyscallDispatcherTest.StubControl(),
                new MonitorLog(new PrintStream(OutputStream.nullOutputStream())));
        new StartupSyscalls(mem, fds, segments, "busybox", 256 * 1024, 64).registerWith(d);
    }

    @AfterEach
    void tearDown() {
        fds.close();
        mem.close();
    }

    private long call(String name, long... a) {
        long[] x = new long[6];
        System.arraycopy(a, 0, x, 0, a.length);
        return d.execute(SyscallNames.number(name), x[0], x[1], x[2], x[3], x[4], x[5]);
    }

    private long path(String s) {
        mem.write(BUF + 0x8000, (s + "\0").getBytes(StandardCharsets.UTF_8));
        return BUF + 0x8000;
    }

    @Test
    void archPrctlSetsAndReadsTheThreadPointer() {
        assertEquals(0, call("arch_prctl", StartupSyscalls.ARCH_SET_FS, 0x5ec3c0));
        assertEquals(0x5ec3c0, bases[0]);
        assertEquals(0, call("arch_prctl", StartupSyscalls.ARCH_GET_FS, BUF));
        assertEquals(0x5ec3c0, mem.readU64(BUF));
        assertEquals(-Errno.EPERM, call("arch_prctl", StartupSyscalls.ARCH_SET_GS, 0x8000_0000_0000_0000L), "non-canonical");
        assertEquals(-Errno.EFAULT, call("arch_prctl", StartupSyscalls.ARCH_GET_FS, RAM - 4));
        assertEquals(-Errno.EINVAL, call("arch_prctl", 0x9999, 0));
    }

    @Test
    void limitsAreReadOnlyAndDescribeTheVm() {
        assertEquals(0, call("prlimit64", 0, StartupSyscalls.RLIMIT_STACK, 0, BUF));
        assertEquals(256 * 1024, mem.readU64(BUF));
        assertEquals(0, call("prlimit64", 0, StartupSyscalls.RLIMIT_NOFILE, 0, BUF));
        assertEquals(64, mem.readU64(BUF + 8));
        assertEquals(-Errno.EPERM, call("prlimit64", 0, StartupSyscalls.RLIMIT_STACK, BUF, 0), "the guest cannot change them");
        assertEquals(-Errno.EINVAL, call("prlimit64", 0, 99, 0, BUF));
        assertEquals(-Errno.ESRCH, call("prlimit64", 1, StartupSyscalls.RLIMIT_STACK, 0, BUF), "another process");
    }

    @Test
    void getrandomFillsTheBufferAndChecksItsArguments() {
        mem.fill(BUF, 64, (byte) 0);
        assertEquals(64, call("getrandom", BUF, 64, 0));
        boolean nonZero = false;
        for (int i = 0; i < 64; i++) nonZero |= mem.readU8(BUF + i) != 0;
        assertTrue(nonZero, "64 random bytes are not all zero");
        assertEquals(StartupSyscalls.GETRANDOM_MAX, call("getrandom", BUF, 1 << 20, 1), "a short read for a large request");
        assertEquals(-Errno.EINVAL, call("getrandom", BUF, 8, 0x80));
        assertEquals(-Errno.EFAULT, call("getrandom", RAM - 4, 8, 0));
    }

    @Test
    void unameAndTheProcessNameSayLinuxAndTheGuestsOwnName() {
        assertEquals(0, call("uname", BUF));
        byte[] sys = new byte[5];
        mem.read(BUF, sys, 0, 5);
        assertEquals("Linux", new String(sys, StandardCharsets.US_ASCII));
        assertEquals(0, call("prctl", StartupSyscalls.PR_GET_NAME, BUF));
        byte[] name = new byte[8];
        mem.read(BUF, name, 0, 8);
        assertEquals("busybox\0", new String(name, StandardCharsets.US_ASCII));
        assertEquals(-Errno.EINVAL, call("prctl", 999, 0));
    }

    @Test
    void procSelfExeIsAnAbsoluteGuestPathAndNothingElseIsALink() {
        long n = call("readlink", path("/proc/self/exe"), BUF, 4096);
        byte[] target = new byte[(int) n];
        mem.read(BUF, target, 0, target.length);
        assertEquals("/busybox", new String(target, StandardCharsets.UTF_8), "absolute, as glibc asserts, and no host path");
        assertEquals(3, call("readlink", path("/proc/self/exe"), BUF, 3), "truncated to the buffer, no NUL");
        assertEquals(-Errno.ENOENT, call("readlink", path("/etc/passwd"), BUF, 4096));
        assertNotEquals(0, call("readlinkat", -100, path("/proc/self/exe"), BUF, 4096));
    }

    @Test
    void signalsAreRecordedNotDeliveredAndTheClocksAndCwdAnswer() {
        mem.fill(BUF, 32, (byte) 0x55);
        assertEquals(0, call("rt_sigaction", 2, BUF + 64, BUF, 8));
        assertEquals(0, mem.readU64(BUF), "every disposition reads back as SIG_DFL");
        assertEquals(-Errno.EINVAL, call("rt_sigaction", 9, BUF + 64, 0, 8), "SIGKILL cannot be caught");
        assertEquals(-Errno.EINVAL, call("rt_sigaction", 2, 0, 0, 16), "sigsetsize");
        mem.writeU64(BUF + 128, 0b110);
        assertEquals(0, call("rt_sigprocmask", 0, BUF + 128, 0, 8));
        assertEquals(0, call("rt_sigprocmask", 1, 0, BUF + 136, 8));
        assertEquals(0b110, mem.readU64(BUF + 136), "the mask is kept");
        assertEquals(-Errno.EINVAL, call("rt_sigprocmask", 7, BUF + 128, 0, 8));
        long now = System.currentTimeMillis() / 1000;
        long t = call("time", BUF + 200);
        assertTrue(Math.abs(t - now) <= 2 && mem.readU64(BUF + 200) == t, "time: " + t);
        assertEquals(0, call("gettimeofday", BUF + 300, 0));
        assertTrue(Math.abs(mem.readU64(BUF + 300) - now) <= 2 && mem.readU64(BUF + 308) < 1_000_000);
        assertEquals(2, call("getcwd", BUF + 400, 64));
        assertEquals('/', mem.readU8(BUF + 400));
        assertEquals(-Errno.ERANGE, call("getcwd", BUF + 400, 1));
    }

    @Test
    void identityAffinityAndMemoryProtection() {
        assertEquals(0, call("getuid"));
        assertEquals(0, call("getegid"));
        assertEquals(8, call("sched_getaffinity", 0, 128, BUF));
        assertEquals(1, mem.readU64(BUF), "one CPU");
        assertEquals(-Errno.EINVAL, call("sched_getaffinity", 0, 3, BUF));
        assertEquals(0, call("mprotect", 0x200000, 0x1000, 1));
        assertEquals(-Errno.EINVAL, call("mprotect", 0x200001, 0x1000, 1));
        assertEquals(-Errno.ENOMEM, call("mprotect", RAM - 0x1000, 0x2000, 1), "beyond guest memory");
        assertEquals(0, call("set_robust_list", BUF, 24));
        assertEquals(-Errno.EINVAL, call("set_robust_list", BUF, 23));
    }

    @Test
    void sysinfoDescribesTheGuestsMachineNotTheHost() {
        mem.fill(BUF, 112, (byte) 0x55);
        assertEquals(0, call("sysinfo", BUF));
        assertTrue(mem.readU64(BUF) >= 0 && mem.readU64(BUF) < 60, "uptime counts from the VM's start: " + mem.readU64(BUF));
        assertEquals(RAM, mem.readU64(BUF + StartupSyscalls.SI_TOTALRAM), "totalram is guest RAM");
        long free = mem.readU64(BUF + StartupSyscalls.SI_FREERAM);
        assertTrue(free >= 0 && free < RAM, "freeram " + free);
        assertEquals(0, mem.readU64(BUF + 64), "no swap");
        assertEquals(1, mem.readU16(BUF + StartupSyscalls.SI_PROCS), "one process");
        assertEquals(1, mem.readU32(BUF + StartupSyscalls.SI_MEM_UNIT));
        assertEquals(0, mem.readU64(BUF + 8), "loads 0");
        assertEquals(-Errno.EFAULT, call("sysinfo", RAM - 100));
    }
}
