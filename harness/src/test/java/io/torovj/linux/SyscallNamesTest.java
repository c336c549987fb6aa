package io.torovj.linux;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SyscallNamesTest {

    @Test
    void wellKnownNumbers() {
        assertEquals(0, SyscallNames.number("read"));
        assertEquals(1, SyscallNames.number("write"));
        assertEquals(257, SyscallNames.number("openat"));
        assertEquals(231, SyscallNames.number("exit_group"));
        assertEquals(110, SyscallNames.number("getppid"));
        assertEquals(228, SyscallNames.number("clock_gettime"));
        assertEquals(288, SyscallNames.number("accept4"));
        assertEquals(60, SyscallNames.number("exit"));
        assertEquals(450, SyscallNames.number("set_mempolicy_home_node"));
    }

    @Test
    void namesOfNumbers() {
        assertEquals("read", SyscallNames.name(0));
        assertEquals("openat", SyscallNames.name(257));
        assertEquals("accept4", SyscallNames.name(288));
        assertNull(SyscallNames.name(-1));
        assertNull(SyscallNames.name(Integer.MIN_VALUE));
        assertNull(SyscallNames.name(Integer.MAX_VALUE));
        assertNull(SyscallNames.name(SyscallNames.tableSize()));
        assertNull(SyscallNames.name(335), "335..423 are unassigned on x86-64");
        assertNull(SyscallNames.name(423));
        assertEquals("pidfd_send_signal", SyscallNames.name(424));
    }

    @Test
    void unknownNames() {
        assertEquals(-1, SyscallNames.number("wirte"));
        assertEquals(-1, SyscallNames.number(""));
        assertEquals(-1, SyscallNames.number(null));
        assertEquals(-1, SyscallNames.number("READ"), "names are case-sensitive");
        assertFalse(SyscallNames.isKnown("wirte"));
        assertFalse(SyscallNames.isKnown(null));
        assertTrue(SyscallNames.isKnown("write"));
    }

    @Test
    void allNamesRoundTripAndAreUnmodifiable() {
        Set<String> all = SyscallNames.allNames();
        assertEquals(362, all.size());
        int previous = -1;
        for (String name : all) {
            int nr = SyscallNames.number(name);
            assertEquals(name, SyscallNames.name(nr));
            assertTrue(nr > previous, "ascending number order");
            previous = nr;
        }
        assertEquals(SyscallNames.tableSize() - 1, previous);
        assertThrows(UnsupportedOperationException.class, () -> all.add("x"));
    }

    /** Where the header this table was generated from is installed, the table still matches it. */
    @Test
    void matchesTheInstalledHeader() throws IOException {
        Path header = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
        if (!Files.isReadable(header)) return; // generated once; the header is not a build requirement
        Matcher m = Pattern.compile("(?m)^#define __NR_([a-z0-9_]+) ([0-9]+)$").matcher(Files.readString(header));
        int count = 0;
        while (m.find()) {
            int nr = Integer.parseInt(m.group(2));
            if (nr < SyscallNames.tableSize()) {
                assertEquals(m.group(1), SyscallNames.name(nr), "number " + nr);
                count++;
            }
        }
        assertTrue(count >= 362, "header parsed: " + count);
    }
}
