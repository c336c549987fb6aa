package io.torovj.syscall;

import static io.torovj.syscall.SyscallLayer.AT_FDCWD;
import static io.torovj.syscall.SyscallLayer.BUF;
import static io.torovj.syscall.SyscallLayer.O_CREAT;
import static io.torovj.syscall.SyscallLayer.O_DIRECTORY;
import static io.torovj.syscall.SyscallLayer.O_RDONLY;
import static io.torovj.syscall.SyscallLayer.O_RDWR;
import static io.torovj.syscall.SyscallLayer.O_WRONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.linux.Errno;
import io.torovj.linux.FileModes;
import io.torovj.linux.SyscallNames;
import io.torovj.policy.SyscallPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directories, stat by path, the calls that change names, modes and times, positioned I/O,
 * duplication and F_SETFL, through the dispatcher as a guest makes them: Linux's answers inside
 * the policy root, and no way out of it (.., absolute and relative symlinks, /proc magic links).
 */
class DirectoryAndPathCallsTest {
    static final long AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;
    static final int STAT_MODE = 24, STAT_SIZE = 48, STAT_MTIME = 88;
    static final long PATH2 = 0x90000;

    @TempDir Path tmp;
    private SyscallLayer vm;
    private Path root, outside;
    private final int[] out = SyscallLayer.pipe();

    @AfterEach
    void tearDown() {
        if (vm != null) vm.close();
        SyscallLayer.closeAll(out[0], out[1]);
    }

    /** root/{f ("hello"), sub/{g}, up -> .., abs -> outside/secret, rel -> ../outside/secret, proc -> /proc/self/root}. */
    private void boot(boolean readOnly) throws IOException {
        root = Files.createDirectory(tmp.resolve("root")).toRealPath();
        outside = Files.createDirectory(tmp.resolve("outside")).toRealPath();
        Files.writeString(outside.resolve("secret"), "secret");
        Files.writeString(root.resolve("f"), "hello");
        Files.createDirectory(root.resolve("sub"));
        Files.writeString(root.resolve("sub/g"), "g");
        Files.createSymbolicLink(root.resolve("up"), Path.of(".."));
        Files.createSymbolicLink(root.resolve("abs"), outside.resolve("secret"));
        Files.createSymbolicLink(root.resolve("rel"), Path.of("../outside/secret"));
        Files.createSymbolicLink(root.resolve("proc"), Path.of("/proc/self/root"));
        SyscallPolicy permissive = SyscallPolicy.permissive(root);
        vm = new SyscallLayer(SyscallPolicy.builder().allow(permissive.allowedNames()).fileRoot(root).readOnly(readOnly).build(),
                -1, out[1], out[1]);
    }

    private long call(String name, long... a) {
        return vm.call(SyscallNames.number(name), a);
    }

    private long path2(String s) { return vm.string(PATH2, s); }

    /** The names in the linux_dirent64 records of {@code bytes} bytes at BUF. */
    private List<String> names(long bytes) {
        List<String> names = new ArrayList<>();
        for (long at = BUF; at < BUF + bytes; ) {
            int reclen = vm.mem.readU16(at + 16) & 0xFFFF;
            byte[] name = new byte[256];
            int n = vm.mem.readCString(at + 19, name, 255);
            names.add(new String(name, 0, n, StandardCharsets.UTF_8));
            assertTrue(reclen >= 24 && reclen % 8 == 0, "record length " + reclen);
            at += reclen;
        }
        return names;
    }

