package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.lifecycle.Ending;
import io.torovj.policy.SyscallPolicy;
import io.torovj.vmm.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Debian's static busybox, a binary no one here wrote, runs unmodified as a VM (static glibc:
 * TLS through arch_prctl, the syscall instruction, the Linux auxv): each applet below gives the
 * output and exit status it gives natively, on files the test makes in a temporary policy root,
 * under every transport and platform. `.ci/run` installs busybox-static.
 */
class BusyboxTest {
    static final Path BUSYBOX = Path.of("/bin/busybox");
    /** Static busybox and its 6 MiB image want more than the default 8 MiB. */
    static final long RAM = 16L << 20;

    static final List<List<String>> APPLETS = List.of(
            List.of("echo", "hello", "busybox"), List.of("cat", "in.txt"), List.of("wc", "-l", "in.txt"),
            List.of("head", "-n", "2", "in.txt"), List.of("tail", "-n", "1", "in.txt"), List.of("sort", "in.txt"),
            List.of("uniq", "in.txt"), List.of("grep", "t", "in.txt"), List.of("sed", "s/o/0/", "in.txt"),
            List.of("cut", "-c1-2", "in.txt"), List.of("sha256sum", "in.txt"), List.of("md5sum", "in.txt"),
            List.of("base64", "in.txt"), List.of("seq", "3"), List.of("expr", "2", "+", "3"),
            List.of("basename", "/a/b/c.txt"), List.of("true"), List.of("false"), List.of("grep", "nothing", "in.txt"),
            List.of("printf", "%s-%d\\n", "a", "5"));

    record Run(int status, String stdout) {}

    static Run natively(Path root, List<String> applet) throws Exception {
        return natively(root, applet, null);
    }

