package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.gdb.GdbServer;
import io.torovj.policy.PolicyFile;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.LibC;
import io.torovj.log.MonitorLog;
import io.torovj.transport.TransportRegistry;
import io.torovj.lifecycle.Ending;
import io.torovj.vmm.Platform;
import io.torovj.vmm.Vm;
import io.torovj.vmm.VmConfig;
import io.torovj.vmm.VmResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The GDB stub spoken to over a plain socket: malformed, oversized and hostile packets get
 * errors and the stub keeps serving; ctrl-C, stepping, breakpoints, guest faults, kill and
 * detach behave as gdb expects. The VM runs in this JVM (so its result can be checked) with a
 * wall-clock limit as a safety net; every test is bounded by assertTimeoutPreemptively.
 */
class GdbProtocolTest {
    private static final Duration LIMIT = Duration.ofSeconds(90);
    private static final ExecutorService VMS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "gdb-test-vm");
        t.setDaemon(true);
        return t;
    });

    @AfterAll
    static void shutdown() {
        VMS.shutdownNow();
    }

    static Stream<Platform.Kind> platforms() {
        return GuestRun.platforms();
    }


    @ParameterizedTest
    @MethodSource("platforms")
    void malformedAndHostilePacketsGetErrorsAndTheStubKeepsServing(Platform.Kind platform) throws Exception {
        GuestRun.assumePlatform(platform);
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Debuggee vm = Debuggee.start(platform, "pio", "gdbtarget")) {
              try (Client c = Client.connect(vm.port())) {
                // checksums: a bad one is NAKed, the stub carries on
                c.raw("$?#00");
                assertEquals('-', c.readByte());
                c.raw("$g#zz");
                assertEquals('-', c.readByte());
                assertTrue(c.command("?").startsWith("T05"), "halted at the entry point");
                // line noise outside packets is ignored
                byte[] junk = new byte[4096];
                new Random(5).nextBytes(junk);
                for (int i = 0; i < junk.length; i++) {
                    if (junk[i] == '$' || junk[i] == '-' || junk[i] == 0x03) junk[i] = 'z';
                }
                c.raw(junk);
                assertEquals("QC1", c.command("qC"));
                // an oversized packet (beyond PacketSize): acknowledged, refused, still serving
                assertTrue(c.command("qSupported:swbreak+").contains("PacketSize=4000"));
                assertEquals("E01", c.command("m" + "1".repeat(0x5000)));
                assertTrue(c.command("?").startsWith("T05"));
                // an unfinished packet followed by a new one: the new one counts
                c.raw("$m40");
                assertEquals("QC1", c.command("qC"));

                // memory reads outside guest RAM, huge lengths, garbage
                for (String p : List.of("m0,4", "mfff,1", "m3fe00000,4", "m800000,1", "mffffffffffffffff,10", "m7fffffffffffffff,1")) {
                    assertEquals("E14", c.command(p), p);
                }
                assertEquals("E22", c.command("m401000,ffffffff"));
                assertEquals("E22", c.command("m401000,ffffffffffffffff"));
                for (String p : List.of("m401000", "mzz,1", "m,", "m11112222333344445,1", "m401000,", "m-1,1")) {
                    assertEquals("E01", c.command(p), p);
                }
                assertEquals(4, c.command("m7ffffe,10").length(), "a read running off the end of RAM is cut short");
                // memory writes outside guest RAM or into the system pages
                for (String p : List.of("M3fe00000,1:00", "M0,1:00", "M2000,1:00", "Mb000,1:cc", "M7ffffe,4:00000000",
                        "Mffffffffffffffff,2:0000")) {
                    assertEquals("E14", c.command(p), p);
                }
                for (String p : List.of("M401000,2:zz00", "M401000,2:00", "M401000", "M401000,1")) {
                    assertEquals("E01", c.command(p), p);
                }
                assertEquals("E22", c.command("M401000,99999:00"));
                assertEquals("E14", c.command("X3fe00000,1:a"));
                assertEquals("E01", c.command("X401000,5:ab"));

                // binary writes with escapes, read back; the X probe
                long sp = ByteBuffer.wrap(unhex(c.command("p7"))).order(ByteOrder.LITTLE_ENDIAN).getLong();
                assertTrue(sp > 0x800000 - 256 * 1024 && sp < 0x800000, "rsp in the stack at the top of RAM: " + sp);
                long scratch = (sp - 512) & ~15L;
                String at = Long.toHexString(scratch);
                assertEquals("OK", c.command("X" + at + ",0:"));
                byte[] x = ("X" + at + ",5:").getBytes(StandardCharsets.ISO_8859_1);
                byte[] payload = {'}', '#' ^ 0x20, '}', '$' ^ 0x20, '}', '}' ^ 0x20, '}', '*' ^ 0x20, 0};
                assertEquals("OK", c.command(concat(x, payload)));
                assertEquals("23247d2a00", c.command("m" + at + ",5"));
                assertEquals("OK", c.command("M" + at + ",2:beef"));
                assertEquals("beef", c.command("m" + at + ",2"));

                // registers
                String g = c.command("g");
                assertEquals(2 * 292, g.length(), g);
                assertTrue(g.contains("x"), "x87 registers are unavailable");
                assertEquals(le(vm.entry(), 8), c.command("p10"), "rip = the ELF entry point");
                assertEquals("E01", c.command("p63"));
                assertEquals("E01", c.command("pzz"));
                assertEquals("E22", c.command("P10=0000000000000080"), "a non-canonical rip");
                assertEquals("E22", c.command("P10=0000000000400000"), "a rip outside guest RAM");
                assertEquals("E22", c.command("P7=0000000000000080"), "a non-canonical rsp");
                assertEquals("E01", c.command("c3fe00000"), "continue at an address outside guest RAM");
                assertEquals("OK", c.command("P10=" + le(vm.entry(), 8)), "rip: where it is");
                assertEquals("E01", c.command("P10=00"));
                assertEquals("E01", c.command("P12=23000000"), "cs is not writable");
                assertEquals("E01", c.command("P0=2a000000000000zz"));
                assertEquals("OK", c.command("P0=2a00000000000000"));
                assertEquals("2a00000000000000", c.command("p0"));
                assertEquals("E01", c.command("G1234"));
                assertEquals("OK", c.command("G" + g.replace("2a00000000000000", "0000000000000000")),
                        "G with gdb's own values (x for the unavailable registers)");
                assertEquals("0000000000000000", c.command("p0"));

                // breakpoints where they cannot go; unsupported kinds
                assertEquals("E14", c.command("Z0,0,1"));
                assertEquals("E14", c.command("Z0,3fe00000,1"));
                assertEquals("E14", c.command("Z0,2000,1"), "not in the system pages");
                assertEquals("E01", c.command("Z0,zz,1"));
                assertEquals("E01", c.command("Z0"));
                assertEquals("", c.command("Z1,401000,1"));
                assertEquals("", c.command("Z2,401000,4"));

                // unknown and unsupported packets: the empty response
                for (String p : List.of("qFooBar", "vFooBar", "QFoo", "!", "vMustReplyEmpty", "qTStatus", "j")) {
                    assertEquals("", c.command(p), p);
                }
                assertEquals("E01", c.command("vCont;x"));
                assertEquals("E01", c.command("vCont;r1,2"));
                assertEquals("E01", c.command("vCont;"));
                assertEquals("E01", c.command("Cxyz"));
                assertEquals("vCont;c;C;s;S", c.command("vCont?"));
                assertEquals("OK", c.command("Hg1"));
                assertEquals("OK", c.command("Hc-1"));
                assertEquals("E01", c.command("Hg7"));
                assertEquals("OK", c.command("T1"));
                assertEquals("E01", c.command("T7"));
                assertEquals("m1", c.command("qfThreadInfo"));
                assertEquals("l", c.command("qsThreadInfo"));
                assertEquals("1", c.command("qAttached"));

                // the target description
                String xml = c.command("qXfer:features:read:target.xml:0,3fff");
                assertTrue(xml.startsWith("l<?xml"), xml);
                assertTrue(xml.contains("<architecture>i386:x86-64</architecture>"));
                for (String reg : List.of("rax", "r15", "rip", "eflags", "cs", "gs", "fs_base", "gs_base")) {
                    assertTrue(xml.contains("name=\"" + reg + "\""), reg);
                }
                assertTrue(c.command("qXfer:features:read:target.xml:0,10").startsWith("m<?xml"));
                assertEquals("l", c.command("qXfer:features:read:target.xml:ffff,10"));
                assertEquals("E00", c.command("qXfer:features:read:other.xml:0,10"));
                assertEquals("E01", c.command("qXfer:features:read:target.xml:zz"));

                // still serving: detach and let the guest finish
                assertEquals("OK", c.command("D"));
              }
                VmResult r = vm.await();
                assertEquals(Ending.EXITED, r.ending(), r.report());
                assertEquals(3, r.status());
                assertTrue(vm.stdout().contains("gdbtarget: total=100 calls=5"), vm.stdout());
            }
        });
    }

    @ParameterizedTest
    @MethodSource("platforms")
    void clientsThatDisconnectMidPacketLeaveTheStubServing(Platform.Kind platform) throws Exception {
        GuestRun.assumePlatform(platform);
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Debuggee vm = Debuggee.start(platform, "ring", "gdbtarget")) {
                try (Client c = Client.connect(vm.port())) {
                    c.raw("$m4010");            // and gone
                }
                try (Client c = Client.connect(vm.port())) {
                    assertTrue(c.command("?").startsWith("T05"));
                    assertEquals("OK", c.command("Z0," + Long.toHexString(vm.entry()) + ",1"));
                    c.raw("$g#6");              // gone in the checksum; the breakpoint is lifted
                }
                try (Client c = Client.connect(vm.port())) {
                    c.close();                  // connect and leave at once
                }
                try (Client c = Client.connect(vm.port())) {
                    assertTrue(c.command("?").startsWith("T05"), "still halted at the entry point");
                    assertEquals("31", c.command("m" + Long.toHexString(vm.entry()) + ",1"), "xor %ebp,%ebp");
                    assertEquals("T05thread:1;", c.command("s"), "no int3 left behind");
                    assertEquals(le(vm.entry() + 2, 8), c.command("p10"));
                    c.raw("k");
                    c.sendOnly("k");
                    VmResult r = vm.await();
                    assertEquals(Ending.DEBUGGER_KILL, r.ending(), r.report());
                    assertEquals(137, r.status());
                    assertEquals("killed by the debugger", r.report());
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void ctrlCInterruptsARunningGuestAndStepsWork(Platform.Kind platform, String transport) throws Exception {
        GuestRun.assumePlatform(platform);
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Debuggee vm = Debuggee.start(platform, transport, "gdbtarget", "-1");
                 Client c = Client.connect(vm.port())) {
                c.command("QStartNoAckMode");
                c.noAck();
                assertTrue(c.command("?").startsWith("T05"));
                // step off the entry point: one instruction (xor %ebp,%ebp is 2 bytes)
                assertEquals("T05thread:1;", c.command("vCont;s:1"));
                assertEquals(le(vm.entry() + 2, 8), c.command("p10"));
                for (int round = 0; round < 3; round++) {
                    c.sendOnly("vCont;c");
                    Thread.sleep(150);
                    assertEquals("E02", c.command("g"), "registers of a running guest");
                    c.raw(new byte[] {0x03});
                    assertEquals("T02thread:1;", c.readPacket(), "ctrl-C: SIGINT");
                    String rip = c.command("p10");
                    assertEquals(16, rip.length());
                    String step = c.command("s");
                    assertTrue(step.startsWith("T05"), step);
                    assertNotEquals(rip, c.command("p10"), "one instruction further");
                }
                long calls = readLong(c, vm.symbol("tick_calls"));
                assertTrue(calls > 0, "the guest ran: " + calls);
                c.sendOnly("k");
                VmResult r = vm.await();
                assertEquals(Ending.DEBUGGER_KILL, r.ending(), r.report());
            }
        });
    }

    @ParameterizedTest
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void breakpointsStopInASyscallLoopAndStayHidden(Platform.Kind platform, String transport) throws Exception {
        GuestRun.assumePlatform(platform);
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Debuggee vm = Debuggee.start(platform, transport, "gdbtarget");
                 Client c = Client.connect(vm.port())) {
                assertTrue(c.command("qSupported:swbreak+;hwbreak+").contains("swbreak+"));
                assertTrue(c.command("?").startsWith("T05"));
                String entry = Long.toHexString(vm.entry());
                // a breakpoint at the current rip: stepping over it runs the real instruction
                assertEquals("OK", c.command("Z0," + entry + ",1"));
                assertEquals("31ed", c.command("m" + entry + ",2"), "the int3 is hidden");
                assertEquals("T05thread:1;", c.command("s"));
                assertEquals(le(vm.entry() + 2, 8), c.command("p10"));
                assertEquals("31ed", c.command("m" + entry + ",2"), "planted again, still hidden");
                assertEquals("OK", c.command("z0," + entry + ",1"));
                assertEquals("OK", c.command("z0," + entry + ",1"), "removing twice is fine");
                // a breakpoint in tick, inside the syscall loop: hit three times, then removed
                long tick = vm.symbol("tick");
                assertEquals("OK", c.command("Z0," + Long.toHexString(tick) + ",1"));
                for (int hit = 0; hit < 3; hit++) {
                    assertEquals("T05thread:1;swbreak:;", c.command("vCont;c"), "hit " + hit);
                    assertEquals(le(tick, 8), c.command("p10"), "rip rewound to the breakpoint");
                    assertEquals(hit, (int) readLong(c, vm.symbol("tick_calls")));
                }
                assertEquals("OK", c.command("z0," + Long.toHexString(tick) + ",1"));
                c.sendOnly("c");
                assertEquals("W03", c.readPacket(), "the guest's exit status");
                VmResult r = vm.await();
                assertEquals(Ending.EXITED, r.ending(), r.report());
                assertEquals(3, r.status());
                assertTrue(vm.stdout().contains("tick 4\ngdbtarget: total=100 calls=5"), vm.stdout());
            }
        });
    }

    @ParameterizedTest
    @MethodSource("platforms")
    void guestFaultsStopInTheDebuggerResumeAndEndTheVmWhenPassedOn(Platform.Kind platform) throws Exception {
        GuestRun.assumePlatform(platform);
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Debuggee vm = Debuggee.start(platform, "pio", "nullread");
                 Client c = Client.connect(vm.port())) {
                assertTrue(c.command("?").startsWith("T05"));
                assertEquals("T0bthread:1;", c.command("c"), "#PF: SIGSEGV");
                String rip = c.command("p10");
                assertEquals("T0bthread:1;", c.command("c"), "resumed at the load: faults again");
                assertEquals(rip, c.command("p10"));
                c.sendOnly("C0b");
                assertEquals("X0b", c.readPacket(), "SIGSEGV passed on: the VM ends as without a debugger");
                VmResult r = vm.await();
                assertEquals(Ending.FAULT, r.ending(), r.report());
                assertEquals(139, r.status());
                assertTrue(r.report().startsWith("guest fault: #PF (page fault) at rip=0x"
                        + Long.toHexString(ByteBuffer.wrap(unhex(rip)).order(ByteOrder.LITTLE_ENDIAN).getLong())
                        + " addr=0x0 error=0x4"), r.report());
                assertEquals(14, r.fault().vector());
            }
        });
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void anOutToTheFaultPortFromUserCodeIsAGeneralProtectionFault(Platform.Kind platform, String transport) throws Exception {
        GuestRun.assumePlatform(platform);
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Debuggee vm = Debuggee.start(platform, transport, "doorbellabuse", "fault-port-garbage");
                 Client c = Client.connect(vm.port())) {
                assertTrue(c.command("?").startsWith("T05"));
                // the port is not in the I/O bitmap: #GP at the out, a real exception (no forged report)
                assertEquals("T0bthread:1;", c.command("c"), "#GP: SIGSEGV");
                c.sendOnly("C0b");
                assertEquals("X0b", c.readPacket(), "SIGSEGV passed on: the VM ends as without a debugger");
                VmResult r = vm.await();
                assertEquals(Ending.FAULT, r.ending(), r.report());
                assertEquals(139, r.status());
                assertEquals(13, r.fault().vector());
                assertTrue(r.report().startsWith("guest fault: #GP (general protection)"), r.report());
                assertTrue(r.report().endsWith("(1-byte out to I/O port 0xf0, not granted to the guest)"), r.report());
            }
        });
    }

    // ---- helpers ----

    private static long readLong(Client c, long address) throws IOException {
        String hex = c.command("m" + Long.toHexString(address) + ",8");
        return ByteBuffer.wrap(unhex(hex)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** value as n little-endian bytes in hex, as the g/p packets carry it. */
    static String le(long value, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(String.format("%02x", (value >>> (8 * i)) & 0xFF));
        return sb.toString();
    }

    static byte[] unhex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** A VM under a {@link GdbServer} on a free loopback port, running on a thread of this JVM. */
    static final class Debuggee implements AutoCloseable {
        private final GdbServer server;
        private final Future<VmResult> result;
        private final Path dir, out;
        private final int outFd, errFd;
        private final Path elf;

        private Debuggee(GdbServer server, Future<VmResult> result, Path dir, Path out, int outFd, int errFd, Path elf) {
            this.server = server;
            this.result = result;
            this.dir = dir;
            this.out = out;
            this.outFd = outFd;
            this.errFd = errFd;
            this.elf = elf;
        }

        static Debuggee start(Platform.Kind platform, String transport, String program, String... args) throws Exception {
            SyscallPolicy policy = PolicyFile.parse("{\"allow\": [\"read\", \"write\", \"close\", \"fstat\", \"lseek\", "
                    + "\"exit\", \"exit_group\", \"getpid\", \"brk\", \"mmap\", \"munmap\"], "
                    + "\"limits\": {\"wallClock\": \"80s\"}}", "test policy");
            Path dir = Files.createTempDirectory("torovj-gdb");
            Path out = dir.resolve("stdout"), err = dir.resolve("stderr");
            int outFd = LibC.INSTANCE.open(out.toString(), 0x1 | 0x40 | 0x200 | 0x80000, 0600);
            int errFd = LibC.INSTANCE.open(err.toString(), 0x1 | 0x40 | 0x200 | 0x80000, 0600);
            List<String> argv = new ArrayList<>();
            argv.add(program);
            argv.addAll(List.of(args));
            VmConfig config = GuestRun.config(platform, program).argv(argv).transport(transport).policy(policy)
                    .stdio(0, outFd, errFd).log(new MonitorLog(new PrintStream(OutputStream.nullOutputStream()))).build();
            GdbServer server = GdbServer.listen("127.0.0.1", 0);
            Future<VmResult> result = VMS.submit(() -> Vm.run(config, TransportRegistry.load(), server));
            return new Debuggee(server, result, dir, out, outFd, errFd, GuestRun.guest(program));
        }

        int port() {
            return server.port();
        }

        VmResult await() throws Exception {
            return result.get(60, TimeUnit.SECONDS);
        }

        String stdout() throws IOException {
            return Files.readString(out);
        }

        long entry() throws IOException {
            return ByteBuffer.wrap(Files.readAllBytes(elf)).order(ByteOrder.LITTLE_ENDIAN).getLong(24);
        }

        /** A symbol's address, from the ELF's symbol table. */
        long symbol(String name) throws IOException {
            ByteBuffer f = ByteBuffer.wrap(Files.readAllBytes(elf)).order(ByteOrder.LITTLE_ENDIAN);
            long shoff = f.getLong(0x28);
            int shentsize = f.getShort(0x3A) & 0xFFFF, shnum = f.getShort(0x3C) & 0xFFFF;
            for (int i = 0; i < shnum; i++) {
                int sh = (int) (shoff + (long) i * shentsize);
                if (f.getInt(sh + 4) != 2) continue;                  // SHT_SYMTAB
                int strtab = (int) (shoff + (long) f.getInt(sh + 0x28) * shentsize);
                long strOff = f.getLong(strtab + 0x18);
                long symOff = f.getLong(sh + 0x18), size = f.getLong(sh + 0x20);
                for (long s = symOff; s < symOff + size; s += 24) {
                    int nameOff = f.getInt((int) s);
                    StringBuilder sb = new StringBuilder();
                    for (int k = (int) (strOff + nameOff); f.get(k) != 0; k++) sb.append((char) f.get(k));
                    if (sb.toString().equals(name)) return f.getLong((int) s + 8);
                }
            }
            throw new IllegalStateException("no symbol " + name + " in " + elf);
        }

        @Override
        public void close() throws Exception {
            server.close();
            try {
                if (!result.isDone()) result.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the wall-clock limit ends a guest left running
            }
            LibC.INSTANCE.close(outFd);
            LibC.INSTANCE.close(errFd);
            Files.deleteIfExists(out);
            Files.deleteIfExists(dir.resolve("stderr"));
            Files.deleteIfExists(dir);
        }
    }

    /** A minimal RSP client: packets, acks, raw bytes. */
    static final class Client implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private boolean ack = true;

        private Client(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(30_000);
            socket.setTcpNoDelay(true);
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        static Client connect(int port) throws IOException {
            return new Client(new Socket("127.0.0.1", port));
        }

        void noAck() {
            ack = false;
        }

        void raw(String s) throws IOException {
            raw(s.getBytes(StandardCharsets.ISO_8859_1));
        }

        void raw(byte[] b) throws IOException {
            out.write(b);
            out.flush();
        }

        int readByte() throws IOException {
            return in.read();
        }

        void sendOnly(String payload) throws IOException {
            sendOnly(payload.getBytes(StandardCharsets.ISO_8859_1));
        }

        void sendOnly(byte[] payload) throws IOException {
            int sum = 0;
            for (byte b : payload) sum += b & 0xFF;
            ByteArrayOutputStream p = new ByteArrayOutputStream();
            p.write('$');
            p.write(payload);
            p.write(String.format("#%02x", sum & 0xFF).getBytes(StandardCharsets.ISO_8859_1));
            raw(p.toByteArray());
            if (ack) {
                int a = in.read();
                assertEquals('+', a, "ack for " + new String(payload, 0, Math.min(40, payload.length), StandardCharsets.ISO_8859_1));
            }
        }

        String command(String payload) throws IOException {
            sendOnly(payload);
            return readPacket();
        }

        String command(byte[] payload) throws IOException {
            sendOnly(payload);
            return readPacket();
        }

        /** The next packet's data (escapes removed), acknowledged; checks the checksum. */
        String readPacket() throws IOException {
            int c;
            while ((c = in.read()) != '$') {
                if (c < 0) throw new IOException("connection closed");
                assertFalse(c != '+', "unexpected byte " + c + " between packets");
            }
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            int sum = 0;
            while ((c = in.read()) != '#') {
                if (c < 0) throw new IOException("connection closed in a packet");
                sum += c;
                if (c == '}') {
                    int e = in.read();
                    sum += e;
                    data.write(e ^ 0x20);
                } else {
                    data.write(c);
                }
            }
            String check = new String(new byte[] {(byte) in.read(), (byte) in.read()}, StandardCharsets.ISO_8859_1);
            assertEquals(sum & 0xFF, Integer.parseInt(check, 16), "checksum");
            if (ack) raw("+");
            return data.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
