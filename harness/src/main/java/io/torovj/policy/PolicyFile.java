package io.torovj.policy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.torovj.policy.SyscallPolicy.Limits;
import io.torovj.policy.SyscallPolicy.ViolationAction;
import io.torovj.linux.SyscallNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a per-application policy from JSON. Every error is a {@link PolicyException} whose
 * message names the file and the line of the offending token:
 * {@code policy.json:7: unknown syscall name "wirte"}.
 *
 * <p>Schema (every key optional; unknown keys and wrong types are errors; {@code //} and
 * {@code /* *}{@code /} comments are allowed):
 * <pre>
 * {
 *   "allow": ["read", "write"],        syscall names (absent: none allowed); duplicates are merged
 *   "onViolation": "errno",           "errno" (deny with -EPERM, default) or "kill"
 *   "files": {
 *     "root": "/srv/app",             existing directory; stored as its real path (a relative
 *                                     path is resolved against the working directory)
 *     "readOnly": false,              deny write, create and unlink under root (default false)
 *     "allowPaths": ["/dev/null", {"path": "/tmp/x", "readOnly": true}]
 *                                     exact absolute host paths; an entry without its own
 *                                     readOnly takes files.readOnly
 *   },
 *   "net": {"bindPorts": [8080], "connectPorts": []},   loopback TCP ports 1..65535
 *   "limits": {"maxOpenFiles": 64, "maxMemory": "64M", "wallClock": "30s", "cpuTime": "10s"}
 * }
 * </pre>
 * maxOpenFiles is an integer 1..1048576; maxMemory is bytes, a positive integer or a string
 * with a K, M or G suffix (powers of 1024); durations are strings with unit ms, s or m.
 *
 * <p>The streaming parser is used instead of a tree because only it knows each token's line.
 */
public final class PolicyFile {
    /** Largest policy file {@link #load(Path)} reads, 1 MiB: policies are a few hundred bytes. */
    public static final int MAX_FILE_SIZE = 1 << 20;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .build();
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,19})([KkMmGg]?)");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,19})(ms|s|m)");
    /** Longest excerpt of a bad value quoted in a message, so one line stays readable. */
    private static final int QUOTE_LIMIT = 60;

    private final JsonParser parser;
    private final String source;

    private PolicyFile(JsonParser parser, String source) {
        this.parser = parser;
        this.source = source;
    }

    /**
     * Reads the policy at {@code file} (UTF-8, at most {@link #MAX_FILE_SIZE} bytes).
     * Messages start with {@code file} as given.
     */
    public static SyscallPolicy load(Path file) throws PolicyException {
        String source = file.toString();
        if (Files.isDirectory(file)) throw new PolicyException(source, 0, "cannot read: is a directory");
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new PolicyException(source, 0, "cannot read: not a regular file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_SIZE + 1);
        } catch (NoSuchFileException e) {
            throw new PolicyException(source, 0, "cannot read: no such file", e);
        } catch (AccessDeniedException e) {
            throw new PolicyException(source, 0, "cannot read: permission denied", e);
        } catch (IOException | SecurityException e) {
            throw new PolicyException(source, 0, "cannot read: " + oneLine(String.valueOf(e.getMessage())), e);
        }
        if (bytes.length > MAX_FILE_SIZE) {
            throw new PolicyException(source, 0, "file is larger than the 1 MiB limit for policies");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new PolicyException(source, 0, "not valid UTF-8 text", e);
        }
        return parse(text, source);
    }

    /**
     * Parses {@code json} as a policy; {@code sourceName} starts every error message.
     * files.root must exist now: it is resolved to its real path here.
     */
    public static SyscallPolicy parse(String json, String sourceName) throws PolicyException {
        String source = sourceName == null ? "<policy>" : sourceName;
        if (json == null) throw new PolicyException(source, 0, "no policy text");
        try (JsonParser parser = JSON.createParser(json)) {
            return new PolicyFile(parser, source).readPolicy();
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String what = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
            throw new PolicyException(source, at == null ? 0 : at.getLineNr(), "malformed JSON: " + oneLine(what), e);
        } catch (IOException e) {
            // reading a String cannot fail, but the parser declares it
            throw new PolicyException(source, 0, "cannot read: " + oneLine(String.valueOf(e.getMessage())), e);
        }
    }

    private SyscallPolicy readPolicy() throws IOException, PolicyException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            // no token has a location; report where the input ended
            throw error(parser.currentLocation().getLineNr(), "empty policy; expected a JSON object");
        }
        expectObject("the policy");
        SyscallPolicy.Builder b = SyscallPolicy.builder();
        Set<String> seen = new HashSet<>();
        while (nextKey(seen, "the policy")) {
            String key = parser.currentName();
            int keyLine = line();
            parser.nextToken();
            switch (key) {
                case "allow" -> readAllow(b);
                case "onViolation" -> b.onViolation(readViolation());
                case "files" -> readFiles(b);
                case "net" -> readNet(b);
                case "limits" -> b.limits(readLimits());
                default -> throw error(keyLine, unknownKey(key, "the policy", "allow, onViolation, files, net, limits"));
            }
        }
        if (parser.nextToken() != null) throw error("unexpected content after the policy object");
        return b.build();
    }

    private void readAllow(SyscallPolicy.Builder b) throws IOException, PolicyException {
        expectArray("allow", "an array of syscall names");
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            String name = readString("allow entry", "a syscall name (string)");
            if (!SyscallNames.isKnown(name)) throw error("unknown syscall name " + quote(name));
            b.allow(name);
        }
    }

    private ViolationAction readViolation() throws IOException, PolicyException {
        String s = readString("onViolation", "\"errno\" or \"kill\"");
        return switch (s) {
            case "errno" -> ViolationAction.ERRNO;
            case "kill" -> ViolationAction.KILL;
            default -> throw error("onViolation must be \"errno\" or \"kill\", not " + quote(s));
        };
    }

    /** An allowPaths entry whose readOnly, if null, is files.readOnly, known only at the end of "files". */
    private record PathEntry(Path path, Boolean readOnly) {}

    private void readFiles(SyscallPolicy.Builder b) throws IOException, PolicyException {
        expectObject("files");
        boolean readOnly = false;
        List<PathEntry> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (nextKey(seen, "files")) {
            String key = parser.currentName();
            int keyLine = line();
            parser.nextToken();
            switch (key) {
                case "root" -> b.fileRoot(readRoot());
                case "readOnly" -> readOnly = readBoolean("files.readOnly");
                case "allowPaths" -> readAllowPaths(entries);
                default -> throw error(keyLine, unknownKey(key, "files", "root, readOnly, allowPaths"));
            }
        }
        b.readOnly(readOnly);
        for (PathEntry e : entries) b.allowPath(e.path(), e.readOnly() == null ? readOnly : e.readOnly());
    }

    private Path readRoot() throws IOException, PolicyException {
        String s = readString("files.root", "a directory path (string)");
        if (s.isEmpty()) throw error("files.root must not be empty");
        try {
            Path real = Path.of(s).toRealPath();
            if (!Files.isDirectory(real)) throw error("files.root " + quote(s) + " is not a directory");
            return real;
        } catch (InvalidPathException e) {
            throw error("files.root " + quote(s) + " is not a valid path");
        } catch (NoSuchFileException e) {
            throw error("files.root " + quote(s) + " does not exist");
        } catch (IOException | SecurityException e) {
            throw error("files.root " + quote(s) + " cannot be resolved: " + oneLine(String.valueOf(e.getMessage())));
        }
    }

    private void readAllowPaths(List<PathEntry> entries) throws IOException, PolicyException {
        expectArray("files.allowPaths", "an array of absolute paths or {\"path\", \"readOnly\"} objects");
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.START_OBJECT) {
                entries.add(readAllowPathObject());
            } else {
                String s = readString("files.allowPaths entry", "an absolute path (string) or an object");
                entries.add(new PathEntry(absolutePath(s), null));
            }
        }
    }

    private PathEntry readAllowPathObject() throws IOException, PolicyException {
        int objectLine = line();
        Path path = null;
        Boolean readOnly = null;
        Set<String> seen = new HashSet<>();
        while (nextKey(seen, "the files.allowPaths entry")) {
            String key = parser.currentName();
            int keyLine = line();
            parser.nextToken();
            switch (key) {
                case "path" -> path = absolutePath(readString("files.allowPaths path", "an absolute path (string)"));
                case "readOnly" -> readOnly = readBoolean("files.allowPaths readOnly");
                default -> throw error(keyLine, unknownKey(key, "the files.allowPaths entry", "path, readOnly"));
            }
        }
        if (path == null) throw error(objectLine, "files.allowPaths entry has no \"path\"");
        return new PathEntry(path, readOnly);
    }

    /** Checks the current string token is an absolute path; reports at its line. */
    private Path absolutePath(String s) throws PolicyException {
        try {
            Path p = Path.of(s);
            if (s.isEmpty() || !p.isAbsolute()) {
                throw error("files.allowPaths entry " + quote(s) + " is not an absolute path");
            }
            return p.normalize();
        } catch (InvalidPathException e) {
            throw error("files.allowPaths entry " + quote(s) + " is not a valid path");
        }
    }

    private void readNet(SyscallPolicy.Builder b) throws IOException, PolicyException {
        expectObject("net");
        Set<String> seen = new HashSet<>();
        while (nextKey(seen, "net")) {
            String key = parser.currentName();
            int keyLine = line();
            parser.nextToken();
            switch (key) {
                case "bindPorts" -> {
                    for (int port : readPorts("net.bindPorts")) b.bindPort(port);
                }
                case "connectPorts" -> {
                    for (int port : readPorts("net.connectPorts")) b.connectPort(port);
                }
                default -> throw error(keyLine, unknownKey(key, "net", "bindPorts, connectPorts"));
            }
        }
    }

    private List<Integer> readPorts(String key) throws IOException, PolicyException {
        expectArray(key, "an array of port numbers");
        List<Integer> ports = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw wrongType(key + " entry", "an integer port number");
            }
            int port = parser.getNumberType() == JsonParser.NumberType.INT ? parser.getIntValue() : -1;
            if (port < SyscallPolicy.MIN_PORT || port > SyscallPolicy.MAX_PORT) {
                throw error("bad port " + excerpt(parser.getText()) + " in " + key + "; expected 1 to 65535");
            }
            ports.add(port);
        }
        return ports;
    }

    private Limits readLimits() throws IOException, PolicyException {
        expectObject("limits");
        OptionalInt maxOpenFiles = OptionalInt.empty();
        OptionalLong maxMemory = OptionalLong.empty();
        Optional<Duration> wallClock = Optional.empty(), cpuTime = Optional.empty();
        Set<String> seen = new HashSet<>();
        while (nextKey(seen, "limits")) {
            String key = parser.currentName();
            int keyLine = line();
            parser.nextToken();
            switch (key) {
                case "maxOpenFiles" -> maxOpenFiles = OptionalInt.of(readMaxOpenFiles());
                case "maxMemory" -> maxMemory = OptionalLong.of(readSize("limits.maxMemory"));
                case "wallClock" -> wallClock = Optional.of(readDuration("limits.wallClock"));
                case "cpuTime" -> cpuTime = Optional.of(readDuration("limits.cpuTime"));
                default -> throw error(keyLine, unknownKey(key, "limits", "maxOpenFiles, maxMemory, wallClock, cpuTime"));
            }
        }
        return new Limits(maxOpenFiles, maxMemory, wallClock, cpuTime);
    }

    private int readMaxOpenFiles() throws IOException, PolicyException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw wrongType("limits.maxOpenFiles", "an integer");
        }
        int n = parser.getNumberType() == JsonParser.NumberType.INT ? parser.getIntValue() : -1;
        if (n < 1 || n > Limits.MAX_OPEN_FILES) {
            throw error("limits.maxOpenFiles " + excerpt(parser.getText()) + " is out of range; expected 1 to "
                    + Limits.MAX_OPEN_FILES);
        }
        return n;
    }

    /** Bytes: a positive JSON integer, or a string like "64M" (K, M, G are powers of 1024). */
    private long readSize(String key) throws IOException, PolicyException {
        JsonToken t = parser.currentToken();
        String text = t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT ? parser.getText() : null;
        if (text == null) throw wrongType(key, "a size such as \"64M\" or a number of bytes");
        Matcher m = SIZE.matcher(text);
        long bytes = -1;
        if (m.matches()) {
            try {
                int shift = switch (Character.toUpperCase(m.group(2).isEmpty() ? ' ' : m.group(2).charAt(0))) {
                    case 'K' -> 10;
                    case 'M' -> 20;
                    case 'G' -> 30;
                    default -> 0;
                };
                bytes = Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
            } catch (NumberFormatException | ArithmeticException e) {
                bytes = -1; // too large for a long: reported below like any bad size
            }
        }
        if (bytes <= 0) {
            throw error("bad size " + quote(text) + " for " + key
                    + "; expected a positive number of bytes with an optional K, M or G suffix, e.g. \"64M\"");
        }
        return bytes;
    }

    /** A positive duration string: digits then ms, s or m. */
    private Duration readDuration(String key) throws IOException, PolicyException {
        String text = readString(key, "a duration string such as \"30s\"");
        Matcher m = DURATION.matcher(text);
        Duration d = null;
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    default -> Duration.ofMinutes(n);
                };
            } catch (NumberFormatException | ArithmeticException e) {
                d = null; // too large: reported below like any bad duration
            }
        }
        if (d == null || d.isZero()) {
            throw error("bad duration " + quote(text) + " for " + key
                    + "; expected a positive whole number with unit ms, s or m, e.g. \"30s\"");
        }
        return d;
    }

    // ---- token helpers: each reports at the line of the current token ----

    /**
     * Advances to the next key of the current object; false at its end. Duplicate keys are
     * errors: JSON leaves their meaning open and a policy must not be ambiguous.
     */
    private boolean nextKey(Set<String> seen, String where) throws IOException, PolicyException {
        JsonToken t = parser.nextToken();
        if (t == JsonToken.END_OBJECT) return false;
        // the parser reports anything else than a name or '}' inside an object itself
        String key = parser.currentName();
        if (!seen.add(key)) throw error("duplicate key " + quote(key) + " in " + where);
        return true;
    }

    private void expectObject(String what) throws PolicyException {
        if (parser.currentToken() != JsonToken.START_OBJECT) throw wrongType(what, "an object");
    }

    private void expectArray(String what, String expected) throws PolicyException {
        if (parser.currentToken() != JsonToken.START_ARRAY) throw wrongType(what, expected);
    }

    private String readString(String what, String expected) throws IOException, PolicyException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) throw wrongType(what, expected);
        return parser.getText();
    }

    private boolean readBoolean(String what) throws PolicyException {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_TRUE) return true;
        if (t == JsonToken.VALUE_FALSE) return false;
        throw wrongType(what, "true or false");
    }

    private PolicyException wrongType(String what, String expected) {
        return error(what + " must be " + expected + ", found " + describe(parser.currentToken()));
    }

    private static String describe(JsonToken t) {
        if (t == null) return "the end of the input";
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a decimal number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : t.asString();
        };
    }

    private static String unknownKey(String key, String where, String expected) {
        return "unknown key " + quote(key) + " in " + where + " (expected " + expected + ")";
    }

    private int line() {
        JsonLocation at = parser.currentTokenLocation();
        return at == null ? 0 : at.getLineNr();
    }

    private PolicyException error(String detail) {
        return error(line(), detail);
    }

    private PolicyException error(int line, String detail) {
        return new PolicyException(source, line, detail);
    }

    /** The value in double quotes, control characters escaped and cut to a readable length. */
    private static String quote(String s) {
        return "\"" + excerpt(s) + "\"";
    }

    private static String excerpt(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < QUOTE_LIMIT; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        if (s.length() > QUOTE_LIMIT) sb.append("...");
        return sb.toString();
    }

    private static String oneLine(String s) {
        String flat = s.replaceAll("\\s+", " ").trim();
        return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
    }
}
