package io.torovj.vmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.loader.ElfSegment;
import io.torovj.memory.GuestMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The call-site rewriting as pure code over guest memory: which byte sequences are rewritten,
 * which are left to trap, and what the rewritten site and its thunk decode to (objdump reads
 * them back, so the test checks the instructions the CPU will see, not our own encoder).
 */
class SyscallSitePatcherTest {
    private static final long TEXT = 0x40_1000, TEXT_END = 0x40_2000, DATA = 0x40_3000;
    private static final long SHIM_ENTRY = 0x10_1061, THUNKS = 0x10_8000;

    private final GuestMemory memory = GuestMemory.allocate(8L << 20);
    private final List<ElfSegment> segments = List.of(
            new ElfSegment(TEXT, TEXT_END - TEXT, 0, 0, ElfSegment.PF_R | ElfSegment.PF_X),
            new ElfSegment(DATA, 0x1000, 0, 0, ElfSegment.PF_R | ElfSegment.PF_W));

    @AfterEach
    void close() {
        memory.close();
    }

    private SyscallSitePatcher patcher(long thunksEnd) {
        return new SyscallSitePatcher(memory, segments, new SyscallShim.Loaded(0x10_1000, SHIM_ENTRY, THUNKS, thunksEnd));
    }

    private void code(long at, String hex) {
        memory.write(at, HexFormat.of().parseHex(hex.replace(" ", "")));
    }

    private byte[] bytes(long at, int n) {
        byte[] b = new byte[n];
        memory.read(at, b, 0, n);
        return b;
    }

    /** objdump's reading of {@code n} bytes at {@code at}: one "mnemonic operands [# target]" per line. */
    private String disassemble(long at, int n) throws Exception {
        Path bin = Files.createTempFile("torovj-patch", ".bin");
        try {
            Files.write(bin, bytes(at, n));
            Process p = new ProcessBuilder("objdump", "-D", "-b", "binary", "-m", "i386:x86-64",
                    "--adjust-vma=0x" + Long.toHexString(at), bin.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0, out);
            StringBuilder lines = new StringBuilder();
            for (String line : out.split("\n")) {
                String[] cols = line.split("\t");
                if (cols.length >= 3 && cols[0].trim().endsWith(":")) {
                    lines.append(cols[2].replaceAll("\\s+", " ").trim()).append('\n');
                }
            }
            return lines.toString();
        } finally {
            Files.delete(bin);
        }
    }

    /** Asserts that the site returning to {@code ret} is rewritten, and the trapped call returns there still. */
    private static void assertPatched(SyscallSitePatcher p, long ret, long nr) {
        int before = p.sitesPatched();
        assertEquals(ret, p.patch(ret, nr));
        assertEquals(before + 1, p.sitesPatched());
    }

    private static void assertNotPatched(SyscallSitePatcher p, long ret, long nr) {
        assertNotPatched(p, ret, nr, "");
    }

    private static void assertNotPatched(SyscallSitePatcher p, long ret, long nr, String why) {
        int before = p.sitesPatched();
        assertEquals(ret, p.patch(ret, nr), why);
        assertEquals(before, p.sitesPatched(), why);
    }

    @Test
    void movImmediateThenSyscallBecomesAJumpToAThunkThatReturnsAfterTheSyscall() throws Exception {
        long site = TEXT + 0x10;
        code(site - 3, "48 89 df  b8 27 00 00 00  0f 05  c3");       // mov %rbx,%rdi; mov $39,%eax; syscall; ret
        SyscallSitePatcher p = patcher(THUNKS + 0x1000);
        assertPatched(p, site + 7, 39);
        assertEquals(1, p.sitesPatched());
        assertEquals("mov %rbx,%rdi\njmp 0x108000\nsyscall\nret\n", disassemble(site - 3, 11),
                "the mov becomes the jump; the syscall stays for any jump that targets it");
        assertEquals("lea 0x2f9010(%rip),%rcx # 0x401017\nmov $0x27,%eax\njmp 0x101061\n", disassemble(THUNKS, 17));
    }

    @Test
    void aSixtyFourBitMoveBeforeTheSyscallIsCarriedIntoTheThunk() throws Exception {
        long site = TEXT + 0x40;
        code(site, "4c 8b 4c 24 08  0f 05  c3");                   // mov 0x8(%rsp),%r9; syscall; ret
        long reg = TEXT + 0x80;
        code(reg, "48 89 ca  0f 05  c3");                          // mov %rcx,%rdx; syscall; ret
        SyscallSitePatcher p = patcher(THUNKS + 0x1000);
        assertPatched(p, site + 7, 1);
        assertPatched(p, reg + 5, 60);
        assertEquals("jmp 0x108000\nsyscall\nret\n", disassemble(site, 8));
        assertEquals("mov 0x8(%rsp),%r9\nlea 0x2f903b(%rip),%rcx # 0x401047\njmp 0x101061\n", disassemble(THUNKS, 17));
        assertEquals("jmp 0x108020\nret\n", disassemble(reg, 6), "a 5-byte site: the jump covers the syscall");
        assertEquals("mov %rcx,%rdx\nlea 0x2f905b(%rip),%rcx # 0x401085\njmp 0x101061\n",
                disassemble(THUNKS + SyscallSitePatcher.THUNK_SIZE, 15));
    }