    /**
     * {@code applet} run natively in {@code root}, reading {@code stdin} (null: nothing), with an
     * environment of TZ=UTC0 alone: the guest gets no environment and cannot read the host's
     * /etc/localtime, so its times are UTC too.
     */
    static Run natively(Path root, List<String> applet, Path stdin) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(BUSYBOX.toString()));
        cmd.addAll(applet);
        Path out = Files.createTempFile("busybox", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
                            : ProcessBuilder.Redirect.from(stdin.toFile()));
            pb.environment().clear();
            pb.environment().put("TZ", "UTC0");
            Process p = pb.start();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            return new Run(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** {@code applet} as a VM over {@code transport} with {@code root} as its policy root, reading {@code stdin} (or nothing). */
    static Run inVm(Platform.Kind platform, String transport, Path root, List<String> applet, Path stdin) throws Exception {
        return inVm(platform, transport, SyscallPolicy.permissive(root), applet, stdin);
    }

    static Run inVm(Platform.Kind platform, String transport, SyscallPolicy policy, List<String> applet, Path stdin)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("busybox"));
        args.addAll(applet);
        GuestRun.Outcome o = GuestRun.run(platform, GuestRun.config(platform, BUSYBOX).argv(args).transport(transport)
                .policy(policy).memorySize(RAM), stdin == null ? Path.of("/dev/null") : stdin);
        String what = String.join(" ", applet) + " on " + platform + "/" + transport;
        assertEquals(Ending.EXITED, o.vm().ending(), what + ": " + o.vm().report() + "\n" + o.log());
        return new Run(o.vm().status(), o.stdout());
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void appletsGiveTheirNativeOutputAndStatus(Platform.Kind platform, String transport, @TempDir Path root) throws Exception {
        GuestRun.assumePlatform(platform);
        assertTrue(Files.isExecutable(BUSYBOX), BUSYBOX + " is missing: install Debian's busybox-static (as .ci/run does)");
        Files.writeString(root.resolve("in.txt"), "one\ntwo\ntwo\nthree\n");
        SyscallPolicy policy = SyscallPolicy.permissive(root);
        for (List<String> applet : APPLETS) {
            Run expected = natively(root, applet);
            List<String> args = new ArrayList<>(List.of("busybox"));
            args.addAll(applet);
            GuestRun.Outcome o = GuestRun.run(platform, GuestRun.config(platform, BUSYBOX).argv(args).transport(transport)
                    .policy(policy).memorySize(RAM));
            String what = String.join(" ", applet) + " on " + platform + "/" + transport;
            assertEquals(Ending.EXITED, o.vm().ending(), what + ": " + o.vm().report() + "\n" + o.log());
            assertEquals(expected.status(), o.vm().status(), what + "\n" + o.stderr() + o.log());
            assertEquals(expected.stdout(), o.stdout(), what);
        }
    }

    /** A fixed time for the files the tests make, so that listings with times are the same on every run. */
    static final java.nio.file.attribute.FileTime FIXED = java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L);

    /** in.txt and a small tree, d/{a.txt, sub/b, empty/}, every file and directory with the {@link #FIXED} mtime. */
    static void makeTree(Path root) throws Exception {
        Files.writeString(root.resolve("in.txt"), "one\ntwo\ntwo\nthree\n");
        Path d = Files.createDirectories(root.resolve("d"));
        Files.createDirectories(d.resolve("sub"));
        Files.createDirectories(d.resolve("empty"));
        Files.writeString(d.resolve("a.txt"), "alpha\n");
        Files.writeString(d.resolve("sub").resolve("b"), "beta beta\n");
        try (java.util.stream.Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.setLastModifiedTime(p, FIXED);
        }
    }

    /**
     * Applets that read the tree: directories listed (with owners by name and number, and times
     * in UTC), walked, measured. The policy lends /etc/passwd and /etc/group read-only, so that
     * ls -l names the owners as natively.
     */
    static final List<List<String>> TREE_READERS = List.of(
            List.of("ls", "d"), List.of("ls", "-a", "d"), List.of("ls", "-l", "d"), List.of("ls", "-ln", "d"),
            List.of("ls", "-ln", "--full-time", "d"), List.of("ls", "-lR", "d"), List.of("ls", "-l", "d/a.txt"),
            List.of("ls", "-i", "d"), List.of("ls", "nope"), List.of("find", "d"),
            List.of("find", "d", "-name", "*.txt"), List.of("find", "d", "-type", "d"),
            List.of("stat", "-c", "%n %s %a %F %h %Y", "d/a.txt", "d/sub"), List.of("du", "d"), List.of("du", "-s", "d"),
            List.of("sort", "in.txt"), List.of("cat", "d/sub/b"));

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void directoryAppletsGiveTheirNativeOutput(Platform.Kind platform, String transport, @TempDir Path root) throws Exception {
        GuestRun.assumePlatform(platform);
        makeTree(root);
        SyscallPolicy withAccounts = SyscallPolicy.builder().allow(SyscallPolicy.permissive(root).allowedNames()).fileRoot(root)
                .allowPath(Path.of("/etc/passwd"), true).allowPath(Path.of("/etc/group"), true).build();
        for (List<String> applet : TREE_READERS) {
            Run expected = natively(root, applet);
            assertTrue(!expected.stdout().isEmpty() || expected.status() != 0, "the native run printed something: " + applet);
            Run got = inVm(platform, transport, withAccounts, applet, null);
            assertEquals(expected, got, String.join(" ", applet) + " on " + platform + "/" + transport);
        }
    }

    /** Applets that read their stdin, lent a file (the test JVM's own stdin is surefire's channel). */
    static final List<List<String>> STDIN_READERS = List.of(
            List.of("tr", "a-z", "A-Z"), List.of("tr", "-d", "o"), List.of("sort"), List.of("wc", "-l"), List.of("cat"));

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void appletsReadTheirStdin(Platform.Kind platform, String transport, @TempDir Path root) throws Exception {
        GuestRun.assumePlatform(platform);
        makeTree(root);
        Path in = root.resolve("in.txt");
        for (List<String> applet : STDIN_READERS) {
            Run expected = natively(root, applet, in);
            assertTrue(!expected.stdout().isEmpty(), "the native run read its stdin: " + applet);
            Run got = inVm(platform, transport, root, applet, in);
            assertEquals(expected, got, String.join(" ", applet) + " < in.txt on " + platform + "/" + transport);
        }
    }

    /** Applets that change the tree: each runs natively and as a VM on two fresh copies, which must end the same. */
    static final List<List<String>> TREE_WRITERS = List.of(
            List.of("mkdir", "m"), List.of("mkdir", "-p", "x/y/z"), List.of("mkdir", "d"), List.of("rmdir", "d/empty"),
            List.of("rmdir", "d"), List.of("rm", "in.txt"), List.of("rm", "-r", "d"), List.of("rm", "nope"),
            List.of("rm", "-f", "nope"), List.of("mv", "in.txt", "moved.txt"), List.of("mv", "d/a.txt", "d/sub"),
            List.of("mv", "d", "e"), List.of("cp", "in.txt", "copy.txt"), List.of("cp", "-r", "d", "e"),
            List.of("cp", "-p", "d/a.txt", "a2.txt"), List.of("touch", "new.txt"),
            List.of("touch", "-d", "2020-01-01 00:00:00", "in.txt"), List.of("touch", "-c", "nope"));

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void appletsChangeTheTreeAsNatively(Platform.Kind platform, String transport, @TempDir Path dir) throws Exception {
        GuestRun.assumePlatform(platform);
        int n = 0;
        for (List<String> applet : TREE_WRITERS) {
            Path nativeRoot = Files.createDirectory(dir.resolve("native" + n)), vmRoot = Files.createDirectory(dir.resolve("vm" + n));
            n++;
            makeTree(nativeRoot);
            makeTree(vmRoot);
            Run expected = natively(nativeRoot, applet);
            Run got = inVm(platform, transport, vmRoot, applet, null);
            String what = String.join(" ", applet) + " on " + platform + "/" + transport;
            assertEquals(expected, got, what);
            assertEquals(snapshot(nativeRoot), snapshot(vmRoot), what + ": the tree it left");
        }
    }

    /**
     * What a tree holds, one line per entry: path, type, permission bits, size and content of
     * files, and the mtime if it was set on purpose (before 2023: the fixed time or a touch -d),
     * else "new" (natively and in the VM, "now" differs by the time between the runs).
     */
    static List<String> snapshot(Path root) throws Exception {
        List<String> lines = new ArrayList<>();
        try (java.util.stream.Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted().toList()) {
                java.nio.file.attribute.PosixFileAttributes a = Files.readAttributes(p,
                        java.nio.file.attribute.PosixFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                long mtime = a.lastModifiedTime().toMillis() / 1000;
                String content = a.isRegularFile() ? Files.readString(p) : "";
                lines.add(root.relativize(p) + " " + (a.isDirectory() ? "dir" : a.isRegularFile() ? "file" : "other") + " "
                        + java.nio.file.attribute.PosixFilePermissions.toString(a.permissions()) + " "
                        + (a.isRegularFile() ? a.size() + " " + content : "") + " " + (mtime < 1_672_531_200L ? mtime : "new"));
            }
        }
        return lines;
    }
}
