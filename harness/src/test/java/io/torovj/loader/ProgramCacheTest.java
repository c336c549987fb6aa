package io.torovj.loader;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgramCacheTest {
    @TempDir Path dir;

    @Test
    void theSameUnchangedFileIsParsedOnce() throws Exception {
        Path elf = Files.write(dir.resolve("tiny"), TestExecutables.tiny());
        ElfImage first = ProgramCache.parse(elf);
        assertSame(first, ProgramCache.parse(elf));
        assertSame(first, ProgramCache.parse(dir.resolve(".").resolve("tiny")), "the same file by another spelling of its path");
        assertEquals(ElfLoader.parse(TestExecutables.tiny()).entry(), first.entry());
    }

    @Test
    void aRewrittenFileIsParsedAfresh() throws Exception {
        Path elf = Files.write(dir.resolve("prog"), TestExecutables.tiny());
        ElfImage before = ProgramCache.parse(elf);
        Files.setLastModifiedTime(elf, FileTime.fromMillis(Files.getLastModifiedTime(elf).toMillis() + 5_000));
        ElfImage after = ProgramCache.parse(elf);
        assertNotSame(before, after, "a new modification time is a new program");
        Files.write(elf, TestExecutables.staticPie());
        ElfLoadException e = assertThrows(ElfLoadException.class, () -> ProgramCache.parse(elf));
        assertEquals(ElfLoadException.Reason.PIE, e.reason(), "the new content is what is judged");
    }

    @Test
    void refusedFilesAndOtherKindsGoToTheLoaderAndAreNotKept() throws Exception {
        Path junk = Files.write(dir.resolve("junk"), new byte[] {1, 2, 3});
        assertThrows(ElfLoadException.class, () -> ProgramCache.parse(junk));
        assertThrows(ElfLoadException.class, () -> ProgramCache.parse(junk), "a refusal is given again, not remembered as a program");
        ElfLoadException missing = assertThrows(ElfLoadException.class, () -> ProgramCache.parse(dir.resolve("absent")));
        assertEquals(ElfLoadException.Reason.UNREADABLE, missing.reason());
        ElfLoadException directory = assertThrows(ElfLoadException.class, () -> ProgramCache.parse(dir));
        assertEquals("cannot read: is a directory", directory.getMessage());
    }

    @Test
    void theCacheIsBounded() throws Exception {
        for (int i = 0; i < ProgramCache.CAPACITY + 5; i++) {
            ProgramCache.parse(Files.write(dir.resolve("p" + i), TestExecutables.tiny()));
        }
        assertTrue(ProgramCache.size() <= ProgramCache.CAPACITY, "held " + ProgramCache.size());
    }
}
