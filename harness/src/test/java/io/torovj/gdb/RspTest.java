package io.torovj.gdb;

import io.torovj.lifecycle.Ending;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The stub's encodings and its target description, without a VM. */
class RspTest {

    @Test
    void framesWithChecksumAndEscapes() {
        assertEquals("$OK#9a", new String(Rsp.frame("OK".getBytes(StandardCharsets.US_ASCII), true), StandardCharsets.US_ASCII));
        assertEquals("$#00", new String(Rsp.frame(new byte[0], true), StandardCharsets.US_ASCII));
        byte[] framed = Rsp.frame(new byte[] {'a', '#', '$', '}', '*'}, true);
        String s = new String(framed, StandardCharsets.ISO_8859_1);
        assertEquals("$a}\u0003}\u0004}]}\n#", s.substring(0, s.length() - 2));
        int sum = Rsp.checksum(framed, 1, framed.length - 3);
        assertEquals(String.format("%02x", sum), s.substring(s.length() - 2));
        assertArrayEquals(new byte[] {'a', '#', '$', '}', '*'}, Rsp.unescape(framed, 1, framed.length - 3));
        assertNull(Rsp.unescape(new byte[] {'a', '}'}, 0, 2), "a dangling escape");
    }

    @Test
    void hexParsingIsStrict() {
        assertEquals(0x401000, Rsp.parseHex("401000"));
        assertEquals(-1L, Rsp.parseHex("ffffffffffffffff"));
        assertEquals(Rsp.BAD, Rsp.parseHex("1ffffffffffffffff"), "17 digits");
        assertEquals(Rsp.BAD, Rsp.parseHex(""));
        assertEquals(Rsp.BAD, Rsp.parseHex("-1"));
        assertEquals(Rsp.BAD, Rsp.parseHex("0x10"));
        assertEquals(Rsp.BAD, Rsp.parseHex("12 "));
        assertArrayEquals(new byte[] {0x12, (byte) 0xAB}, Rsp.unhex("12aB", 0, 4));
        assertNull(Rsp.unhex("123", 0, 3));
        assertNull(Rsp.unhex("1g", 0, 2));
        StringBuilder sb = new StringBuilder();
        Rsp.appendLittleEndian(sb, 0x401000, 8);
        assertEquals("0010400000000000", sb.toString());
        assertEquals(0x401000, Rsp.littleEndian(Rsp.unhex("0010400000000000", 0, 16), 0, 8));
    }

    @Test
    void targetDescriptionMatchesTheRegisterLayout() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);   // gdb's own DTD
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(X86Registers.TARGET_XML));
        assertEquals("i386:x86-64", doc.getElementsByTagName("architecture").item(0).getTextContent());
        NodeList regs = doc.getElementsByTagName("reg");
        assertEquals(X86Registers.COUNT, regs.getLength());
        int bytes = 0;
        for (int i = 0; i < regs.getLength(); i++) {
            Element r = (Element) regs.item(i);
            assertEquals(i, Integer.parseInt(r.getAttribute("regnum")));
            assertEquals(X86Registers.NAMES[i], r.getAttribute("name"));
            assertEquals(8 * X86Registers.size(i), Integer.parseInt(r.getAttribute("bitsize")));
            assertEquals(bytes, X86Registers.offset(i));
            bytes += X86Registers.size(i);
        }
        assertEquals(X86Registers.G_BYTES, bytes);
        assertEquals(292, bytes);
        assertEquals("rip", X86Registers.NAMES[X86Registers.RIP]);
        assertEquals("fs_base", X86Registers.NAMES[X86Registers.FS_BASE]);
        // kvm_regs order: rax rbx rcx rdx rsi rdi rsp rbp r8..r15 rip rflags
        assertEquals(7, X86Registers.kvmIndex(X86Registers.RBP));
        assertEquals(6, X86Registers.kvmIndex(X86Registers.RSP));
        assertEquals(16, X86Registers.kvmIndex(X86Registers.RIP));
        assertEquals(17, X86Registers.kvmIndex(X86Registers.EFLAGS));
    }

    @Test
    void exitRepliesSayWhatANativeProcessWouldHaveDone() {
        assertEquals("W03", GdbSession.exitReply(new GuestDebugger.End(io.torovj.lifecycle.Ending.EXITED, 3, null)));
        assertEquals("W00", GdbSession.exitReply(new GuestDebugger.End(io.torovj.lifecycle.Ending.EXITED, 0, null)));
        assertEquals("X0b", GdbSession.exitReply(new GuestDebugger.End(io.torovj.lifecycle.Ending.FAULT, 139, "")));
        assertEquals("X0a", GdbSession.exitReply(new GuestDebugger.End(io.torovj.lifecycle.Ending.FAULT, 135, "")),
                "SIGBUS in gdb's numbering");
        assertEquals("X09", GdbSession.exitReply(new GuestDebugger.End(io.torovj.lifecycle.Ending.DEBUGGER_KILL, 137, "")));
        assertEquals(GuestDebugger.SIGSEGV, GuestDebugger.signalFor(14));
        assertEquals(GuestDebugger.SIGTRAP, GuestDebugger.signalFor(3));
        assertEquals(GuestDebugger.SIGTRAP, GuestDebugger.signalFor(1));
        assertEquals(GuestDebugger.SIGILL, GuestDebugger.signalFor(6));
        assertEquals(GuestDebugger.SIGFPE, GuestDebugger.signalFor(0));
        assertEquals(GuestDebugger.SIGBUS, GuestDebugger.signalFor(17));
    }
}
