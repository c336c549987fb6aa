package io.torovj.syscall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.linux.Errno;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.LibC;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** socket(2)'s protocol argument and getsockopt(2), as the guest sees them (no VM). */
class SocketSyscallsTest {
    private static final int AF_INET = 2, SOCK_STREAM = 1, SOCK_DGRAM = 2, IPPROTO_TCP = 6, IPPROTO_UDP = 17,
            IPPROTO_SCTP = 132, IPPROTO_MPTCP = 262, GETSOCKOPT = 55, SETSOCKOPT = 54, SOL_SOCKET = 1,
            SO_TYPE = 3, SO_ERROR = 4, SO_PEERCRED = 17, TCP_NODELAY = 1;
    private static final long VAL = 0x100000, LEN = 0x100100;

    @TempDir Path tmp;
    private SyscallLayer vm;
    private int devNull = -1;

    @BeforeEach
    void boot() throws Exception {
        devNull = LibC.INSTANCE.open("/dev/null", SyscallLayer.O_RDWR | SyscallLayer.O_CLOEXEC, 0);
        vm = new SyscallLayer(SyscallPolicy.permissive(tmp.toRealPath()), devNull, devNull, devNull);
    }

    @AfterEach
    void tearDown() {
        vm.close();
        SyscallLayer.closeAll(devNull);
    }

    @Test
    void onlyTcpAndUdpAreCreated() {
        assertTrue(vm.call(SyscallLayer.SOCKET, AF_INET, SOCK_STREAM, 0) >= 0);
        assertTrue(vm.call(SyscallLayer.SOCKET, AF_INET, SOCK_STREAM, IPPROTO_TCP) >= 0);
        assertTrue(vm.call(SyscallLayer.SOCKET, AF_INET, SOCK_DGRAM, IPPROTO_UDP) >= 0);
        assertEquals(-Errno.EPROTONOSUPPORT, vm.call(SyscallLayer.SOCKET, AF_INET, SOCK_STREAM, IPPROTO_UDP));
        assertEquals(-Errno.EPROTONOSUPPORT, vm.call(SyscallLayer.SOCKET, AF_INET, SOCK_STREAM, IPPROTO_SCTP));
        assertEquals(-Errno.EPROTONOSUPPORT, vm.call(SyscallLayer.SOCKET, AF_INET, SOCK_STREAM, IPPROTO_MPTCP));
        assertEquals(-Errno.EPROTONOSUPPORT, vm.call(SyscallLayer.SOCKET, AF_INET, SOCK_DGRAM, IPPROTO_TCP));
        assertEquals(-Errno.EPROTONOSUPPORT, vm.call(SyscallLayer.SOCKET, AF_INET, SOCK_DGRAM, -1));
    }

    @Test
    void getsockoptReadsBackWhatWasSetTruncatedAsOnLinux() {
        long s = vm.call(SyscallLayer.SOCKET, AF_INET, SOCK_STREAM, 0);
        vm.mem.writeU32(VAL, 1);
        assertEquals(0, vm.call(SETSOCKOPT, s, IPPROTO_TCP, TCP_NODELAY, VAL, 4));
        vm.mem.writeU32(VAL, 0);
        vm.mem.writeU32(LEN, 16);
        assertEquals(0, vm.call(GETSOCKOPT, s, IPPROTO_TCP, TCP_NODELAY, VAL, LEN));
        assertEquals(1, vm.mem.readU32(VAL));
        assertEquals(4, vm.mem.readU32(LEN), "the length the kernel copied");
        vm.mem.writeU32(LEN, 4);
        assertEquals(0, vm.call(GETSOCKOPT, s, SOL_SOCKET, SO_TYPE, VAL, LEN));
        assertEquals(SOCK_STREAM, vm.mem.readU32(VAL));
        vm.mem.writeU32(VAL, 0xFFFF_FFFF);
        vm.mem.writeU32(LEN, 2);
        assertEquals(0, vm.call(GETSOCKOPT, s, SOL_SOCKET, SO_ERROR, VAL, LEN));
        assertEquals(2, vm.mem.readU32(LEN));
        assertEquals(0xFFFF_0000, vm.mem.readU32(VAL), "only two bytes written");
    }

    @Test
    void getsockoptRefusesOtherOptionsBadFdsAndPointers() {
        long s = vm.call(SyscallLayer.SOCKET, AF_INET, SOCK_STREAM, 0);
        vm.mem.writeU32(LEN, 64);
        assertEquals(-Errno.ENOPROTOOPT, vm.call(GETSOCKOPT, s, SOL_SOCKET, SO_PEERCRED, VAL, LEN), "not an option the guest may see");
        assertEquals(-Errno.EBADF, vm.call(GETSOCKOPT, 99, SOL_SOCKET, SO_TYPE, VAL, LEN));
        assertEquals(-Errno.ENOTSOCK, vm.call(GETSOCKOPT, 0, SOL_SOCKET, SO_TYPE, VAL, LEN), "/dev/null is no socket");
        assertEquals(-Errno.EFAULT, vm.call(GETSOCKOPT, s, SOL_SOCKET, SO_TYPE, VAL, SyscallLayer.RAM));
        assertEquals(-Errno.EFAULT, vm.call(GETSOCKOPT, s, SOL_SOCKET, SO_TYPE, SyscallLayer.RAM - 2, LEN));
        vm.mem.writeU32(LEN, -1);
        assertEquals(-Errno.EINVAL, vm.call(GETSOCKOPT, s, SOL_SOCKET, SO_TYPE, VAL, LEN));
    }
}
