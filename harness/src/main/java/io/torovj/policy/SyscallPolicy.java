package io.torovj.policy;

import io.torovj.linux.SyscallNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.StringJoiner;

/**
 * What one application may do: which syscalls the monitor forwards, which host files and
 * loopback TCP ports they may reach, what happens on a violation, and resource limits.
 * Immutable; safe to share between vCPU threads.
 *
 * <p>Made by {@link PolicyFile} from JSON, by {@link #defaultPolicy()},
 * {@link #permissive(Path)} or a {@link #builder()}.
 */
public final class SyscallPolicy {
    /** Lowest and highest TCP port a policy may name. */
    public static final int MIN_PORT = 1, MAX_PORT = 65535;

    /** What the monitor does when the guest makes a call the policy does not allow. */
    public enum ViolationAction {
        /** Deny the call: the guest sees -EPERM and goes on. */
        ERRNO,
        /** End the VM. */
        KILL;

        /** The spelling in policy files: "errno" or "kill". */
        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One exact host path the guest may open besides those under the file root.
     *
     * @param path     absolute, normalized (no "." or ".." components); symlinks are not resolved
     * @param readOnly if true, opening it for writing is denied
     */
    public record AllowedPath(Path path, boolean readOnly) {
        public AllowedPath {
            Objects.requireNonNull(path, "path");
            if (!path.isAbsolute()) throw new IllegalArgumentException("allowed path must be absolute: " + path);
            path = path.normalize();
        }
    }

    /**
     * Resource limits; an empty field means no limit beyond the monitor's own.
     *
     * @param maxOpenFiles host file descriptors the guest may hold at once, 1 .. 1048576
     * @param maxMemory    bytes of guest memory, positive
     * @param wallClock    real time the VM may run, positive
     * @param cpuTime      CPU time the VM may use, positive
     */
    public record Limits(OptionalInt maxOpenFiles, OptionalLong maxMemory,
                         Optional<Duration> wallClock, Optional<Duration> cpuTime) {
        /** Highest maxOpenFiles: Linux's default fs.nr_open. */
        public static final int MAX_OPEN_FILES = 1 << 20;
        /** No limits. */
        public static final Limits NONE =
                new Limits(OptionalInt.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty());

        public Limits {
            Objects.requireNonNull(maxOpenFiles, "maxOpenFiles");
            Objects.requireNonNull(maxMemory, "maxMemory");
            Objects.requireNonNull(wallClock, "wallClock");
            Objects.requireNonNull(cpuTime, "cpuTime");
            if (maxOpenFiles.isPresent() && (maxOpenFiles.getAsInt() < 1 || maxOpenFiles.getAsInt() > MAX_OPEN_FILES)) {
                throw new IllegalArgumentException("maxOpenFiles must be 1.." + MAX_OPEN_FILES + ": " + maxOpenFiles.getAsInt());
            }
            if (maxMemory.isPresent() && maxMemory.getAsLong() <= 0) {
                throw new IllegalArgumentException("maxMemory must be positive: " + maxMemory.getAsLong());
            }
            requirePositive("wallClock", wallClock);
            requirePositive("cpuTime", cpuTime);
        }

        private static void requirePositive(String what, Optional<Duration> d) {
            if (d.isPresent() && (d.get().isNegative() || d.get().isZero())) {
                throw new IllegalArgumentException(what + " must be positive: " + d.get());
            }
        }

        /** "maxOpenFiles=64 maxMemory=64M wallClock=30s", or "none". */
        public String describe() {
            StringJoiner j = new StringJoiner(" ");
            maxOpenFiles.ifPresent(n -> j.add("maxOpenFiles=" + n));
            maxMemory.ifPresent(n -> j.add("maxMemory=" + size(n)));
            wallClock.ifPresent(d -> j.add("wallClock=" + duration(d)));
            cpuTime.ifPresent(d -> j.add("cpuTime=" + duration(d)));
            return j.length() == 0 ? "none" : j.toString();
        }

        private static String size(long bytes) {
            String[] units = {"", "K", "M", "G"};
            int u = 0;
            while (u < units.length - 1 && bytes % 1024 == 0) {
                bytes /= 1024;
                u++;
            }
            return bytes + units[u];
        }

        private static String duration(Duration d) {
            return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
        }
    }

