package io.torovj.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The String forms over LibC's byte bindings, and the buffers it is given. */
class LibCTest {
    static final int O_RDONLY = 0, O_CLOEXEC = 0x80000, ENOENT = 2, EBADF = 9;

    @Test
    void cStringIsUtf8WithOneNulAfterItAndRefusesANulInside() {
        assertArrayEquals(new byte[] {'/', 'd', (byte) 0xC3, (byte) 0xA9, 0}, LibC.cString("/d\u00e9"));
        assertArrayEquals(new byte[] {0}, LibC.cString(""));
        assertThrows(IllegalArgumentException.class, () -> LibC.cString("/etc\0/passwd"));
    }

    @Test
    void openOfAStringPathOpensThatFileAndFailsWithErrnoForAMissingOne(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("caf\u00e9"), "x");
        int fd = LibC.INSTANCE.open(file.toString(), O_RDONLY | O_CLOEXEC, 0);
        assertTrue(fd >= 0, "open of " + file + " gave " + fd);
        NativeBuffer one = new NativeBuffer(1);
        assertEquals(1, LibC.INSTANCE.read(fd, one.address(), 1));
        assertEquals('x', one.getByte(0));
        assertEquals(0, LibC.INSTANCE.close(fd));

        assertEquals(-1, LibC.INSTANCE.open(dir.resolve("missing").toString(), O_RDONLY | O_CLOEXEC, 0));
        assertEquals(ENOENT, LibC.errno());
    }

    @Test
    void theInfallibleGetppidIsTheParentsPidAndLeavesErrnoAlone() {
        assertEquals(-1, LibC.INSTANCE.close(-1));
        assertEquals(EBADF, LibC.errno());
        assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), HostProcess.parentPid());
        assertEquals(EBADF, LibC.errno(), "no errno saved by a call bound without it");
        assertEquals(ProcessHandle.current().pid(), HostProcess.pid());
    }

    @Test
    void strerrorGivesTheCLibrarysText() {
        assertEquals("No such file or directory", LibC.INSTANCE.strerror(ENOENT));
        assertEquals("Bad file descriptor", HostErrno.describe(-EBADF));
    }

    @Test
    void nativeBuffersAreZeroedUnlessAskedNotToAndBoundsChecked() {
        NativeBuffer b = new NativeBuffer(64);
        for (int i = 0; i < 64; i += 8) assertEquals(0, b.getLong(i));
        b.putLong(56, -1L);
        assertEquals(-1L, b.getLong(56));
        assertThrows(IndexOutOfBoundsException.class, () -> b.getLong(57));
        assertThrows(IndexOutOfBoundsException.class, () -> b.putByte(-1, (byte) 0));
        NativeBuffer u = NativeBuffer.uncleared(4097);
        u.putByte(4096, (byte) 7);
        assertEquals(7, u.getByte(4096));
        assertEquals(0, new NativeBuffer(0).size());
    }
}
