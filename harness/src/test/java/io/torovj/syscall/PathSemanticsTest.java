package io.torovj.syscall;

import static io.torovj.syscall.SyscallLayer.AT_FDCWD;
import static io.torovj.syscall.SyscallLayer.AT_REMOVEDIR;
import static io.torovj.syscall.SyscallLayer.BUF;
import static io.torovj.syscall.SyscallLayer.CLOSE;
import static io.torovj.syscall.SyscallLayer.FSTAT;
import static io.torovj.syscall.SyscallLayer.OPEN;
import static io.torovj.syscall.SyscallLayer.OPENAT;
import static io.torovj.syscall.SyscallLayer.O_CLOEXEC;
import static io.torovj.syscall.SyscallLayer.O_CREAT;
import static io.torovj.syscall.SyscallLayer.O_DIRECTORY;
import static io.torovj.syscall.SyscallLayer.O_PATH;
import static io.torovj.syscall.SyscallLayer.O_RDONLY;
import static io.torovj.syscall.SyscallLayer.O_RDWR;
import static io.torovj.syscall.SyscallLayer.O_TMPFILE;
import static io.torovj.syscall.SyscallLayer.O_WRONLY;
import static io.torovj.syscall.SyscallLayer.UNLINK;
import static io.torovj.syscall.SyscallLayer.UNLINKAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.linux.Errno;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.FileCalls;
import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Path calls answer as Linux does: every call of a sequence is made through the monitor, beneath
 * its policy root, and natively (this JVM's own libc calls) in a twin directory tree, and the two
 * answers must be equal, as must the trees afterwards. And the guest's files never get
 * set-user-ID, set-group-ID or sticky bits.
 */
class PathSemanticsTest {
    @TempDir Path tmp;
    private SyscallLayer vm;
    private int twinFd = -1;
    private final int[] out = SyscallLayer.pipe();

    @AfterEach
    void tearDown() {
        if (vm != null) vm.close();
        SyscallLayer.closeAll(twinFd, out[0], out[1]);
    }

    private Path boot(SyscallPolicy.Builder extra) throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root")).toRealPath();
        SyscallPolicy permissive = SyscallPolicy.permissive(root);
        SyscallPolicy.Builder b = extra.allow(permissive.allowedNames()).fileRoot(root);
        vm = new SyscallLayer(b.build(), -1, out[1], out[1]);
        return root;
    }

    /** d/f (file), d/sub/ (empty dir), d/full/x (non-empty dir), d/lf -> f, d/ls -> sub, e/ (empty dir). */
    private static void tree(Path dir) throws IOException {
        Path d = Files.createDirectories(dir.resolve("d"));
        Files.writeString(d.resolve("f"), "f");
        Files.createDirectory(d.resolve("sub"));
        Files.createDirectories(d.resolve("full"));
        Files.writeString(d.resolve("full/x"), "x");
        Files.createSymbolicLink(d.resolve("lf"), Path.of("f"));
        Files.createSymbolicLink(d.resolve("ls"), Path.of("sub"));
        Files.createDirectory(dir.resolve("e"));
    }

    private record Call(String what, int nr, String path, int flags, int mode) {
        static Call open(String path, int flags) { return new Call("open", OPENAT, path, flags, 0644); }
        static Call unlink(String path) { return new Call("unlink", UNLINK, path, 0, 0); }
        static Call rmdir(String path) { return new Call("unlinkat(AT_REMOVEDIR)", UNLINKAT, path, AT_REMOVEDIR, 0); }
        @Override public String toString() { return what + "(\"" + path + "\", 0x" + Integer.toHexString(flags) + ")"; }
    }

    /** Through the monitor, relative to the root (or absolute beneath it): 0 for a new fd (closed again), or -errno. */
    private long monitor(Call c, String prefix) {
        long p = vm.path(prefix + c.path());
        long r = switch (c.nr()) {
            case OPENAT -> vm.call(OPENAT, AT_FDCWD, p, c.flags(), c.mode());
            case UNLINK -> vm.call(UNLINK, p);
            default -> vm.call(UNLINKAT, AT_FDCWD, p, c.flags());
        };
        if (c.nr() == OPENAT && r >= 0) {
            assertEquals(0, vm.call(CLOSE, r));
            return 0;
        }
        return r;
    }

    /** Natively, relative to the twin directory: 0 for a new fd (closed again), or -errno. */
    private long natively(Call c) {
        byte[] bytes = c.path().getBytes(StandardCharsets.UTF_8);
        NativeBuffer p = new NativeBuffer(bytes.length + 1);
        p.putCString(0, bytes);
        long r = switch (c.nr()) {
            case OPENAT -> FileCalls.INSTANCE.openat(twinFd, p.address(), c.flags() | O_CLOEXEC, c.mode());
            case UNLINK -> FileCalls.INSTANCE.unlinkat(twinFd, p.address(), 0);
            default -> FileCalls.INSTANCE.unlinkat(twinFd, p.address(), c.flags());
        };
        if (r < 0) return -LibC.errno();
        if (c.nr() == OPENAT) LibC.INSTANCE.close((int) r);
        return 0;
    }

    private static TreeSet<String> names(Path dir) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.forEach(p -> names.add(dir.relativize(p) + (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "/" : "")));
        }
        return names;
    }

    private void compare(List<Call> calls, Path root, Path twin, String prefix) throws IOException {
        List<String> mismatches = new ArrayList<>();
        for (Call c : calls) {
            long linux = natively(c), ours = monitor(c, prefix);
            if (linux != ours) mismatches.add(c + ": Linux " + errno(linux) + ", monitor " + errno(ours));
        }
        assertEquals(List.of(), mismatches, "calls answered differently from Linux");
        assertEquals(names(twin), names(root), "the trees after the calls");
    }

    private static String errno(long r) {
        return r >= 0 ? Long.toString(r) : "-" + switch ((int) -r) {
            case Errno.ENOENT -> "ENOENT";
            case Errno.ENOTDIR -> "ENOTDIR";
            case Errno.EISDIR -> "EISDIR";
            case Errno.EINVAL -> "EINVAL";
            case 39 -> "ENOTEMPTY";
            default -> "errno " + -r;
        };
    }

    private static List<Call> trailingSlashCalls() {
        return List.of(
                Call.open("d/f/", O_RDONLY), Call.open("d/f/", O_WRONLY), Call.open("d/f/", O_CREAT | O_WRONLY),
                Call.open("d/new/", O_CREAT | O_WRONLY), Call.open("d/new/", O_RDONLY), Call.open("d/sub/", O_RDONLY),
                Call.open("d/sub/", O_CREAT | O_RDONLY), Call.open("d/sub/", O_WRONLY), Call.open("d/lf/", O_RDONLY),
                Call.open("d/ls/", O_RDONLY), Call.open("d/f", O_RDONLY), Call.open("d//f", O_RDONLY),
                Call.unlink("d/f/"), Call.unlink("d/f//"), Call.unlink("d/sub/"), Call.unlink("d/nx/"),
                Call.unlink("d/lf/"), Call.unlink("d/ls/"), Call.unlink("d/sub"), Call.unlink("."), Call.unlink(".."),
                Call.unlink("d/."), Call.unlink("d/.."), Call.unlink("d/./"),
                Call.rmdir("d/f/"), Call.rmdir("d/f"), Call.rmdir("d/ls/"), Call.rmdir("d/ls"), Call.rmdir("d/nx/"),
                Call.rmdir("d/."), Call.rmdir("d/.."), Call.rmdir("."), Call.rmdir("d/full/"),
                Call.rmdir("d/sub//"), Call.rmdir("e/"), Call.rmdir("e/"),
                Call.unlink("d/f"), Call.unlink("d/lf"), Call.unlink("d/ls"), Call.unlink("d/f"),
                Call.unlink("d/full/x"), Call.rmdir("d//full"));
    }

    @Test
    void trailingSlashesAndDotsAnswerAsLinuxForRelativePaths() throws IOException {
        Path root = boot(SyscallPolicy.builder());
        Path twin = Files.createDirectory(tmp.resolve("twin"));
        tree(root);
        tree(twin);
        twinFd = LibC.INSTANCE.open(twin.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        compare(trailingSlashCalls(), root, twin, "");
    }

    @Test
    void trailingSlashesAnswerAsLinuxForAbsolutePathsBeneathTheRoot() throws IOException {
        Path root = boot(SyscallPolicy.builder());
        Path twin = Files.createDirectory(tmp.resolve("twin"));
        tree(root);
        tree(twin);
        twinFd = LibC.INSTANCE.open(twin.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        // "root/." and "root/.." as the last component would name the root and its parent: left out
        List<Call> calls = trailingSlashCalls().stream().filter(c -> !c.path().startsWith(".")).toList();
        long fd = vm.call(OPEN, vm.path(root + "//d//sub"), O_RDONLY);
        assertTrue(fd >= 0, "repeated slashes after the root are one slash, as on Linux: " + fd);
        assertEquals(0, vm.call(CLOSE, fd));
        compare(calls, root, twin, root + "/");
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void createdFilesNeverGetSetuidSetgidOrStickyBits(@TempDir Path elsewhere) throws IOException {
        Path exact = elsewhere.toRealPath().resolve("exact");
        Path root = boot(SyscallPolicy.builder().allowPath(exact, false));
        for (int bits : new int[] {06777, 04755, 02755, 01777, 07777}) {
            String name = "f" + Integer.toOctalString(bits);
            long fd = vm.call(OPENAT, AT_FDCWD, vm.path(name), O_CREAT | O_WRONLY, bits);
            assertTrue(fd >= 0, name + ": " + fd);
            assertEquals(0, vm.call(CLOSE, fd));
            int mode = mode(root.resolve(name));
            assertEquals(0, mode & 07000, name + " has mode " + Integer.toOctalString(mode));
            assertEquals(0700, mode & 0700, "the owner's permission bits are kept: " + Integer.toOctalString(mode));
        }
        // an exact allowed path outside the root
        long fd = vm.call(OPENAT, AT_FDCWD, vm.path(exact.toString()), O_CREAT | O_RDWR, 06777);
        assertTrue(fd >= 0, "exact path: " + fd);
        assertEquals(0, vm.call(CLOSE, fd));
        assertEquals(0, mode(exact) & 07000, "exact path has mode " + Integer.toOctalString(mode(exact)));
        // O_TMPFILE: an unnamed file, created with the mode too
        long tmpfile = vm.call(OPENAT, AT_FDCWD, vm.path("."), O_TMPFILE | O_RDWR, 06777);
        assertTrue(tmpfile >= 0, "O_TMPFILE: " + tmpfile);
        assertEquals(0, vm.call(FSTAT, tmpfile, BUF));
        int stMode = vm.mem.readU32(BUF + 24);
        assertEquals(0, stMode & 07000, "O_TMPFILE file has mode " + Integer.toOctalString(stMode));
    }

    @Test
    void blockingOpensLeaveTheFileDescriptionBlocking() throws IOException {
        Path root = boot(SyscallPolicy.builder());
        Files.writeString(root.resolve("r"), "r");
        long fd = vm.call(OPENAT, AT_FDCWD, vm.path("r"), O_RDONLY);
        assertTrue(fd >= 0);
        assertEquals(0, LibC.INSTANCE.fcntl(vm.fds.host(fd), SyscallLayer.F_GETFL, 0) & SyscallLayer.O_NONBLOCK,
                "the monitor opens without blocking, but a regular file is left as the guest asked");
        long nb = vm.call(OPENAT, AT_FDCWD, vm.path("r"), O_RDONLY | SyscallLayer.O_NONBLOCK);
        assertTrue(nb >= 0);
        assertEquals(SyscallLayer.O_NONBLOCK, LibC.INSTANCE.fcntl(vm.fds.host(nb), SyscallLayer.F_GETFL, 0) & SyscallLayer.O_NONBLOCK);
    }
}