    /** The syscalls every monitor build implements; {@link #permissive(Path)} allows exactly these. */
    private static final List<String> IMPLEMENTED = List.of(
            "read", "write", "open", "openat", "close", "lseek", "fstat", "fsync", "unlink", "unlinkat",
            "exit", "exit_group", "getpid", "getppid", "clock_gettime", "brk", "mmap", "munmap",
            "socket", "bind", "listen", "accept", "accept4", "connect", "sendto", "recvfrom",
            "setsockopt", "getsockopt", "shutdown",
            // event loops (io.torovj.syscall.EventSyscalls)
            "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
            // and poll, ppoll (io.torovj.syscall.PollSyscalls)
            "poll", "ppoll",
            // what a static libc and busybox ask at start-up (io.torovj.syscall.StartupSyscalls)
            "arch_prctl", "set_tid_address", "set_robust_list", "prlimit64", "getrlimit", "getrandom", "uname",
            "readlink", "readlinkat", "getuid", "geteuid", "getgid", "getegid", "prctl", "sched_getaffinity",
            "mprotect", "newfstatat", "getcwd", "rt_sigaction", "rt_sigprocmask", "time", "gettimeofday",
            "writev", "readv", "ioctl", "fcntl",
            // directories, paths and fds for busybox's file applets (io.torovj.syscall.PathSyscalls,
            // FileSyscalls): every path confined beneath the root as open's are
            "getdents64", "pread64", "pwrite64", "sendfile", "dup", "dup2", "dup3", "sysinfo",
            "stat", "lstat", "access", "faccessat", "faccessat2", "mkdir", "mkdirat", "rmdir",
            "rename", "renameat", "renameat2", "chmod", "fchmodat", "fchmod", "utimensat", "umask");

    /** What a HelloWorld-class program needs: console I/O, clock, memory, exit. No files, no network. */
    private static final List<String> DEFAULT = List.of(
            "read", "write", "close", "fstat", "lseek", "exit", "exit_group", "getpid", "getppid",
            "clock_gettime", "brk", "mmap", "munmap");

    private static final SyscallPolicy DEFAULT_POLICY = builder().allow(DEFAULT).build();

    /** Indexed by syscall number; length {@link SyscallNames#tableSize()}. */
    private final boolean[] allowed;
    private final Set<String> allowedNames;
    private final ViolationAction onViolation;
    private final Path fileRoot;
    private final boolean readOnly;
    private final List<AllowedPath> allowPaths;
    private final BitSet bindPorts;
    private final BitSet connectPorts;
    private final Limits limits;

    private SyscallPolicy(Builder b) {
        this.allowed = new boolean[SyscallNames.tableSize()];
        Set<String> names = new LinkedHashSet<>();
        for (String name : SyscallNames.allNames()) { // number order, so describe() is stable
            if (b.names.contains(name)) {
                allowed[SyscallNames.number(name)] = true;
                names.add(name);
            }
        }
        this.allowedNames = Collections.unmodifiableSet(names);
        this.onViolation = b.onViolation;
        this.fileRoot = b.fileRoot;
        this.readOnly = b.readOnly;
        this.allowPaths = List.copyOf(b.allowPaths.values());
        this.bindPorts = (BitSet) b.bindPorts.clone();
        this.connectPorts = (BitSet) b.connectPorts.clone();
        this.limits = b.limits;
    }

    /**
     * The policy used when none is given: read, write, close, fstat, lseek, exit, exit_group,
     * getpid, getppid, clock_gettime, brk, mmap, munmap; errno on violation; no file root
     * (so no open/openat), no allowed paths, no ports, no limits.
     */
    public static SyscallPolicy defaultPolicy() {
        return DEFAULT_POLICY;
    }

