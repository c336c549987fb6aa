package io.torovj.gdb;

import java.io.ByteArrayOutputStream;

/**
 * GDB Remote Serial Protocol encodings: packet framing, checksums, hex, binary escapes. Every
 * parser is strict and never throws on hostile input: it returns a "bad" marker instead.
 */
final class Rsp {
    private Rsp() {}

    /** Returned by the parsers for malformed input. */
    static final long BAD = Long.MIN_VALUE;

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    static int hexDigit(int c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /** Sum of the bytes modulo 256, as the packet checksum. */
    static int checksum(byte[] data, int from, int to) {
        int sum = 0;
        for (int i = from; i < to; i++) sum += data[i] & 0xFF;
        return sum & 0xFF;
    }

    /** $data#xx, escaping the bytes the framing reserves ($ # } *) when {@code binary}. */
    static byte[] frame(byte[] data, boolean binary) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 8);
        out.write('$');
        int sum = 0;
        for (byte b : data) {
            if (binary && (b == '$' || b == '#' || b == '}' || b == '*')) {
                out.write('}');
                out.write(b ^ 0x20);
                sum += '}' + ((b ^ 0x20) & 0xFF);
            } else {
                out.write(b);
                sum += b & 0xFF;
            }
        }
        out.write('#');
        out.write(HEX[(sum >> 4) & 0xF]);
        out.write(HEX[sum & 0xF]);
        return out.toByteArray();
    }

    /** Parses an unsigned hex number of 1..16 digits in s[from, to); {@link #BAD} if malformed. */
    static long parseHex(String s, int from, int to) {
        if (from < 0 || to > s.length() || to <= from || to - from > 16) return BAD;
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = hexDigit(s.charAt(i));
            if (d < 0) return BAD;
            v = (v << 4) | d;
        }
        return v;
    }

    static long parseHex(String s) {
        return parseHex(s, 0, s.length());
    }

    /** Decodes pairs of hex digits; null if malformed. */
    static byte[] unhex(String s, int from, int to) {
        if (from > to || ((to - from) & 1) != 0) return null;
        byte[] out = new byte[(to - from) / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = hexDigit(s.charAt(from + 2 * i)), lo = hexDigit(s.charAt(from + 2 * i + 1));
            if (hi < 0 || lo < 0) return null;
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }

    static void appendHex(StringBuilder sb, byte[] data, int off, int len) {
        for (int i = 0; i < len; i++) {
            int b = data[off + i] & 0xFF;
            sb.append((char) HEX[b >> 4]).append((char) HEX[b & 0xF]);
        }
    }

    /** Appends {@code bytes} bytes of {@code value}, little-endian, as hex. */
    static void appendLittleEndian(StringBuilder sb, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            int b = (int) (i < 8 ? (value >>> (8 * i)) & 0xFF : 0);
            sb.append((char) HEX[b >> 4]).append((char) HEX[b & 0xF]);
        }
    }

    /** Reads {@code bytes} bytes (at most 8 significant) little-endian from data[off..]. */
    static long littleEndian(byte[] data, int off, int bytes) {
        long v = 0;
        for (int i = Math.min(bytes, 8) - 1; i >= 0; i--) v = (v << 8) | (data[off + i] & 0xFF);
        return v;
    }

    /** Removes the binary escapes (} then byte ^ 0x20) of X packet data; null if a } ends the data. */
    static byte[] unescape(byte[] raw, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(0, to - from));
        for (int i = from; i < to; i++) {
            int b = raw[i] & 0xFF;
            if (b == '}') {
                if (++i >= to) return null;
                out.write((raw[i] & 0xFF) ^ 0x20);
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    static String hex2(int v) {
        return new String(new char[] {(char) HEX[(v >> 4) & 0xF], (char) HEX[v & 0xF]});
    }
}
