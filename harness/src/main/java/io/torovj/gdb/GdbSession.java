package io.torovj.gdb;

import io.torovj.lifecycle.Ending;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One gdb connection, all-stop mode, a single thread (id 1). A reader thread turns the byte
 * stream into events (packets with a verified checksum, bad packets, ctrl-C, NAKs, the end of
 * the stream); this object handles them one at a time on the server thread, which is the only
 * writer of the socket. Stops of the guest and the end of the VM arrive as wake-ups from the
 * vCPU thread. Anything malformed or hostile is answered with an error packet; nothing a
 * client sends can make this throw or wait forever.
 */
final class GdbSession {
    /** Largest packet data we accept (the PacketSize we advertise). */
    static final int PACKET_SIZE = 0x4000;
    /** Largest memory transfer per m, M or X packet. */
    static final int MAX_MEMORY = PACKET_SIZE / 2;
    private static final int QUEUE = 256;

    private enum Type { PACKET, BAD, OVERSIZED, INTERRUPT, NACK, DISCONNECT, WAKE }

    private record Event(Type type, byte[] data) {}

    private static final Event WAKE = new Event(Type.WAKE, null);

    private final Socket socket;
    private final GuestDebugger target;
    private final BlockingQueue<Event> events = new ArrayBlockingQueue<>(QUEUE);
    private volatile boolean closed;
    private OutputStream out;
    private boolean ackMode = true;
    private boolean swbreak;
    private boolean oweStop;            // a resume is in progress: gdb waits for a stop reply
    private byte[] lastPacket;

    GdbSession(Socket socket, GuestDebugger target) {
        this.socket = socket;
        this.target = target;
    }

