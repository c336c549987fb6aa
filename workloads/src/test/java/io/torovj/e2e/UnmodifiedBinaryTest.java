package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.lifecycle.Ending;
import io.torovj.policy.SyscallPolicy;
import io.torovj.mechanisms.AdaptiveRingTransport;
import io.torovj.vmm.Platform;
import io.torovj.vmm.SyscallEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Programs that make system calls the Linux way, with the {@code syscall} instruction, run
 * unmodified as VMs: the native builds of the workloads (the same C, linked with the native
 * runtime instead of a transport) under every transport and platform, their output and status
 * as when run natively. The first call from each {@code syscall} site takes the syscall entry
 * stub; the monitor then rewrites the site into a jump through the syscall shim to the VM's
 * transport ({@code SyscallEntry.PATCH}, the default), or every call traps ({@code TRAP}).
 */
class UnmodifiedBinaryTest {

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void nativeBuildsRunUnmodifiedWithTheirNativeOutput(Platform.Kind platform, String transport) throws Exception {
        GuestRun.Outcome hello = GuestRun.run(platform, GuestRun.config(platform, GuestRun.nativeBinary("helloworld"))
                .transport(transport));
        assertEquals(Ending.EXITED, hello.vm().ending(), hello.vm().report());
        assertEquals(0, hello.vm().status());
        assertEquals("Hello, World!\n", hello.stdout());

        GuestRun.Outcome args = GuestRun.run(platform, GuestRun.config(platform, GuestRun.nativeBinary("args"))
                .transport(transport).args(List.of("one", "two words")).env(List.of("TOROVJ_TEST=native")));
        assertEquals(0, args.vm().status(), args.vm().report() + args.stderr());
        assertEquals("argc=3\nargv[0]=args\nargv[1]=one\nargv[2]=two words\nTOROVJ_TEST=native\n", args.stdout());

        GuestRun.Outcome calls = GuestRun.run(platform, GuestRun.config(platform, GuestRun.nativeBinary("nullcall"))
                .transport(transport).args(List.of("500")));
        assertEquals(0, calls.vm().status(), calls.vm().report());
        assertEquals("nullcall: 500 calls\n", calls.stdout());
        assertTrue(calls.vm().syscalls() >= 500, "every getppid reached the monitor: " + calls.vm().syscalls());
        // its one generic syscall wrapper (mov %rcx,%rdx; syscall) is rewritten at its first call
        assertEquals(1L, calls.vm().transportCounters().get("syscallSitesPatched"), calls.vm().transportCounters().toString());
        assertTrue(calls.vm().transportCounters().get("syscallTraps") <= 2, calls.vm().transportCounters().toString());
        if (transport.contains("ring") && platform == Platform.Kind.KVM) {
            // aring's doorbells are exits: a poller that slept (a fresh JVM's compiler threads
            // crowd 2 cores) was rung awake by one; every other call went through the ring
            long doorbells = calls.vm().transportCounters().getOrDefault(AdaptiveRingTransport.POLLER_SLEEPS, 0L);
            assertTrue(calls.vm().vcpuExits() - doorbells < 20, "500 calls through the ring, not exits: "
                    + calls.vm().vcpuExits() + " exits, " + doorbells + " of them doorbells");
        }

        GuestRun.Outcome trapped = GuestRun.run(platform, GuestRun.config(platform, GuestRun.nativeBinary("nullcall"))
                .transport(transport).args(List.of("500")).syscallEntry(SyscallEntry.TRAP));
        assertEquals("nullcall: 500 calls\n", trapped.stdout());
        assertEquals(trapped.vm().syscalls(), trapped.vm().transportCounters().get("syscallTraps"), "TRAP: every call trapped");
        assertEquals(null, trapped.vm().transportCounters().get("syscallSitesPatched"));
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void aProgramLinkedAgainstTheRuntimeNeverGetsTheShim(Platform.Kind platform, String transport) throws Exception {
        GuestRun.Outcome hello = GuestRun.run(platform, GuestRun.config(platform, "helloworld").transport(transport));
        assertEquals("Hello, World!\n", hello.stdout());
        assertEquals(null, hello.vm().transportCounters().get("syscallTraps"), "it never executes the syscall instruction");
    }

    /** Every (platform, transport) pair of {@link GuestRun#everywhere()} with each of {@code thirds}. */
    private static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> everywhereTimes(Object... thirds) {
        return GuestRun.everywhere().flatMap(a -> java.util.stream.Stream.of(thirds)
                .map(third -> org.junit.jupiter.params.provider.Arguments.of(a.get()[0], a.get()[1], third)));
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> everywhereWithEntries() {
        return everywhereTimes((Object[]) SyscallEntry.values());
    }

    /**
     * src/test/static/syscall_regs.c: around getpid made from the three rewritten site shapes, four
     * times each (the first traps, the rest go through the patched site), every register the
     * instruction preserves, xmm0/xmm15, CF/DF and the red zone below rsp come back unchanged; and
     * arch_prctl from a patched site (which the shim sends back through the trap) still works.
     */
    @ParameterizedTest(name = "{0}/{1}/{2}")
    @MethodSource("everywhereWithEntries")
    void aPatchedSitePreservesWhatTheSyscallInstructionPreserves(Platform.Kind platform, String transport, SyscallEntry entry,
                                                                 @TempDir Path root) throws Exception {
        GuestRun.assumePlatform(platform);
        Path exe = staticProgram("syscall_regs", "gcc");
        GuestRun.Outcome o = GuestRun.run(platform, GuestRun.config(platform, exe).transport(transport)
                .policy(SyscallPolicy.permissive(root)).syscallEntry(entry));
        assertEquals("registers: preserved over 12 calls\narch_prctl: FS base read 3 times\n", o.stdout(), o.stderr() + o.log());
        assertEquals(0, o.vm().status());
        if (entry == SyscallEntry.PATCH) {
            assertTrue(o.vm().transportCounters().get("syscallSitesPatched") >= 3, o.vm().transportCounters().toString());
        }
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void thePolicyAppliesToTheSyscallInstructionToo(Platform.Kind platform, String transport) throws Exception {
        SyscallPolicy noGetppid = SyscallPolicy.builder().allow(List.of("write", "exit_group", "brk", "mmap", "munmap"))
                .build();
        GuestRun.Outcome o = GuestRun.run(platform, GuestRun.config(platform, GuestRun.nativeBinary("nullcall"))
                .transport(transport).policy(noGetppid).args(List.of("3")));
        assertEquals(1, o.vm().status(), "nullcall fails on its first denied getppid: " + o.stdout() + o.stderr());
        assertTrue(o.stderr().contains("getppid failed at call 0: "), o.stderr());
        assertTrue(o.log().contains("policy denied getppid"), o.log());
    }

    /**
     * src/test/static/{@code name}.c built with {@code compiler} -static (gcc: static glibc;
     * musl-gcc: static musl, from Debian's musl-tools, which .ci/run installs), once per test run.
     */
    private static Path staticProgram(String name, String compiler) throws Exception {
        synchronized (UnmodifiedBinaryTest.class) {
            Path exe = Path.of(System.getProperty("java.io.tmpdir"),
                    "torovj-" + name + "-" + compiler + "-" + ProcessHandle.current().pid());
            if (!Files.isExecutable(exe)) {
                Process cc = new ProcessBuilder(compiler, "-static", "-O1", "-o", exe.toString(), "src/test/static/" + name + ".c")
                        .redirectErrorStream(true).start();
                String out = new String(cc.getInputStream().readAllBytes());
                assertTrue(cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0, compiler + " -static failed: " + out);
                exe.toFile().deleteOnExit();
            }
            return exe;
        }
    }

    /** {@code argv} run natively in {@code dir}: its stdout, after asserting it exited 0. */
    private static String nativeOutput(Path dir, String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).directory(dir.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0, "native run");
        return out;
    }

    /** {@code argv} as a VM (16 MiB) with a permissive policy rooted at {@code root}, asserted to exit 0. */
    private static GuestRun.Outcome runExitingZero(Platform.Kind platform, String transport, Path root, String... argv)
            throws Exception {
        GuestRun.Outcome o = GuestRun.run(platform, GuestRun.config(platform, Path.of(argv[0])).argv(List.of(argv))
                .transport(transport).policy(SyscallPolicy.permissive(root)).memorySize(16L << 20));
        assertEquals(Ending.EXITED, o.vm().ending(), o.vm().report() + o.log());
        assertEquals(0, o.vm().status(), o.stderr() + o.log());
        return o;
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> everywhereWithLibcs() {
        return everywhereTimes("gcc", "musl-gcc");
    }

    @ParameterizedTest(name = "{0}/{1}/{2}")
    @MethodSource("everywhereWithLibcs")
    void aStaticCProgramWithStdioMallocAndFilesRunsUnmodified(Platform.Kind platform, String transport, String compiler,
                                                              @TempDir Path root) throws Exception {
        GuestRun.assumePlatform(platform);
        Path exe = staticProgram("stdio_files", compiler);
        Path nativeDir = Files.createDirectory(root.resolve("native")), vmDir = Files.createDirectory(root.resolve("vm"));
        String expected = nativeOutput(nativeDir, exe.toString(), "arg");
        GuestRun.Outcome o = runExitingZero(platform, transport, vmDir, exe.toString(), "arg");
        assertEquals(expected, o.stdout());
        assertEquals(Files.readString(nativeDir.resolve("out.txt")), Files.readString(vmDir.resolve("out.txt")),
                "the file it wrote, under the policy root");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void aReturnToANonCanonicalAddressEndsTheVm(Platform.Kind platform) throws Exception {
        GuestRun.Outcome o = GuestRun.run(platform, GuestRun.config(platform, "sysretabuse").args(List.of("noncanonical")));
        assertEquals("sysretabuse: noncanonical\n", o.stdout(), "the stub never returned to the guest");
        assertEquals(Ending.FAULT, o.vm().ending(), o.vm().report());
        assertEquals(139, o.vm().status());
        assertTrue(o.vm().report().contains("non-canonical address 0x8000000000001000"), o.vm().report());
    }

    /**
     * src/test/static/dirs_fds.c (opendir/readdir, lstat and stat, mkdir, rename, unlink, rmdir,
     * access, chmod, pread/pwrite, dup/dup2, F_SETFL, F_DUPFD, sysinfo) built with glibc and with
     * musl, which reach the kernel differently (newfstatat against stat/lstat, openat against
     * open): natively and as a VM, each in a fresh directory, the same output and tree.
     */
    @ParameterizedTest(name = "{0}/{1}/{2}")
    @MethodSource("everywhereWithLibcs")
    void aStaticCProgramWithDirectoriesAndFdsRunsUnmodified(Platform.Kind platform, String transport, String compiler,
                                                           @TempDir Path root) throws Exception {
        GuestRun.assumePlatform(platform);
        Path exe = staticProgram("dirs_fds", compiler);
        Path nativeDir = Files.createDirectory(root.resolve("native")), vmDir = Files.createDirectory(root.resolve("vm"));
        String expected = nativeOutput(nativeDir, exe.toString());
        assertTrue(expected.contains("t/sub: .(dir,700,-1) ..(dir,755,-1) c(file,640,10)"), expected);
        GuestRun.Outcome o = runExitingZero(platform, transport, vmDir, exe.toString());
        assertEquals(expected, o.stdout());
        assertEquals(Files.readString(nativeDir.resolve("t/sub/c")), Files.readString(vmDir.resolve("t/sub/c")));
    }
}