    /**
     * For tests and benchmarks: every syscall the monitor implements, read-write files under
     * {@code root} (made absolute and normalized; it need not exist yet) plus /dev/null,
     * bind and connect on any port 1024..65535, errno on violation, no limits.
     */
    public static SyscallPolicy permissive(Path root) {
        return builder()
                .allow(IMPLEMENTED)
                .fileRoot(root.toAbsolutePath().normalize())
                .allowPath(Path.of("/dev/null"), false)
                .bindPorts(1024, MAX_PORT)
                .connectPorts(1024, MAX_PORT)
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True if syscall {@code nr} may be forwarded; false for any number outside the table. O(1). */
    public boolean allows(int nr) {
        return nr >= 0 && nr < allowed.length && allowed[nr];
    }

    /** Allowed syscall names in ascending number order; unmodifiable. */
    public Set<String> allowedNames() {
        return allowedNames;
    }

    public ViolationAction onViolation() {
        return onViolation;
    }

    /** Absolute directory under which the guest may open files; empty if it may open none there. */
    public Optional<Path> fileRoot() {
        return Optional.ofNullable(fileRoot);
    }

    /** True if files under {@link #fileRoot()} may only be opened for reading. */
    public boolean readOnly() {
        return readOnly;
    }

    /** Exact paths the guest may also open, in policy order, no duplicates; unmodifiable. */
    public List<AllowedPath> allowPaths() {
        return allowPaths;
    }

    /** Loopback TCP ports the guest may bind, ascending; unmodifiable. */
    public Set<Integer> bindPorts() {
        return new PortSet(bindPorts);
    }

    /** Loopback TCP ports the guest may connect to, ascending; unmodifiable. */
    public Set<Integer> connectPorts() {
        return new PortSet(connectPorts);
    }

    /** True if the guest may bind {@code port}; false for any int outside 1..65535. */
    public boolean allowsBind(int port) {
        return port >= MIN_PORT && port <= MAX_PORT && bindPorts.get(port);
    }

    /** True if the guest may connect to {@code port}; false for any int outside 1..65535. */
    public boolean allowsConnect(int port) {
        return port >= MIN_PORT && port <= MAX_PORT && connectPorts.get(port);
    }

    public Limits limits() {
        return limits;
    }

    /** One line for logs, e.g. {@code allow 13 syscalls (read,write,...); on violation errno; files none; ...}. */
    public String describe() {
        StringJoiner paths = new StringJoiner(",");
        for (AllowedPath p : allowPaths) paths.add(p.path() + (p.readOnly() ? " (ro)" : " (rw)"));
        return "allow " + allowedNames.size() + " syscalls (" + String.join(",", allowedNames) + ")"
                + "; on violation " + onViolation.jsonName()
                + "; files " + (fileRoot == null ? "none" : fileRoot + (readOnly ? " (ro)" : " (rw)"))
                + "; paths " + (allowPaths.isEmpty() ? "none" : paths.toString())
                + "; bind " + ranges(bindPorts)
                + "; connect " + ranges(connectPorts)
                + "; limits " + limits.describe();
    }

    /** "none", or comma-separated ports with runs collapsed: "80,1024-65535". */
    private static String ranges(BitSet ports) {
        if (ports.isEmpty()) return "none";
        StringJoiner j = new StringJoiner(",");
        for (int start = ports.nextSetBit(0); start >= 0; ) {
            int end = ports.nextClearBit(start) - 1;
            j.add(start == end ? Integer.toString(start) : start + "-" + end);
            start = ports.nextSetBit(end + 1);
        }
        return j.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SyscallPolicy p
                && Arrays.equals(allowed, p.allowed)
                && onViolation == p.onViolation
                && Objects.equals(fileRoot, p.fileRoot)
                && readOnly == p.readOnly
                && allowPaths.equals(p.allowPaths)
                && bindPorts.equals(p.bindPorts)
                && connectPorts.equals(p.connectPorts)
                && limits.equals(p.limits);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(allowed), onViolation, fileRoot, readOnly, allowPaths,
                bindPorts, connectPorts, limits);
    }