    @Test
    void getdents64ListsTheDirectoryThroughTheGuestBuffer() throws IOException {
        boot(false);
        long dir = call("openat", AT_FDCWD, vm.path("."), O_RDONLY | O_DIRECTORY);
        assertTrue(dir >= 0, "opened: " + dir);
        Set<String> seen = new TreeSet<>();
        for (long n; (n = call("getdents64", dir, BUF, 64)) != 0; ) {
            assertTrue(n > 0, "getdents64: " + n);
            seen.addAll(names(n));
        }
        assertEquals(new TreeSet<>(List.of(".", "..", "f", "sub", "up", "abs", "rel", "proc")), seen);
        assertEquals(0, call("lseek", dir, 0, 0), "a directory rewinds");
        assertEquals(-Errno.EINVAL, call("getdents64", dir, BUF, 8), "too small for any entry");
        assertTrue(call("getdents64", dir, BUF, 4096) > 0);
        assertEquals(-Errno.EFAULT, call("getdents64", dir, SyscallLayer.RAM - 16, 4096), "a buffer beyond RAM");
        long file = call("openat", AT_FDCWD, vm.path("f"), O_RDONLY);
        assertEquals(-Errno.ENOTDIR, call("getdents64", file, BUF, 4096));
        assertEquals(-Errno.EBADF, call("getdents64", 12, BUF, 4096));
    }

    @Test
    void statByPathFollowsOrNotAndNeverLeavesTheRoot() throws IOException {
        boot(false);
        assertEquals(0, call("newfstatat", AT_FDCWD, vm.path("f"), BUF, 0));
        assertEquals(5, vm.mem.readU64(BUF + STAT_SIZE));
        assertEquals(FileModes.S_IFREG, vm.mem.readU32(BUF + STAT_MODE) & FileModes.S_IFMT);
        assertEquals(0, call("stat", vm.path(root + "/sub/g"), BUF), "absolute, beneath the root");
        assertEquals(1, vm.mem.readU64(BUF + STAT_SIZE));
        assertEquals(0, call("lstat", vm.path("abs"), BUF), "a symlink itself may be seen");
        assertEquals(FileModes.S_IFLNK, vm.mem.readU32(BUF + STAT_MODE) & FileModes.S_IFMT);
        long sub = call("openat", AT_FDCWD, vm.path("sub"), O_RDONLY | O_DIRECTORY);
        assertEquals(0, call("newfstatat", sub, vm.path("g"), BUF, AT_SYMLINK_NOFOLLOW), "relative to a directory fd");
        assertEquals(0, call("newfstatat", sub, vm.path(""), BUF, AT_EMPTY_PATH));
        assertEquals(FileModes.S_IFDIR, vm.mem.readU32(BUF + STAT_MODE) & FileModes.S_IFMT);
        assertEquals(-Errno.ENOENT, call("newfstatat", sub, vm.path(""), BUF, 0));
        assertEquals(-Errno.ENOENT, call("stat", vm.path("nope"), BUF));
        assertEquals(-Errno.ENOTDIR, call("stat", vm.path("f/"), BUF));
        assertEquals(-Errno.EINVAL, call("newfstatat", AT_FDCWD, vm.path("f"), BUF, 0x4));
        assertEquals(-Errno.EFAULT, call("stat", vm.path("f"), SyscallLayer.RAM - 8));
        for (String escape : List.of("..", "../outside/secret", "up/outside/secret", "abs", "rel", "proc/etc/passwd",
                "proc", outside + "/secret", "/etc/passwd", "sub/../../outside")) {
            assertEquals(-Errno.EPERM, call("stat", vm.path(escape), BUF), escape);
            assertEquals(-Errno.EPERM, call("access", vm.path(escape), 0), escape);
        }
        assertEquals(0, call("access", vm.path("f"), 4 | 2));
        assertEquals(-Errno.ENOENT, call("access", vm.path("nope"), 0));
        assertEquals(-Errno.EINVAL, call("access", vm.path("f"), 8));
    }

