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
        List<String> cmd = new ArrayList<>(List.of(BUSYBOX.toString()));
        cmd.addAll(applet);
        Path out = Files.createTempFile("busybox", ".out");
        try {
            Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            return new Run(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
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
}
