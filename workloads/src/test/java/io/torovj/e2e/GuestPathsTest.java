package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.policy.SyscallPolicy;
import io.torovj.vmm.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Path calls of a guest (pathedge.c) answer as the same program natively does, in a twin
 * directory tree: trailing slashes on files and directories, "." and ".." as the last component,
 * unlink and rmdir-like unlinkat. And the files a guest creates never get the set-user-ID,
 * set-group-ID or sticky bit it asks for (the monitor creates them, as its own user).
 */
class GuestPathsTest {
    @TempDir Path tmp;

    /** d/f a file, d/sub/ and e/ empty directories, d/lf -> f, d/ls -> sub. */
    private static Path tree(Path dir) throws IOException {
        Path d = Files.createDirectories(dir.resolve("d"));
        Files.writeString(d.resolve("f"), "f");
        Files.createDirectory(d.resolve("sub"));
        Files.createSymbolicLink(d.resolve("lf"), Path.of("f"));
        Files.createSymbolicLink(d.resolve("ls"), Path.of("sub"));
        Files.createDirectory(dir.resolve("e"));
        return dir.toRealPath();
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void pathCallsAnswerAsLinuxAndCreatedFilesGetNoSpecialBits(Platform.Kind platform, String transport) throws Exception {
        GuestRun.assumePlatform(platform);
        Path root = tree(Files.createDirectory(tmp.resolve("root")));
        Path twin = tree(Files.createDirectory(tmp.resolve("twin")));
        Object[] linux = GuestRun.runNative("pathedge", List.of(), twin.toString());
        assertEquals(0, linux[0], "natively: " + linux[1]);

        GuestRun.Outcome vm = GuestRun.run(platform, transport, SyscallPolicy.permissive(root), "pathedge", root.toString());
        assertEquals(0, vm.vm().status(), vm.vm().report() + vm.stderr());
        assertEquals(linux[1], vm.stdout(), "the guest's path calls answer as Linux's");
        assertTrue(((String) linux[1]).contains("unlinkat(d/f/, 0x0) -> -20"), "unlink(\"file/\") is ENOTDIR: " + linux[1]);

        for (String name : List.of("suid", "sticky")) {
            int m = mode(root.resolve(name));
            assertEquals(0, m & 07000, name + " was created with mode " + Integer.toOctalString(m));
            assertEquals(0700, m & 0700, name + " keeps its owner's bits: " + Integer.toOctalString(m));
        }
    }
}