    @Test
    void namesModesAndTimesChangeBeneathTheRootOnly() throws IOException {
        boot(false);
        assertEquals(0, call("mkdir", vm.path("m"), 07777));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("m"))),
                "permission bits only, less the umask");
        assertEquals(-Errno.EEXIST, call("mkdir", vm.path("m"), 0755));
        assertEquals(022, call("umask", 077));
        assertEquals(0, call("mkdirat", AT_FDCWD, vm.path("m/n/"), 0777));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("m/n"))));
        assertEquals(0, call("rmdir", vm.path("m/n")));
        assertEquals(0, call("rename", vm.path("f"), path2("m/f2")));
        assertEquals("hello", Files.readString(root.resolve("m/f2")));
        assertEquals(-Errno.ENOENT, call("rename", vm.path("f"), path2("f3")));
        assertEquals(-Errno.EEXIST, call("renameat2", AT_FDCWD, vm.path("m/f2"), AT_FDCWD, path2("sub/g"), 1), "RENAME_NOREPLACE");
        assertEquals(0, call("chmod", vm.path("m/f2"), 04755));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("m/f2"))),
                "never set-user-ID");
        vm.mem.writeU64(BUF, 1_000_000_000L);
        vm.mem.writeU64(BUF + 8, 0);
        vm.mem.writeU64(BUF + 16, 1_000_000_000L);
        vm.mem.writeU64(BUF + 24, 0);
        assertEquals(0, call("utimensat", AT_FDCWD, vm.path("m/f2"), BUF, 0));
        assertEquals(FileTime.fromMillis(1_000_000_000_000L), Files.getLastModifiedTime(root.resolve("m/f2")));

        for (String escape : List.of("../outside/secret", "up/outside/secret", outside + "/secret")) {
            assertEquals(-Errno.EPERM, call("rename", vm.path("sub/g"), path2(escape)), "rename to " + escape);
        }
        for (String escape : List.of("../outside/secret", "abs", "rel", "up/outside/secret", outside + "/secret", "proc")) {
            assertEquals(-Errno.EPERM, call("chmod", vm.path(escape), 0777), "chmod " + escape);
            assertEquals(-Errno.EPERM, call("utimensat", AT_FDCWD, vm.path(escape), 0, 0), "utimensat " + escape);
        }
        assertEquals(-Errno.EPERM, call("rename", vm.path("../outside/secret"), path2("stolen")));
        assertEquals(-Errno.EPERM, call("mkdir", vm.path("../outside/new"), 0777));
        assertEquals(0, call("rename", vm.path("abs"), path2("abs2")), "a symlink is renamed, not followed");
        assertTrue(Files.isSymbolicLink(root.resolve("abs2")));
        assertEquals("secret", Files.readString(outside.resolve("secret")));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(outside.resolve("secret"))));
        assertFalse(Files.exists(outside.resolve("new")));
        assertEquals(-Errno.EPERM, call("fchmod", 1, 0777), "lent stdio is the shell's");
    }

    @Test
    void aReadOnlyRootRefusesEveryChange() throws IOException {
        boot(true);
        assertEquals(-Errno.EPERM, call("mkdir", vm.path("m"), 0777));
        assertEquals(-Errno.EPERM, call("rmdir", vm.path("sub")));
        assertEquals(-Errno.EPERM, call("rename", vm.path("f"), path2("g")));
        assertEquals(-Errno.EPERM, call("chmod", vm.path("f"), 0777));
        assertEquals(-Errno.EPERM, call("utimensat", AT_FDCWD, vm.path("f"), 0, 0));
        assertEquals(-Errno.EPERM, call("access", vm.path("f"), 2), "W_OK");
        assertEquals(0, call("access", vm.path("f"), 4));
        assertEquals(0, call("stat", vm.path("f"), BUF));
        assertEquals(Set.of("f", "sub", "up", "abs", "rel", "proc"), listing(root));
    }

    private static Set<String> listing(Path dir) throws IOException {
        Set<String> names = new TreeSet<>();
        try (var s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    @Test
    void positionedIoLeavesTheOffsetAndRefusesPipes() throws IOException {
        boot(false);
        long fd = call("openat", AT_FDCWD, vm.path("f"), O_RDWR);
        assertEquals(3, call("pread64", fd, BUF, 3, 2));
        byte[] b = new byte[3];
        vm.mem.read(BUF, b, 0, 3);
        assertEquals("llo", new String(b, StandardCharsets.US_ASCII));
        assertEquals(0, call("lseek", fd, 0, 1), "the offset did not move");
        vm.string(BUF, "J");
        assertEquals(1, call("pwrite64", fd, BUF, 1, 0));
        assertEquals("Jello", Files.readString(root.resolve("f")));
        assertEquals(-Errno.EINVAL, call("pread64", fd, BUF, 1, -1));
        assertEquals(-Errno.EINVAL, call("pwrite64", fd, BUF, -1, 0));
        assertEquals(-Errno.ESPIPE, call("pread64", 1, BUF, 1, 0), "stdout is a pipe");
        assertEquals(-Errno.ESPIPE, call("pwrite64", 1, BUF, 1, 0));
        assertEquals(-Errno.EBADF, call("pread64", 9, BUF, 1, 0));
        long copy = call("openat", AT_FDCWD, vm.path("copy"), O_WRONLY | O_CREAT, 0644);
        assertEquals(5, call("sendfile", copy, fd, 0, 100));
        assertEquals("Jello", Files.readString(root.resolve("copy")));
        vm.mem.writeU64(BUF, 1);
        assertEquals(2, call("sendfile", copy, fd, BUF, 2), "from *offset");
        assertEquals(3, vm.mem.readU64(BUF));
        assertEquals("Jelloel", Files.readString(root.resolve("copy")));
        assertEquals(-Errno.EINVAL, call("sendfile", 1, fd, 0, 5), "a pipe: programs fall back to read and write");
    }

    @Test
    void duplicatesShareTheOffsetAndRespectTheTable() throws IOException {
        boot(false);
        long fd = call("openat", AT_FDCWD, vm.path("f"), O_RDONLY);
        long dup = call("dup", fd);
        assertTrue(dup >= 0 && dup != fd, "dup: " + dup);
        assertEquals(2, call("read", fd, BUF, 2));
        assertEquals(2, call("lseek", dup, 0, 1), "one open file description");
        assertEquals(10, call("fcntl", fd, 0, 10), "F_DUPFD: lowest free at or above 10");
        assertEquals(-Errno.EINVAL, call("fcntl", fd, 0, 16), "beyond the table");
        assertEquals(-Errno.EINVAL, call("fcntl", fd, 0, -1));
        assertEquals(7, call("dup2", fd, 7));
        assertEquals(7, call("dup2", 7, 7));
        assertEquals(-Errno.EINVAL, call("dup3", 7, 7, 0));
        assertEquals(-Errno.EINVAL, call("dup3", fd, 8, 1));
        assertEquals(dup, call("dup3", fd, dup, 0x80000), "over an open fd, closing it");
        assertEquals(-Errno.EBADF, call("dup2", fd, 16));
        assertEquals(-Errno.EBADF, call("dup", 13));
        assertEquals(0, call("close", fd));
        assertEquals(3, call("read", 7, BUF, 10), "the duplicate outlives the original");
        long lent = call("dup", 1);
        assertEquals(vm.fds.host(1), vm.fds.host(lent), "lent stdio is shared, not duplicated on the host");
        assertEquals(0, call("close", lent));
        assertEquals(1, call("write", 1, BUF, 1), "closing its duplicate left the lent fd open");
        for (long i = 0; i < 16; i++) call("dup", 1);
        assertEquals(-Errno.EMFILE, call("dup", 1));
    }

    @Test
    void setflChangesAppendAndNonblockAsLinuxAllows() throws IOException {
        boot(false);
        long fd = call("openat", AT_FDCWD, vm.path("f"), O_WRONLY);
        assertEquals(0, call("fcntl", fd, 4, 0x400 | 0x40000 | O_RDWR), "O_APPEND; O_DIRECT and the access mode ignored");
        assertEquals(0x400 | O_WRONLY, call("fcntl", fd, 3, 0) & (0x400 | 3 | 0x40000));
        vm.string(BUF, "!");
        assertEquals(1, call("write", fd, BUF, 1));
        assertEquals("hello!", Files.readString(root.resolve("f")), "appended");
        int[] pipe = SyscallLayer.pipe();
        try {
            long r = vm.fds.install(pipe[0], false);
            assertEquals(0, call("fcntl", r, 3, 0) & 0x800, "the guest did not ask for O_NONBLOCK");
            assertEquals(0, call("fcntl", r, 4, 0x800));
            assertEquals(0x800, call("fcntl", r, 3, 0) & 0x800);
            assertEquals(-Errno.EAGAIN, call("read", r, BUF, 1), "non-blocking now: an empty pipe answers at once");
        } finally {
            SyscallLayer.closeAll(pipe[1]);
        }
        assertEquals(-Errno.EPERM, call("fcntl", 1, 4, 0x800), "the lent stdio's flags are the lender's");
        assertEquals(0, call("fcntl", 1, 4, (int) call("fcntl", 1, 3, 0)), "setting what it has is a no-op");
        assertTrue(Files.isDirectory(root.resolve("sub"), LinkOption.NOFOLLOW_LINKS));
    }

    /** The same tree as {@link #boot}'s beneath {@code dir}, symlinks that lead out excepted. */
    private static void twinTree(Path dir) throws IOException {
        Files.writeString(dir.resolve("f"), "hello");
        Files.createDirectory(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/g"), "g");
    }

    /**
     * mkdir, rename and rmdir on names with trailing slashes, dots and missing parents answer as
     * Linux's own calls do in a twin tree (the last component goes to the kernel as it is), and
     * leave the same tree.
     */
    @Test
    void mkdirRenameAndRmdirAnswerAsLinuxOnAwkwardNames() throws IOException {
        boot(false);
        Files.delete(root.resolve("up"));
        Files.delete(root.resolve("abs"));
        Files.delete(root.resolve("rel"));
        Files.delete(root.resolve("proc"));
        Path twin = Files.createDirectory(tmp.resolve("twin")).toRealPath();
        twinTree(twin);
        int twinFd = io.torovj.sys.HostFiles.open(twin.toString(), 0x200000 | 0x10000 | 0x80000, 0);
        io.torovj.sys.HostPath a = new io.torovj.sys.HostPath(256), b = new io.torovj.sys.HostPath(256);
        List<String> mismatches = new ArrayList<>();
        try {
            String[][] calls = {
                    {"mkdir", "x/"}, {"mkdir", "x//"}, {"mkdir", "y//"}, {"mkdir", "f/"}, {"mkdir", "sub"}, {"mkdir", "."},
                    {"mkdir", ".."}, {"mkdir", "nx/z"}, {"mkdir", "f/z"}, {"mkdir", "sub/./w/"},
                    {"rename", "f", "sub/"}, {"rename", "f/", "f2"}, {"rename", "sub/", "sub2/"}, {"rename", "x", "sub2/x"},
                    {"rename", "sub2", "sub2/in"}, {"rename", ".", "dot"}, {"rename", "nx", "ny"}, {"rename", "f", "."},
                    {"rename", "sub2/g", "sub2/g/"}, {"rename", "y/", "f"}, {"rename", "f", "y"},
                    {"rmdir", "sub2/x/"}, {"rmdir", "sub2"}, {"rmdir", "f"}, {"rmdir", "."}, {"rmdir", "y/."}, {"rmdir", "y//"}};
            for (String[] c : calls) {
                a.set(c[1].getBytes(StandardCharsets.UTF_8));
                long linux = switch (c[0]) {
                    case "mkdir" -> io.torovj.sys.HostFiles.mkdirat(twinFd, a, 0755);
                    case "rename" -> {
                        b.set(c[2].getBytes(StandardCharsets.UTF_8));
                        yield io.torovj.sys.HostFiles.renameat2(twinFd, a, twinFd, b, 0);
                    }
                    default -> io.torovj.sys.HostFiles.unlinkat(twinFd, a, 0x200);
                };
                long ours = switch (c[0]) {
                    case "mkdir" -> call("mkdir", vm.path(c[1]), 0755);
                    case "rename" -> call("rename", vm.path(c[1]), path2(c[2]));
                    default -> call("rmdir", vm.path(c[1]));
                };
                if (linux != ours) mismatches.add(String.join(" ", c) + ": Linux " + linux + ", monitor " + ours);
            }
        } finally {
            io.torovj.sys.HostFiles.close(twinFd);
        }
        assertEquals(List.of(), mismatches);
        assertEquals(tree(twin), tree(root));
    }

    private static Set<String> tree(Path dir) throws IOException {
        Set<String> names = new TreeSet<>();
        try (var walk = Files.walk(dir)) {
            walk.forEach(p -> names.add(dir.relativize(p) + (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "/" : "")));
        }
        return names;
    }
}