    @Test
    void aSyscallFollowedByGlibcsCompareTakesTheCompareIntoTheThunk() throws Exception {
        long site = TEXT + 0x400;
        code(site, "31 c0  0f 05  48 3d 00 f0 ff ff  77 01  c3");      // xor %eax,%eax; syscall; cmp $-4096,%rax; ja; ret
        SyscallSitePatcher p = patcher(THUNKS + 0x1000);
        assertEquals(THUNKS + 12, p.patch(site + 4, 0), "the trapped call resumes at the thunk's compare: "
                + "its own return address is inside the jump now");
        assertEquals(1, p.sitesPatched());
        assertEquals("xor %eax,%eax\njmp 0x108000\n", disassemble(site, 7));
        assertEquals("ja 0x40140d\nret\n", disassemble(site + 10, 3), "what follows is untouched");
        assertEquals("lea 0x5(%rip),%rcx # 0x10800c\njmp 0x101061\ncmp $0xfffffffffffff000,%rax\njmp 0x40140a\n",
                disassemble(THUNKS, 23));
        code(TEXT_END - 6, "0f 05 48 3d 00 f0");
        assertNotPatched(p, TEXT_END - 4, 0, "a compare cut off by the segment's end");
    }

    @Test
    void sitesOfAnyOtherShapeAreLeftToTrap() {
        SyscallSitePatcher p = patcher(THUNKS + 0x1000);
        String[] refused = {
            "b8 28 00 00 00 0f 05",            // the immediate is not the number the guest passed (39)
            "41 b8 27 00 00 00 0f 05",         // 41 b8: mov $39,%r8d, not %eax
            "f3 0f b8 27 00 00 00 0f 05",      // the b8 of a popcnt (f3 0f b8 /r)
            "48 8b 05 10 00 00 00 0f 05",      // mov 0x10(%rip),%rax: rip-relative, not movable
            "89 c8 0f 05",                     // mov %ecx,%eax: too short for a jump
            "b8 27 00 00 00 0f 0b",            // no syscall where the trap says it was
            "90 90 90 90 90 90 90",
        };
        long at = TEXT + 0x200;
        for (String hex : refused) {
            code(at, hex);
            long end = at + hex.replace(" ", "").length() / 2;
            byte[] before = bytes(at, (int) (end - at));
            assertNotPatched(p, end, 39, hex);
            assertArrayEquals(before, bytes(at, before.length), "untouched: " + hex);
            at += 0x40;
        }
        code(DATA + 0x10, "b8 27 00 00 00 0f 05");
        assertNotPatched(p, DATA + 0x17, 39, "not in an executable segment of the program");
        code(TEXT_END - 5, "b8 27 00 00 00");
        assertNotPatched(p, TEXT_END + 2, 39, "a site running past its segment");
        assertNotPatched(p, 0x10_1000 + 7, 39, "the shim's own code is not the program's");
        assertNotPatched(p, 1L << 40, 39, "outside guest memory");
        assertEquals(0, p.sitesPatched());
    }

    @Test
    void whenTheThunkAreaIsFullTheRestKeepTrapping() {
        SyscallSitePatcher p = patcher(THUNKS + 2 * SyscallSitePatcher.THUNK_SIZE);
        for (int i = 0; i < 3; i++) code(TEXT + 0x100 + 16L * i, "b8 27 00 00 00 0f 05");
        assertPatched(p, TEXT + 0x107, 39);
        assertPatched(p, TEXT + 0x117, 39);
        assertNotPatched(p, TEXT + 0x127, 39);
        assertEquals(0xb8, bytes(TEXT + 0x120, 1)[0] & 0xff);
        assertEquals(2, p.sitesPatched());
    }

    @Test
    void aPatchedSiteIsNotPatchedAgain() {
        SyscallSitePatcher p = patcher(THUNKS + 0x1000);
        code(TEXT + 0x300, "b8 27 00 00 00 0f 05");
        assertPatched(p, TEXT + 0x307, 39);
        // a jump that targets the syscall itself still traps: the site now starts with e9
        assertNotPatched(p, TEXT + 0x307, 39);
        assertEquals(1, p.sitesPatched());
    }
}