    /** Serves the connection until it ends; true if the VM ended (no further connection will be served). */
    boolean run() {
        Thread reader = new Thread(this::readLoop, "torovj-gdb-reader");
        reader.setDaemon(true);
        try {
            out = new BufferedOutputStream(socket.getOutputStream(), 2 * PACKET_SIZE + 16);
            target.setListener(() -> events.offer(WAKE));
            target.attach();
            reader.start();
            for (;;) {
                Event e = events.poll(500, TimeUnit.MILLISECONDS);
                if (e != null) {
                    switch (e.type()) {
                        case PACKET -> {
                            if (ackMode) out.write('+');        // flushed with the reply, or just below
                            boolean more = handle(e.data());
                            out.flush();
                            if (!more) return target.end() != null;
                        }
                        case BAD -> {
                            if (ackMode) write(new byte[] {'-'});
                        }
                        case OVERSIZED -> {
                            if (ackMode) write(new byte[] {'+'});
                            send("E01");
                        }
                        case INTERRUPT -> target.requestInterrupt();
                        case NACK -> {
                            if (ackMode && lastPacket != null) write(lastPacket);
                        }
                        case DISCONNECT -> {
                            target.release(false);
                            return target.end() != null;
                        }
                        case WAKE -> { }
                    }
                }
                GuestDebugger.End end = target.end();
                if (end != null) {
                    if (oweStop) send(exitReply(end));
                    return true;
                }
                GuestDebugger.Stop stop = target.stop();
                if (oweStop && stop != null) {
                    oweStop = false;
                    send(stopReply(stop));
                }
            }
        } catch (IOException e) {
            target.release(false);
            return target.end() != null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            target.release(false);
            return true;
        } finally {
            target.setListener(null);
            closed = true;
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    // ---- reading: framing and checksums ----

    private void readLoop() {
        final int idle = 0, data = 1, check1 = 2, check2 = 3;
        byte[] buf = new byte[PACKET_SIZE];
        int state = idle, len = 0, sum = 0, check = 0;
        boolean oversized = false;
        try {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (;;) {
                int c = in.read();
                if (c < 0) break;
                switch (state) {
                    case idle -> {
                        if (c == '$') {
                            state = data;
                            len = 0;
                            sum = 0;
                            oversized = false;
                        } else if (c == 0x03) {
                            post(new Event(Type.INTERRUPT, null));
                        } else if (c == '-') {
                            post(new Event(Type.NACK, null));
                        }
                        // '+' acknowledges our last packet; anything else is line noise
                    }
                    case data -> {
                        if (c == '#') {
                            state = check1;
                        } else if (c == '$') {      // a new packet starts: drop the unfinished one
                            len = 0;
                            sum = 0;
                            oversized = false;
                        } else {
                            sum += c;
                            if (len < buf.length) buf[len++] = (byte) c;
                            else oversized = true;
                        }
                    }
                    case check1 -> {
                        int d = Rsp.hexDigit(c);
                        if (d < 0) {
                            post(new Event(Type.BAD, null));
                            state = idle;
                        } else {
                            check = d << 4;
                            state = check2;
                        }
                    }
                    default -> {
                        int d = Rsp.hexDigit(c);
                        state = idle;
                        if (d < 0 || (check | d) != (sum & 0xFF)) {
                            post(new Event(Type.BAD, null));
                        } else if (oversized) {
                            post(new Event(Type.OVERSIZED, null));
                        } else {
                            post(new Event(Type.PACKET, java.util.Arrays.copyOf(buf, len)));
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the connection is gone
        }
        post(new Event(Type.DISCONNECT, null));
    }

    /** Queues an event; waits while the queue is full (back-pressure on the client) unless the session ended. */
    private void post(Event e) {
        try {
            while (!closed && !events.offer(e, 100, TimeUnit.MILLISECONDS)) {
                // the session is busy: stop reading until it catches up
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- writing ----

    private void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    private void send(String reply) throws IOException {
        send(reply.getBytes(StandardCharsets.ISO_8859_1));
    }

    private void send(byte[] reply) throws IOException {
        lastPacket = Rsp.frame(reply, true);
        write(lastPacket);
    }

    // ---- packets ----

    /** Handles one packet; false if the session is over (detach). */
    private boolean handle(byte[] raw) throws IOException {
        String p = new String(raw, StandardCharsets.ISO_8859_1);
        if (p.isEmpty()) {
            send("");
            return true;
        }
        switch (p.charAt(0)) {
            case '?' -> {
                GuestDebugger.Stop s = stopped();
                if (s != null) {
                    send(stopReply(s));
                } else {
                    oweStop = true;         // answered when the guest stops
                    target.requestInterrupt();
                }
            }
            case 'g' -> send(p.length() == 1 ? readRegisters() : "E01");
            case 'G' -> send(writeRegisters(p));
            case 'p' -> send(readRegister(p));
            case 'P' -> send(writeRegister(p));
            case 'm' -> send(readMemory(p));
            case 'M' -> send(writeMemory(p));
            case 'X' -> send(writeBinary(raw));
            case 'Z', 'z' -> send(breakpoint(p));
            case 'c', 's' -> resume(p.charAt(0) == 's' ? GuestDebugger.Action.STEP : GuestDebugger.Action.CONTINUE,
                    0, p.substring(1));
            case 'C', 'S' -> {
                int semi = p.indexOf(';');
                long sig = Rsp.parseHex(p, 1, semi < 0 ? p.length() : semi);
                if (sig == Rsp.BAD || sig > 0xFF) {
                    send("E01");
                } else {
                    resume(p.charAt(0) == 'S' ? GuestDebugger.Action.STEP : GuestDebugger.Action.CONTINUE,
                            (int) sig, semi < 0 ? "" : p.substring(semi + 1));
                }
            }
            case 'v' -> {
                if (!vPacket(p)) return false;
            }
            case 'q' -> query(p, raw);
            case 'Q' -> {
                if (p.equals("QStartNoAckMode")) {
                    send("OK");
                    ackMode = false;
                } else {
                    send("");
                }
            }
            case 'H' -> {
                String id = p.length() > 2 ? p.substring(2) : "";
                send(thread(id) ? "OK" : "E01");
            }
            case 'T' -> send(p.substring(1).equals("1") || p.substring(1).equals("01") ? "OK" : "E01");
            case 'k' -> {
                oweStop = false;
                target.kill();
            }
            case 'D' -> {
                send("OK");
                target.release(true);
                return false;
            }
            default -> send("");
        }
        return true;
    }

    /** The stopped guest, waiting briefly if we just asked it to stop (a new connection); null if it runs. */
    private GuestDebugger.Stop stopped() {
        GuestDebugger.Stop s = target.stop();
        return s != null ? s : target.awaitStop(2000);
    }

    private String stopReply(GuestDebugger.Stop s) {
        return "T" + Rsp.hex2(s.signal) + "thread:1;" + (s.swbreak && swbreak ? "swbreak:;" : "");
    }

    /** W (exited) or X (killed by a signal), with the status a native process would have had. */
    static String exitReply(GuestDebugger.End end) {
        int status = end.status();
        if (end.ending() != io.torovj.lifecycle.Ending.EXITED && status > 128 && status < 160) {
            int sig = status - 128;
            return "X" + Rsp.hex2(sig == 7 ? GuestDebugger.SIGBUS : sig);
        }
        return "W" + Rsp.hex2(status & 0xFF);
    }

    private static boolean thread(String id) {
        if (id.startsWith("p")) {
            int dot = id.indexOf('.');
            if (dot < 0) return true;
            id = id.substring(dot + 1);
        }
        return id.isEmpty() || id.equals("0") || id.equals("-1") || id.equals("1") || id.equals("01");
    }

    private void resume(GuestDebugger.Action action, int signal, String address) throws IOException {
        if (stopped() == null) {
            send("E02");
            return;
        }
        if (!address.isEmpty()) {
            long addr = Rsp.parseHex(address);
            if (addr == Rsp.BAD || !target.setRegister(X86Registers.RIP, addr)) {
                send("E01");
                return;
            }
        }
        if (target.resume(action, signal)) {
            oweStop = true;
        } else {
            send("E02");
        }
    }

    private boolean vPacket(String p) throws IOException {
        if (p.equals("vCont?")) {
            send("vCont;c;C;s;S");
        } else if (p.startsWith("vCont;")) {
            for (String a : p.substring(6).split(";", -1)) {
                int colon = a.indexOf(':');
                String action = colon < 0 ? a : a.substring(0, colon);
                if (colon >= 0 && !thread(a.substring(colon + 1))) continue;
                if (action.equals("c") || action.equals("s")) {
                    resume(action.equals("s") ? GuestDebugger.Action.STEP : GuestDebugger.Action.CONTINUE, 0, "");
                    return true;
                }
                if (action.length() == 3 && (action.charAt(0) == 'C' || action.charAt(0) == 'S')) {
                    long sig = Rsp.parseHex(action, 1, 3);
                    if (sig != Rsp.BAD) {
                        resume(action.charAt(0) == 'S' ? GuestDebugger.Action.STEP : GuestDebugger.Action.CONTINUE,
                                (int) sig, "");
                        return true;
                    }
                }
                send("E01");            // stop (t), range step (r) or garbage: not for this stub
                return true;
            }
            send("E01");
        } else if (p.startsWith("vKill")) {
            send("OK");
            oweStop = false;
            target.kill();
        } else {
            send("");                   // vMustReplyEmpty, vFile, vRun, ...: not supported
        }
        return true;
    }

    private void query(String p, byte[] raw) throws IOException {
        if (p.startsWith("qSupported")) {
            swbreak = p.contains("swbreak+");
            send("PacketSize=" + Integer.toHexString(PACKET_SIZE) + ";qXfer:features:read+;QStartNoAckMode+"
                    + (swbreak ? ";swbreak+" : ""));
        } else if (p.startsWith("qXfer:features:read:")) {
            send(features(p.substring("qXfer:features:read:".length())));
        } else if (p.equals("qAttached") || p.startsWith("qAttached:")) {
            send("1");
        } else if (p.equals("qC")) {
            send("QC1");
        } else if (p.equals("qfThreadInfo")) {
            send("m1");
        } else if (p.equals("qsThreadInfo")) {
            send("l");
        } else if (p.equals("qOffsets")) {
            send("Text=0;Data=0;Bss=0");
        } else if (p.startsWith("qSymbol")) {
            send("OK");
        } else {
            send("");
        }
    }

    private byte[] features(String args) {
        int colon = args.indexOf(':');
        if (colon < 0) return bytes("E01");
        if (!args.substring(0, colon).equals("target.xml")) return bytes("E00");
        String range = args.substring(colon + 1);
        int comma = range.indexOf(',');
        long offset = comma < 0 ? Rsp.BAD : Rsp.parseHex(range, 0, comma);
        long length = comma < 0 ? Rsp.BAD : Rsp.parseHex(range, comma + 1, range.length());
        if (offset == Rsp.BAD || length == Rsp.BAD || offset < 0 || length < 0) return bytes("E01");
        byte[] xml = X86Registers.TARGET_XML;
        if (offset >= xml.length) return bytes("l");
        int n = (int) Math.min(Math.min(length, xml.length - offset), MAX_MEMORY);
        byte[] reply = new byte[n + 1];
        reply[0] = (byte) (offset + n < xml.length ? 'm' : 'l');
        System.arraycopy(xml, (int) offset, reply, 1, n);
        return reply;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ---- registers ----

    private String readRegisters() {
        if (stopped() == null) return "E02";
        long[] regs = target.registers();
        if (regs == null) return "E02";
        StringBuilder sb = new StringBuilder(2 * X86Registers.G_BYTES);
        for (int i = 0; i < X86Registers.COUNT; i++) appendRegister(sb, regs, i);
        return sb.toString();
    }

    private static void appendRegister(StringBuilder sb, long[] regs, int i) {
        int size = X86Registers.size(i);
        if (X86Registers.unavailable(i)) sb.append("xx".repeat(size));
        else Rsp.appendLittleEndian(sb, regs[i], size);
    }

    private String writeRegisters(String p) {
        if (stopped() == null) return "E02";
        String hex = p.substring(1);
        if (hex.length() < 2 * X86Registers.GPR_BYTES || hex.length() > 2 * X86Registers.G_BYTES) return "E01";
        long[] values = new long[X86Registers.COUNT];
        boolean[] present = new boolean[X86Registers.COUNT];
        int at = 0;
        for (int i = 0; i < X86Registers.COUNT && at < hex.length(); i++) {
            int digits = 2 * X86Registers.size(i);
            if (at + digits > hex.length()) return "E01";
            String field = hex.substring(at, at + digits);
            at += digits;
            if (field.chars().allMatch(c -> c == 'x')) continue;      // unavailable: unchanged
            byte[] b = Rsp.unhex(field, 0, field.length());
            if (b == null) return "E01";
            values[i] = Rsp.littleEndian(b, 0, b.length);
            present[i] = true;
        }
        if (at != hex.length()) return "E01";
        // validate first (all or nothing), then apply; the registers gdb cannot change are ignored
        for (int i = 0; i <= X86Registers.EFLAGS; i++) {
            if (present[i] && !target.acceptable(i, values[i])) return "E22";
        }
        for (int i = 0; i <= X86Registers.EFLAGS; i++) {
            if (present[i] && !target.setRegister(i, values[i])) return "E02";
        }
        return "OK";
    }

    private String readRegister(String p) {
        long n = Rsp.parseHex(p, 1, p.length());
        if (n == Rsp.BAD || n < 0 || n >= X86Registers.COUNT) return "E01";
        if (stopped() == null) return "E02";
        long[] regs = target.registers();
        if (regs == null) return "E02";
        StringBuilder sb = new StringBuilder();
        appendRegister(sb, regs, (int) n);
        return sb.toString();
    }

    private String writeRegister(String p) {
        int eq = p.indexOf('=');
        if (eq < 0) return "E01";
        long n = Rsp.parseHex(p, 1, eq);
        if (n == Rsp.BAD || n < 0 || n >= X86Registers.COUNT) return "E01";
        int size = X86Registers.size((int) n);
        if (p.length() - eq - 1 != 2 * size) return "E01";
        byte[] b = Rsp.unhex(p, eq + 1, p.length());
        if (b == null) return "E01";
        if (stopped() == null) return "E02";
        if (!X86Registers.writable((int) n)) return "E01";
        return target.setRegister((int) n, Rsp.littleEndian(b, 0, size)) ? "OK" : "E22";
    }

    // ---- memory ----

    /** Parses "addr,length" of s[from, to); null if malformed. */
    private static long[] addressAndLength(String s, int from, int to) {
        int comma = s.indexOf(',', from);
        if (comma < 0 || comma >= to) return null;
        long addr = Rsp.parseHex(s, from, comma);
        long len = Rsp.parseHex(s, comma + 1, to);
        if (addr == Rsp.BAD || len == Rsp.BAD) return null;
        return new long[] {addr, len};
    }

    private String readMemory(String p) {
        long[] al = addressAndLength(p, 1, p.length());
        if (al == null) return "E01";
        if (al[1] < 0 || al[1] > MAX_MEMORY) return "E22";
        byte[] data = target.readMemory(al[0], (int) al[1]);
        if (data == null) return "E14";
        StringBuilder sb = new StringBuilder(2 * data.length);
        Rsp.appendHex(sb, data, 0, data.length);
        return sb.toString();
    }

    private String writeMemory(String p) {
        int colon = p.indexOf(':');
        if (colon < 0) return "E01";
        long[] al = addressAndLength(p, 1, colon);
        if (al == null) return "E01";
        if (al[1] < 0 || al[1] > MAX_MEMORY) return "E22";
        if (p.length() - colon - 1 != 2 * al[1]) return "E01";
        byte[] data = Rsp.unhex(p, colon + 1, p.length());
        if (data == null) return "E01";
        if (stopped() == null) return "E02";
        return target.writeMemory(al[0], data) ? "OK" : "E14";
    }

    private String writeBinary(byte[] raw) {
        int colon = -1;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon < 0) return "E01";
        String header = new String(raw, 0, colon, StandardCharsets.ISO_8859_1);
        long[] al = addressAndLength(header, 1, header.length());
        if (al == null) return "E01";
        if (al[1] < 0 || al[1] > MAX_MEMORY) return "E22";
        byte[] data = Rsp.unescape(raw, colon + 1, raw.length);
        if (data == null || data.length != al[1]) return "E01";
        if (stopped() == null) return "E02";
        return target.writeMemory(al[0], data) ? "OK" : "E14";
    }

    private String breakpoint(String p) {
        if (p.length() < 2 || p.charAt(1) != '0') return "";      // hardware breakpoints, watchpoints: not supported
        if (p.length() < 3 || p.charAt(2) != ',') return "E01";
        int end = p.indexOf(';');
        long[] al = addressAndLength(p, 3, end < 0 ? p.length() : end);   // addr,kind
        if (al == null) return "E01";
        if (stopped() == null) return "E02";
        if (p.charAt(0) == 'z') return target.removeBreakpoint(al[0]) ? "OK" : "E02";
        return switch (target.insertBreakpoint(al[0])) {
            case 0 -> "OK";
            case 1 -> "E14";
            case 2 -> "E22";
            default -> "E02";
        };
    }
}
