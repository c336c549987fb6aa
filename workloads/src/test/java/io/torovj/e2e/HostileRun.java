package io.torovj.e2e;

import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.LibC;
import io.torovj.log.MonitorLog;
import io.torovj.vmm.Platform;
import io.torovj.vmm.Vm;
import io.torovj.vmm.VmConfig;
import io.torovj.vmm.VmResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Helpers for {@link HostileGuestTest}: running a hostile guest (stdin /dev/null, because a
 * fuzzer reads whatever fd 0 is and this JVM's fd 0 is the test runner's channel; stdout and
 * stderr appended, because it seeks), snapshots of the files around a policy root, the JVM's
 * open fds, free loopback ports.
 */
final class HostileRun {
    private HostileRun() {}

    private static final int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0x40, O_TRUNC = 0x200, O_APPEND = 0x400,
            O_CLOEXEC = 0x80000;

    /** Runs {@code program} with {@code memory} bytes of RAM; like {@link GuestRun#run}, but with stdin /dev/null. */
    static GuestRun.Outcome run(Platform.Kind platform, String transport, SyscallPolicy policy, long memory,
                                String program, List<String> args) throws Exception {
        GuestRun.assumePlatform(platform);
        Path dir = Files.createTempDirectory("torovj-hostile-run");
        Path out = dir.resolve("stdout"), err = dir.resolve("stderr");
        int in = LibC.INSTANCE.open("/dev/null", O_RDONLY | O_CLOEXEC, 0);
        int outFd = LibC.INSTANCE.open(out.toString(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
        int errFd = LibC.INSTANCE.open(err.toString(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try {
            if (in < 0 || outFd < 0 || errFd < 0) throw new IllegalStateException("cannot open the guest's stdio");
            List<String> argv = new ArrayList<>();
            argv.add(program);
            argv.addAll(args);
            VmConfig config = GuestRun.config(platform, program).argv(argv).memorySize(memory).transport(transport)
                    .policy(policy).stdio(in, outFd, errFd)
                    .log(new MonitorLog(new PrintStream(log, true, StandardCharsets.UTF_8))).build();
            VmResult result = Vm.run(config);
            return new GuestRun.Outcome(result, read(out), read(err), log.toString(StandardCharsets.UTF_8));
        } finally {
            for (int fd : new int[] {in, outFd, errFd}) if (fd >= 0) LibC.INSTANCE.close(fd);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            Files.deleteIfExists(dir);
        }
    }

    /** A file's text, with bytes that are not UTF-8 replaced (a fuzzer writes junk to stdout). */
    private static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }

    /**
     * The JVM's open fds as "n->target", sorted: the listing's own directory fd, and files the JVM
     * itself opens and closes at any moment (class path jars, /proc and /sys files such as the
     * cgroup limits it rereads) and the monitor's /dev/kvm fd, kept from the JVM's first VM on, left out.
     */
    static List<String> openFds() {
        List<String> fds = new ArrayList<>();
        String self = "/proc/" + ProcessHandle.current().pid() + "/fd";
        try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) list::iterator) {
                try {
                    String target = Files.readSymbolicLink(p).toString().replaceFirst(" \\(deleted\\)$", "");
                    if (!target.equals(self) && !target.startsWith("/proc/") && !target.startsWith("/sys/")
                            && !target.endsWith(".jar") && !target.equals("/dev/kvm")) {
                        fds.add(p.getFileName() + "->" + target);
                    }
                } catch (IOException e) {
                    // closed meanwhile (the listing's own fd)
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        fds.sort(Comparator.naturalOrder());
        return fds;
    }

    /**
     * Waits up to 5 s for the open fds to equal {@code before} (the JDK closes a child process's
     * pipes on its reaper thread, a moment after the process is gone); returns the difference,
     * empty if none.
     */
    static String fdDifference(List<String> before) throws InterruptedException {
        List<String> now = openFds();
        for (int i = 0; i < 100 && !now.equals(before); i++) {
            Thread.sleep(50);
            now = openFds();
        }
        if (now.equals(before)) return "";
        List<String> added = new ArrayList<>(now), closed = new ArrayList<>(before);
        added.removeAll(before);
        closed.removeAll(now);
        return "new fds " + added + ", closed fds " + closed;
    }

    /**
     * Every file, directory and symlink under {@code dir} except the subtree {@code skip}, with
     * its type, size, mtime and content hash (or link target), by path relative to dir.
     */
    static Map<String, String> snapshot(Path dir, Path skip) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (skip != null && p.startsWith(skip)) continue;
                out.put(dir.relativize(p).toString(), describe(p));
            }
        }
        return out;
    }

    static String describe(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) return "link->" + Files.readSymbolicLink(p);
        if (a.isDirectory()) return "dir";
        return "file size=" + a.size() + " mtime=" + a.lastModifiedTime().toMillis() + " sha256=" + sha256(p)
                + " perms=" + Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static String sha256(Path p) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A port free for TCP and UDP right now, whose successor is free too (racy, as all such checks). */
    static int freePortPair() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            if (port < 65535 && portFree(port) && portFree(port + 1)) return port;
        }
        throw new IllegalStateException("no two adjacent free ports found");
    }

    /** Free for TCP and UDP, on loopback and on the wildcard address. */
    private static boolean portFree(int port) {
        try (ServerSocket t = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress());
             java.net.DatagramSocket u = new java.net.DatagramSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes a directory tree (best effort). */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
