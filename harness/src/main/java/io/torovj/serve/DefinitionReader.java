package io.torovj.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.torovj.boot.GuestLayout;
import io.torovj.loader.ElfLoadException;
import io.torovj.loader.ElfLoader;
import io.torovj.policy.PolicyException;
import io.torovj.policy.PolicyFile;
import io.torovj.policy.SyscallPolicy;
import io.torovj.transport.TransportRegistry;
import io.torovj.vmm.VmConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads function definitions from JSON: a functions file ({@code {"functions": [DEF, ...]}}) or
 * one definition (a PUT body). Every error is one {@link DefinitionException} whose message
 * names the source and line: {@code fns.json:7: function "hello": unknown key "progam"}.
 *
 * <p>A definition (only {@code program} is required; {@code name} is required in a file):
 * <pre>
 * {"name": "hello", "program": "guests/hello.elf", "args": [], "env": ["K=V"],
 *  "policy": "policy.json" | {inline policy} ,      absent: the default policy
 *  "transport": "ring", "transportOptions": {"idleSpinMicros": "100"},
 *  "memory": "8M", "pool": 2,
 *  "limits": {"queue": 16, "maxInput": "1M", "maxOutput": "1M", "maxStderr": "64K", "timeout": "30s"}}
 * </pre>
 * Relative paths resolve against the file's directory (a PUT: the server's working directory).
 * An inline policy is read by {@link PolicyFile} from the definition's own text, so its errors
 * name the line in the definition too. The program is parsed and the transport looked up here,
 * so a bad definition fails before any VM is made.
 */