    @Override
    public String toString() {
        return "SyscallPolicy[" + describe() + "]";
    }

    /**
     * Collects a policy; every setter checks its argument (IllegalArgumentException) so a
     * built policy is always valid. Adding a name or port twice is harmless. Defaults:
     * nothing allowed, errno on violation, no root, read-write, no limits.
     */
    public static final class Builder {
        private final Set<String> names = new LinkedHashSet<>();
        private ViolationAction onViolation = ViolationAction.ERRNO;
        private Path fileRoot;
        private boolean readOnly;
        /** Keyed by path so a later entry for the same path replaces the earlier one. */
        private final Map<Path, AllowedPath> allowPaths = new LinkedHashMap<>();
        private final BitSet bindPorts = new BitSet(MAX_PORT + 1);
        private final BitSet connectPorts = new BitSet(MAX_PORT + 1);
        private Limits limits = Limits.NONE;

        private Builder() {}

        /** Allows the named syscall; the name must be known to {@link SyscallNames}. */
        public Builder allow(String name) {
            if (!SyscallNames.isKnown(name)) throw new IllegalArgumentException("unknown syscall name: " + name);
            names.add(name);
            return this;
        }

        public Builder allow(Iterable<String> names) {
            for (String name : names) allow(name);
            return this;
        }

        public Builder onViolation(ViolationAction action) {
            this.onViolation = Objects.requireNonNull(action, "action");
            return this;
        }

        /** Directory under which the guest may open files: absolute, stored normalized; null for none. */
        public Builder fileRoot(Path root) {
            if (root != null && !root.isAbsolute()) throw new IllegalArgumentException("file root must be absolute: " + root);
            this.fileRoot = root == null ? null : root.normalize();
            return this;
        }

        public Builder readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /** Allows one exact absolute path; see {@link AllowedPath}. */
        public Builder allowPath(Path path, boolean readOnly) {
            AllowedPath p = new AllowedPath(path, readOnly);
            allowPaths.put(p.path(), p);
            return this;
        }

        public Builder bindPort(int port) {
            return bindPorts(port, port);
        }

        /** Allows binding every port in [from, to], both within 1..65535. */
        public Builder bindPorts(int from, int to) {
            bindPorts.set(checkRange(from, to), to + 1);
            return this;
        }

        public Builder connectPort(int port) {
            return connectPorts(port, port);
        }

        /** Allows connecting to every port in [from, to], both within 1..65535. */
        public Builder connectPorts(int from, int to) {
            connectPorts.set(checkRange(from, to), to + 1);
            return this;
        }

        public Builder limits(Limits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        public SyscallPolicy build() {
            return new SyscallPolicy(this);
        }

        private static int checkRange(int from, int to) {
            if (from < MIN_PORT || to > MAX_PORT || from > to) {
                throw new IllegalArgumentException("port range must lie within 1..65535: " + from + ".." + to);
            }
            return from;
        }
    }

    /** An unmodifiable view of a never-modified BitSet of ports, so a 64k-port range costs 8 KiB, not 64k Integers. */
    private static final class PortSet extends AbstractSet<Integer> {
        private final BitSet ports;

        PortSet(BitSet ports) {
            this.ports = ports;
        }

        @Override
        public boolean contains(Object o) {
            return o instanceof Integer p && p >= 0 && ports.get(p);
        }

        @Override
        public int size() {
            return ports.cardinality();
        }

        @Override
        public Iterator<Integer> iterator() {
            return new Iterator<>() {
                private int next = ports.nextSetBit(0);

                @Override
                public boolean hasNext() {
                    return next >= 0;
                }

                @Override
                public Integer next() {
                    if (next < 0) throw new NoSuchElementException();
                    int port = next;
                    next = ports.nextSetBit(port + 1);
                    return port;
                }
            };
        }
    }
}
