package io.torovj.policy;

import static org.junit.jupiter.api.Assertions.*;

import io.torovj.policy.SyscallPolicy.AllowedPath;
import io.torovj.policy.SyscallPolicy.Limits;
import io.torovj.policy.SyscallPolicy.ViolationAction;
import io.torovj.linux.SyscallNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyscallPolicyTest {
    private static boolean allows(SyscallPolicy p, String name) {
        return p.allows(SyscallNames.number(name));
    }

    @Test
    void defaultPolicyRunsHelloWorldAndNothingMore() {
        SyscallPolicy p = SyscallPolicy.defaultPolicy();
        for (String name : List.of("read", "write", "close", "fstat", "lseek", "exit", "exit_group", "getpid",
                "getppid", "clock_gettime", "brk", "mmap", "munmap")) {
            assertTrue(allows(p, name), name);
        }
        assertEquals(13, p.allowedNames().size());
        for (String name : List.of("openat", "open", "socket", "connect", "bind", "execve", "fork", "clone",
                "ptrace", "kill", "unlink", "mprotect", "ioctl")) {
            assertFalse(allows(p, name), name);
        }
        assertEquals(ViolationAction.ERRNO, p.onViolation());
        assertTrue(p.fileRoot().isEmpty());
        assertTrue(p.allowPaths().isEmpty());
        assertTrue(p.bindPorts().isEmpty() && p.connectPorts().isEmpty());
        assertEquals(Limits.NONE, p.limits());
    }

    @Test
    void numbersOutsideTheTableAreDenied() {
        SyscallPolicy p = SyscallPolicy.permissive(Path.of("/tmp"));
        assertFalse(p.allows(-1));
        assertFalse(p.allows(Integer.MIN_VALUE));
        assertFalse(p.allows(SyscallNames.tableSize()));
        assertFalse(p.allows(Integer.MAX_VALUE));
        assertFalse(p.allows(400), "unassigned numbers are never allowed");
    }

    @Test
    void permissivePolicyAllowsEverythingTheMonitorImplements() {
        SyscallPolicy p = SyscallPolicy.permissive(Path.of("/tmp/x/../app"));
        for (String name : List.of("read", "write", "open", "openat", "close", "lseek", "fstat", "fsync", "unlink",
                "unlinkat", "exit", "exit_group", "getpid", "getppid", "clock_gettime", "brk", "mmap", "munmap",
                "socket", "bind", "listen", "accept", "accept4", "connect", "sendto", "recvfrom", "setsockopt",
                "shutdown", "arch_prctl", "set_tid_address", "set_robust_list", "prlimit64", "getrlimit", "getrandom",
                "uname", "readlink", "readlinkat", "getuid", "geteuid", "getgid", "getegid", "prctl",
                "sched_getaffinity", "mprotect", "newfstatat", "getcwd", "rt_sigaction", "rt_sigprocmask", "time",
                "gettimeofday", "writev", "readv", "ioctl", "fcntl", "getdents64", "pread64", "pwrite64", "sendfile",
                "dup", "dup2", "dup3", "sysinfo", "stat", "lstat", "access", "faccessat", "faccessat2", "mkdir",
                "mkdirat", "rmdir", "rename", "renameat", "renameat2", "chmod", "fchmodat", "fchmod", "utimensat",
                "umask", "getsockopt", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "poll",
                "ppoll")) {
            assertTrue(allows(p, name), name);
        }
        assertEquals(86, p.allowedNames().size());
        assertFalse(allows(p, "execve"));
        assertEquals(Optional.of(Path.of("/tmp/app")), p.fileRoot());
        assertFalse(p.readOnly());
        assertEquals(List.of(new AllowedPath(Path.of("/dev/null"), false)), p.allowPaths());
        assertTrue(p.allowsBind(1024) && p.allowsBind(65535) && p.allowsConnect(8080));
        assertFalse(p.allowsBind(1023) || p.allowsBind(0) || p.allowsBind(65536) || p.allowsConnect(-1));
        assertEquals(64512, p.bindPorts().size());
        assertTrue(p.bindPorts().contains(5000));
        assertFalse(p.bindPorts().contains(80));
        assertEquals(1024, p.connectPorts().iterator().next());
    }

    @Test
    void relativePermissiveRootBecomesAbsolute() {
        assertTrue(SyscallPolicy.permissive(Path.of("rel")).fileRoot().orElseThrow().isAbsolute());
    }

    @Test
    void describeIsOneLine() {
        String d = SyscallPolicy.permissive(Path.of("/srv")).describe();
        assertFalse(d.contains("\n"));
        assertTrue(d.startsWith("allow 86 syscalls (read,write,open,close,"), d);
        assertTrue(d.contains("; files /srv (rw); paths /dev/null (rw); bind 1024-65535; connect 1024-65535; limits none"), d);
        SyscallPolicy limited = SyscallPolicy.builder().allow("write").onViolation(ViolationAction.KILL)
                .bindPort(80).bindPort(81).bindPort(443)
                .limits(new Limits(OptionalInt.of(64), OptionalLong.of(64L << 20),
                        Optional.of(Duration.ofSeconds(30)), Optional.of(Duration.ofMillis(1500))))
                .build();
        assertEquals("allow 1 syscalls (write); on violation kill; files none; paths none; bind 80-81,443; "
                + "connect none; limits maxOpenFiles=64 maxMemory=64M wallClock=30s cpuTime=1500ms", limited.describe());
    }

    @Test
    void builderRefusesInvalidValues() {
        SyscallPolicy.Builder b = SyscallPolicy.builder();
        assertThrows(IllegalArgumentException.class, () -> b.allow("wirte"));
        assertThrows(IllegalArgumentException.class, () -> b.bindPort(0));
        assertThrows(IllegalArgumentException.class, () -> b.connectPort(65536));
        assertThrows(IllegalArgumentException.class, () -> b.bindPorts(10, 5));
        assertThrows(IllegalArgumentException.class, () -> b.fileRoot(Path.of("relative")));
        assertThrows(IllegalArgumentException.class, () -> b.allowPath(Path.of("relative"), true));
        assertThrows(IllegalArgumentException.class, () -> new Limits(OptionalInt.of(0), OptionalLong.empty(),
                Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new Limits(OptionalInt.empty(), OptionalLong.empty(),
                Optional.of(Duration.ZERO), Optional.empty()));
    }

    @Test
    void immutableAndComparable() {
        SyscallPolicy.Builder b = SyscallPolicy.builder().allow("read").bindPort(80);
        SyscallPolicy first = b.build();
        b.allow("write").bindPort(81);
        assertEquals(Set.of("read"), first.allowedNames(), "a built policy does not follow its builder");
        assertEquals(Set.of(80), first.bindPorts());
        assertThrows(UnsupportedOperationException.class, () -> first.allowedNames().add("write"));
        assertThrows(UnsupportedOperationException.class, () -> first.bindPorts().add(1));
        assertThrows(UnsupportedOperationException.class, () -> first.allowPaths().add(null));
        assertEquals(first, SyscallPolicy.builder().allow("read").bindPort(80).build());
        assertEquals(first.hashCode(), SyscallPolicy.builder().allow("read").bindPort(80).build().hashCode());
        assertNotEquals(first, b.build());
    }
}