public final class DefinitionReader {
    private static final JsonFactory JSON = JsonFactory.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,12})([KMG]?)");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)");
    /** Largest functions file or definition read, 1 MiB. */
    public static final int MAX_TEXT = 1 << 20;
    public static final int MAX_POOL = 256, MAX_QUEUE = 100_000;

    private final String text;
    private final String source;
    private final Path baseDir;
    private final TransportRegistry transports;
    private final JsonParser parser;
    private String function = null;

    private DefinitionReader(String text, String source, Path baseDir, TransportRegistry transports) throws IOException {
        this.text = text;
        this.source = source;
        this.baseDir = baseDir;
        this.transports = transports;
        this.parser = JSON.createParser(text);
    }

    /** Reads a functions file: {@code {"functions": [...]}}; names must be distinct. */
    public static List<FunctionDefinition> readFile(Path file, TransportRegistry transports) throws DefinitionException {
        String text;
        try {
            if (Files.size(file) > MAX_TEXT) throw new DefinitionException(file + ": larger than " + (MAX_TEXT >> 20) + " MiB");
            text = Files.readString(file);
        } catch (IOException e) {
            throw new DefinitionException(file + ": cannot read: " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        try {
            return new DefinitionReader(text, file.toString(), dir, transports).functionsFile();
        } catch (IOException e) {
            throw new DefinitionException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads one definition from {@code json}; its name is {@code name} (a "name" key in the text,
     * if any, must agree). Relative paths resolve against {@code baseDir}.
     */
    public static FunctionDefinition readOne(String json, String source, String name, Path baseDir,
                                             TransportRegistry transports) throws DefinitionException {
        if (!NAME.matcher(name).matches()) {
            throw new DefinitionException("bad function name \"" + excerpt(name) + "\"; expected 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        try {
            DefinitionReader r = new DefinitionReader(json, source, baseDir, transports);
            r.function = name;
            if (r.parser.nextToken() == null) throw r.error(1, "empty definition; expected a JSON object");
            FunctionDefinition d = r.definition(name);
            if (r.parser.nextToken() != null) throw r.error(r.line(), "unexpected content after the definition");
            return d;
        } catch (JsonProcessingException e) {
            throw malformed(source, e);
        } catch (IOException e) {
            throw new DefinitionException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    private List<FunctionDefinition> functionsFile() throws DefinitionException, IOException {
        try {
            if (parser.nextToken() != JsonToken.START_OBJECT) throw error(line(), "expected an object {\"functions\": [...]}");
            List<FunctionDefinition> out = new ArrayList<>();
            Set<String> keys = new HashSet<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                int keyLine = line();
                if (!keys.add(key)) throw error(keyLine, "duplicate key \"" + key + "\"");
                if (!key.equals("functions")) throw error(keyLine, "unknown key \"" + excerpt(key) + "\"; expected functions");
                if (parser.nextToken() != JsonToken.START_ARRAY) throw error(line(), "functions must be an array of definitions");
                Set<String> names = new HashSet<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    int at = line();
                    function = null;
                    FunctionDefinition d = definition(null);
                    if (!names.add(d.name())) throw error(at, "two functions named \"" + d.name() + "\"");
                    out.add(d);
                }
            }
            if (parser.nextToken() != null) throw error(line(), "unexpected content after the functions object");
            return out;
        } catch (JsonProcessingException e) {
            throw malformed(source, e);
        }
    }

    /** The definition object at the current token; {@code name} non-null: the name it must have. */
    private FunctionDefinition definition(String name) throws IOException, DefinitionException {
        int objectLine = line();
        if (parser.currentToken() != JsonToken.START_OBJECT) throw error(objectLine, "a function definition must be an object");
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        Map<String, Integer> lines = new LinkedHashMap<>();
        SyscallPolicy policy = SyscallPolicy.defaultPolicy();
        String policySource = "default";
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            int keyLine = line();
            if (lines.containsKey(key)) throw error(keyLine, "duplicate key \"" + excerpt(key) + "\"");
            lines.put(key, keyLine);
            JsonToken value = parser.nextToken();
            if (key.equals("policy") && value == JsonToken.START_OBJECT) {
                policy = inlinePolicy();
                policySource = "inline";
            } else {
                fields.put(key, MAPPER.readTree(parser));
            }
        }
        JsonNode n = fields.get("name");
        if (n != null) {
            if (!n.isTextual()) throw error(lines.get("name"), "name must be a string");
            if (name != null && !n.asText().equals(name)) {
                throw error(lines.get("name"), "the definition's name \"" + excerpt(n.asText()) + "\" is not \"" + name + "\" of the URL");
            }
            if (!NAME.matcher(n.asText()).matches()) {
                throw error(lines.get("name"), "bad function name \"" + excerpt(n.asText()) + "\"; expected 1 to 64 of A-Z a-z 0-9 . _ -");
            }
            name = n.asText();
        }
        if (name == null) throw error(objectLine, "a function definition needs a \"name\"");
        function = name;
        for (String key : fields.keySet()) {
            switch (key) {
                case "name", "program", "args", "env", "policy", "transport", "transportOptions", "memory", "pool", "limits" -> { }
                default -> throw error(lines.get(key), "unknown key \"" + excerpt(key)
                        + "\"; expected name, program, args, env, policy, transport, transportOptions, memory, pool, limits");
            }
        }
        if (fields.containsKey("policy")) {
            JsonNode p = fields.get("policy");
            if (!p.isTextual()) throw error(lines.get("policy"), "policy must be a policy file's path or an inline policy object");
            Path file = path(p.asText(), "policy", lines.get("policy"));
            try {
                policy = PolicyFile.load(file);
            } catch (PolicyException e) {
                throw error(lines.get("policy"), "policy: " + e.getMessage());
            }
            policySource = file.toString();
        }
        JsonNode prog = fields.get("program");
        if (prog == null || !prog.isTextual()) throw error(objectLine, "a function definition needs \"program\", an ELF file's path");
        Path program = path(prog.asText(), "program", lines.get("program"));
        try {
            ElfLoader.parse(program);
        } catch (ElfLoadException e) {
            throw error(lines.get("program"), "program " + program + ": " + e.getMessage());
        }
        List<String> args = strings(fields.get("args"), "args", lines.get("args"));
        List<String> env = strings(fields.get("env"), "env", lines.get("env"));
        for (String e : env) {
            if (e.indexOf('=') <= 0) throw error(lines.get("env"), "env entry \"" + excerpt(e) + "\" is not NAME=VALUE");
        }
        String transport = VmConfig.DEFAULT_TRANSPORT;
        if (fields.containsKey("transport")) {
            JsonNode t = fields.get("transport");
            if (!t.isTextual()) throw error(lines.get("transport"), "transport must be a string");
            transport = t.asText();
            try {
                transports.provider(transport);
            } catch (IllegalArgumentException e) {
                throw error(lines.get("transport"), e.getMessage());
            }
        }
        Map<String, String> options = new TreeMap<>();
        JsonNode to = fields.get("transportOptions");
        if (to != null) {
            if (!to.isObject()) throw error(lines.get("transportOptions"), "transportOptions must be an object of strings");
            for (var it = to.fields(); it.hasNext();) {
                var e = it.next();
                if (!e.getValue().isValueNode()) throw error(lines.get("transportOptions"), "transportOptions." + excerpt(e.getKey()) + " must be a string");
                options.put(e.getKey(), e.getValue().asText());
            }
        }
        long memory = fields.containsKey("memory") ? size(fields.get("memory"), "memory", lines.get("memory")) : VmConfig.DEFAULT_MEMORY;
        try {
            GuestLayout.checkRamSize(memory);
        } catch (IllegalArgumentException e) {
            throw error(lines.get("memory") == null ? objectLine : lines.get("memory"), e.getMessage());
        }
        long maxMemory = policy.limits().maxMemory().orElse(Long.MAX_VALUE);
        if (memory > maxMemory) {
            throw error(objectLine, "memory of " + (memory >> 20) + " MiB exceeds the policy's maxMemory of " + (maxMemory >> 20) + " MiB");
        }
        int pool = fields.containsKey("pool") ? integer(fields.get("pool"), "pool", lines.get("pool"), 1, MAX_POOL) : 1;
        FunctionDefinition.Limits limits = fields.containsKey("limits")
                ? limits(fields.get("limits"), lines.get("limits")) : FunctionDefinition.Limits.DEFAULT;
        return new FunctionDefinition(name, program, args, env, policy, policySource, transport, options, memory, pool, limits);
    }

    /**
     * The inline policy object at the current token, read by {@link PolicyFile} from this text
     * with the lines before it kept as blank lines, so that its errors name the right line.
     */
    private SyscallPolicy inlinePolicy() throws IOException, DefinitionException {
        JsonLocation start = parser.currentTokenLocation();
        parser.skipChildren();
        JsonLocation end = parser.currentLocation();
        int from = (int) start.getCharOffset(), to = (int) end.getCharOffset();
        String padded = "\n".repeat(Math.max(0, start.getLineNr() - 1)) + " ".repeat(Math.max(0, start.getColumnNr() - 1))
                + text.substring(from, to);
        try {
            return PolicyFile.parse(padded, source);
        } catch (PolicyException e) {
            throw new DefinitionException(prefix() + "inline policy: " + e.getMessage(), e);
        }
    }

    private FunctionDefinition.Limits limits(JsonNode node, int at) throws DefinitionException {
        if (!node.isObject()) throw error(at, "limits must be an object");
        FunctionDefinition.Limits d = FunctionDefinition.Limits.DEFAULT;
        int queue = d.queue(), maxInput = d.maxInput(), maxOutput = d.maxOutput(), maxStderr = d.maxStderr();
        Duration timeout = d.timeout();
        for (var it = node.fields(); it.hasNext();) {
            var e = it.next();
            String key = "limits." + e.getKey();
            switch (e.getKey()) {
                case "queue" -> queue = integer(e.getValue(), key, at, 0, MAX_QUEUE);
                case "maxInput" -> maxInput = boundedSize(e.getValue(), key, at);
                case "maxOutput" -> maxOutput = boundedSize(e.getValue(), key, at);
                case "maxStderr" -> maxStderr = boundedSize(e.getValue(), key, at);
                case "timeout" -> timeout = duration(e.getValue(), key, at);
                default -> throw error(at, "unknown key \"" + excerpt(e.getKey())
                        + "\" in limits; expected queue, maxInput, maxOutput, maxStderr, timeout");
            }
        }
        return new FunctionDefinition.Limits(queue, maxInput, maxOutput, maxStderr, timeout);
    }

    private Path path(String s, String what, int at) throws DefinitionException {
        try {
            if (s.isEmpty()) throw error(at, what + " must not be empty");
            Path p = Path.of(s);
            return (p.isAbsolute() ? p : baseDir.resolve(p)).normalize();
        } catch (InvalidPathException e) {
            throw error(at, what + " \"" + excerpt(s) + "\" is not a valid path");
        }
    }

    private List<String> strings(JsonNode node, String what, Integer at) throws DefinitionException {
        List<String> out = new ArrayList<>();
        if (node == null) return out;
        if (!node.isArray()) throw error(at, what + " must be an array of strings");
        for (JsonNode e : node) {
            if (!e.isTextual()) throw error(at, what + " must be an array of strings");
            out.add(e.asText());
        }
        return out;
    }

    private int integer(JsonNode node, String what, int at, int min, int max) throws DefinitionException {
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
            throw error(at, what + " must be an integer from " + min + " to " + max + ", not " + excerpt(node.toString()));
        }
        return node.asInt();
    }

    private int boundedSize(JsonNode node, String what, int at) throws DefinitionException {
        long bytes = size(node, what, at);
        if (bytes > Integer.MAX_VALUE - 8) throw error(at, what + " must be below 2G");
        return (int) bytes;
    }

    /** Bytes: a non-negative JSON integer, or a string like "64M" (K, M, G are powers of 1024). */
    private long size(JsonNode node, String what, int at) throws DefinitionException {
        String s = node.isIntegralNumber() || node.isTextual() ? node.asText() : null;
        Matcher m = s == null ? null : SIZE.matcher(s);
        if (m == null || !m.matches()) {
            throw error(at, "bad size " + excerpt(node.toString()) + " for " + what + "; expected bytes with an optional K, M or G suffix, e.g. \"8M\"");
        }
        int shift = switch (m.group(2)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            default -> 0;
        };
        return Long.parseLong(m.group(1)) << shift;
    }

    private Duration duration(JsonNode node, String what, int at) throws DefinitionException {
        Matcher m = node.isTextual() ? DURATION.matcher(node.asText()) : null;
        if (m == null || !m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw error(at, "bad duration " + excerpt(node.toString()) + " for " + what + "; expected e.g. \"500ms\", \"30s\" or \"2m\"");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }

    private int line() {
        return parser.currentTokenLocation().getLineNr();
    }

    private String prefix() {
        return function == null ? "" : "function \"" + function + "\": ";
    }

    private DefinitionException error(Integer line, String message) {
        return new DefinitionException(source + ":" + (line == null ? 1 : line) + ": " + prefix() + message);
    }

    private static DefinitionException malformed(String source, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String what = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        return new DefinitionException(source + ":" + (at == null ? 1 : at.getLineNr()) + ": malformed JSON: "
                + excerpt(what.replaceAll("\\s+", " ")), e);
    }

    private static String excerpt(String s) {
        String one = s.replaceAll("[\\p{Cntrl}]", "?");
        return one.length() <= 60 ? one : one.substring(0, 57) + "...";
    }
}
