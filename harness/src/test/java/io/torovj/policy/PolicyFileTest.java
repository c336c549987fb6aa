package io.torovj.policy;

import static org.junit.jupiter.api.Assertions.*;

import io.torovj.policy.SyscallPolicy.AllowedPath;
import io.torovj.policy.SyscallPolicy.ViolationAction;
import io.torovj.linux.SyscallNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyFileTest {
    @TempDir
    Path dir;

    static String resource(String name) {
        try (InputStream in = PolicyFileTest.class.getResourceAsStream("/policy/" + name)) {
            assertNotNull(in, "test resource /policy/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Parses {@code json} as "policy.json" and checks the error's line and exact detail. */
    private static PolicyException error(String json, int line, String detail) {
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyFile.parse(json, "policy.json"));
        assertEquals(line, e.line(), () -> "wrong line in: " + e.getMessage());
        if (detail != null) assertEquals("policy.json:" + line + ": " + detail, e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    private static SyscallPolicy parse(String json) throws PolicyException {
        return PolicyFile.parse(json, "policy.json");
    }

    // ---- valid policies ----

    @Test
    void sampleFromTheDesignParses() throws Exception {
        SyscallPolicy p = parse(resource("sample.json"));
        assertEquals(Set.of("read", "write", "openat", "close", "exit_group"), p.allowedNames());
        assertTrue(p.allows(SyscallNames.number("openat")));
        assertFalse(p.allows(SyscallNames.number("socket")));
        assertEquals(ViolationAction.ERRNO, p.onViolation());
        assertEquals(Path.of("/tmp").toRealPath(), p.fileRoot().orElseThrow());
        assertFalse(p.readOnly());
        assertEquals(List.of(new AllowedPath(Path.of("/dev/null"), false)), p.allowPaths());
        assertEquals(Set.of(8080), p.bindPorts());
        assertTrue(p.allowsBind(8080));
        assertFalse(p.allowsBind(8081));
        assertEquals(Set.of(), p.connectPorts());
        assertEquals(64, p.limits().maxOpenFiles().getAsInt());
        assertEquals(64L << 20, p.limits().maxMemory().getAsLong());
        assertEquals(Duration.ofSeconds(30), p.limits().wallClock().orElseThrow());
        assertEquals(Duration.ofSeconds(10), p.limits().cpuTime().orElseThrow());
    }

    @Test
    void loadsFromAFile(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("app.policy.json");
        Files.writeString(file, resource("minimal.json"));
        SyscallPolicy p = PolicyFile.load(file);
        assertEquals(Set.of("write", "exit_group"), p.allowedNames());
        assertEquals(SyscallPolicy.Limits.NONE, p.limits());
        assertTrue(p.fileRoot().isEmpty());
    }

    @Test
    void emptyObjectAllowsNothing() throws Exception {
        SyscallPolicy p = parse("{}");
        assertTrue(p.allowedNames().isEmpty());
        for (int nr = -1; nr <= SyscallNames.tableSize(); nr++) assertFalse(p.allows(nr));
    }

    @Test
    void duplicateAndEmptyListsAreAccepted() throws Exception {
        SyscallPolicy p = parse("{\"allow\": [\"read\", \"read\", \"write\"], \"net\": {\"bindPorts\": [80, 80]}}");
        assertEquals(Set.of("read", "write"), p.allowedNames());
        assertEquals(Set.of(80), p.bindPorts());
        assertTrue(parse("{\"allow\": []}").allowedNames().isEmpty());
    }

    @Test
    void allowPathsTakeTheFilesReadOnlyUnlessTheySaySo() throws Exception {
        SyscallPolicy p = parse("""
                {"files": {
                  "allowPaths": ["/dev/null", {"path": "/tmp/out", "readOnly": false}, {"path": "/etc/hosts"},
                                 "/var/../etc/passwd"],
                  "readOnly": true
                }}""");
        assertTrue(p.readOnly());
        assertEquals(List.of(
                new AllowedPath(Path.of("/dev/null"), true),
                new AllowedPath(Path.of("/tmp/out"), false),
                new AllowedPath(Path.of("/etc/hosts"), true),
                new AllowedPath(Path.of("/etc/passwd"), true)), p.allowPaths());
    }

    @Test
    void rootIsStoredAsItsRealPath() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        SyscallPolicy p = parse("{\"files\": {\"root\": \"" + link + "/./\"}}");
        assertEquals(real.toRealPath(), p.fileRoot().orElseThrow());
    }

    @Test
    void sizesAndDurations() throws Exception {
        SyscallPolicy p = parse("""
                {"limits": {"maxMemory": "2g", "wallClock": "500ms", "cpuTime": "2m", "maxOpenFiles": 1048576}}""");
        assertEquals(2L << 30, p.limits().maxMemory().getAsLong());
        assertEquals(Duration.ofMillis(500), p.limits().wallClock().orElseThrow());
        assertEquals(Duration.ofMinutes(2), p.limits().cpuTime().orElseThrow());
        assertEquals(1 << 20, p.limits().maxOpenFiles().getAsInt());
        assertEquals(4096, parse("{\"limits\": {\"maxMemory\": 4096}}").limits().maxMemory().getAsLong());
        assertEquals(1024, parse("{\"limits\": {\"maxMemory\": \"1K\"}}").limits().maxMemory().getAsLong());
        assertEquals(ViolationAction.KILL, parse("{\"onViolation\": \"kill\"}").onViolation());
    }

    // ---- errors, each at its line ----

    @Test
    void unknownSyscallName() {
        error("""
                {
                  "allow": [
                    "read",
                    "write",
                    "close",
                    "exit_group",
                    "wirte"
                  ]
                }""", 7, "unknown syscall name \"wirte\"");
        error("{\"allow\": [\"\"]}", 1, "unknown syscall name \"\"");
    }

    @Test
    void malformedJson() {
        PolicyException e = error("""
                {
                  "allow": ["read"]
                  "onViolation": "kill"
                }""", 3, null);
        assertTrue(e.detail().startsWith("malformed JSON: "), e.getMessage());
        error("{\n\"allow\": [\"read\"]\n", 3, null);
        error("{\"allow\": [\"read\"]} trailing", 1, null);
        error("", 1, "empty policy; expected a JSON object");
        error("   \n  // only a comment\n", 3, "empty policy; expected a JSON object");
        error("{}\n{}", 2, "unexpected content after the policy object");
        error("[\"read\"]", 1, "the policy must be an object, found an array");
    }

    @Test
    void unknownKeys() {
        error("""
                {
                  "allow": ["read"],
                  "alow": ["write"]
                }""", 3, "unknown key \"alow\" in the policy (expected allow, onViolation, files, net, limits)");
        error("{\"files\": {\n\"rot\": \"/tmp\"}}", 2, "unknown key \"rot\" in files (expected root, readOnly, allowPaths)");
        error("{\"net\": {\"bind\": [80]}}", 1, "unknown key \"bind\" in net (expected bindPorts, connectPorts)");
        error("{\"limits\": {\n\n\"memory\": \"1M\"}}", 3,
                "unknown key \"memory\" in limits (expected maxOpenFiles, maxMemory, wallClock, cpuTime)");
        error("{\"files\": {\"allowPaths\": [{\"path\": \"/x\",\n \"mode\": \"rw\"}]}}", 2,
                "unknown key \"mode\" in the files.allowPaths entry (expected path, readOnly)");
    }

    @Test
    void duplicateKeys() {
        error("{\"allow\": [],\n\"allow\": [\"read\"]}", 2, "duplicate key \"allow\" in the policy");
        error("{\"files\": {\"readOnly\": true,\n\n\"readOnly\": false}}", 3, "duplicate key \"readOnly\" in files");
    }

    @Test
    void wrongTypes() {
        error("{\"allow\": \"read\"}", 1, "allow must be an array of syscall names, found a string");
        error("{\"allow\": [\n42]}", 2, "allow entry must be a syscall name (string), found an integer");
        error("{\"onViolation\": true}", 1, "onViolation must be \"errno\" or \"kill\", found a boolean");
        error("{\"files\": []}", 1, "files must be an object, found an array");
        error("{\"files\": {\"readOnly\": \"yes\"}}", 1, "files.readOnly must be true or false, found a string");
        error("{\"files\": {\"root\": null}}", 1, "files.root must be a directory path (string), found null");
        error("{\"files\": {\"allowPaths\": \"/dev/null\"}}", 1,
                "files.allowPaths must be an array of absolute paths or {\"path\", \"readOnly\"} objects, found a string");
        error("{\"files\": {\"allowPaths\": [[\"/dev/null\"]]}}", 1,
                "files.allowPaths entry must be an absolute path (string) or an object, found an array");
        error("{\"net\": {\"bindPorts\": [\"80\"]}}", 1, "net.bindPorts entry must be an integer port number, found a string");
        error("{\"net\": {\"connectPorts\": [80.5]}}", 1,
                "net.connectPorts entry must be an integer port number, found a decimal number");
        error("{\"net\": 80}", 1, "net must be an object, found an integer");
        error("{\"limits\": {\"maxOpenFiles\": \"64\"}}", 1, "limits.maxOpenFiles must be an integer, found a string");
        error("{\"limits\": {\"wallClock\": 30}}", 1,
                "limits.wallClock must be a duration string such as \"30s\", found an integer");
        error("{\"limits\": {\"maxMemory\": true}}", 1,
                "limits.maxMemory must be a size such as \"64M\" or a number of bytes, found a boolean");
    }

    @Test
    void badValues() {
        error("{\"onViolation\": \"abort\"}", 1, "onViolation must be \"errno\" or \"kill\", not \"abort\"");
        error("{\"net\": {\"bindPorts\": [8080,\n0]}}", 2, "bad port 0 in net.bindPorts; expected 1 to 65535");
        error("{\"net\": {\"bindPorts\": [65536]}}", 1, "bad port 65536 in net.bindPorts; expected 1 to 65535");
        error("{\"net\": {\"connectPorts\": [-1]}}", 1, "bad port -1 in net.connectPorts; expected 1 to 65535");
        error("{\"net\": {\"connectPorts\": [99999999999999999999999]}}", 1,
                "bad port 99999999999999999999999 in net.connectPorts; expected 1 to 65535");
        error("{\"limits\": {\"maxOpenFiles\": 0}}", 1, "limits.maxOpenFiles 0 is out of range; expected 1 to 1048576");
        error("{\"limits\": {\"maxOpenFiles\": 1048577}}", 1,
                "limits.maxOpenFiles 1048577 is out of range; expected 1 to 1048576");
        String sizeHelp = "; expected a positive number of bytes with an optional K, M or G suffix, e.g. \"64M\"";
        error("{\"limits\": {\"maxMemory\": \"64X\"}}", 1, "bad size \"64X\" for limits.maxMemory" + sizeHelp);
        error("{\"limits\": {\"maxMemory\": \"0\"}}", 1, "bad size \"0\" for limits.maxMemory" + sizeHelp);
        error("{\"limits\": {\"maxMemory\": -5}}", 1, "bad size \"-5\" for limits.maxMemory" + sizeHelp);
        error("{\"limits\": {\"maxMemory\": \"9999999999999G\"}}", 1,
                "bad size \"9999999999999G\" for limits.maxMemory" + sizeHelp);
        error("{\"limits\": {\"maxMemory\": \" 64M\"}}", 1, "bad size \" 64M\" for limits.maxMemory" + sizeHelp);
        String durationHelp = "; expected a positive whole number with unit ms, s or m, e.g. \"30s\"";
        error("{\"limits\": {\"wallClock\": \"30\"}}", 1, "bad duration \"30\" for limits.wallClock" + durationHelp);
        error("{\"limits\": {\"wallClock\": \"1h\"}}", 1, "bad duration \"1h\" for limits.wallClock" + durationHelp);
        error("{\"limits\": {\"cpuTime\": \"0s\"}}", 1, "bad duration \"0s\" for limits.cpuTime" + durationHelp);
        error("{\"limits\": {\"cpuTime\": \"-1s\"}}", 1, "bad duration \"-1s\" for limits.cpuTime" + durationHelp);
        error("{\"limits\": {\"cpuTime\": \"9999999999999999999m\"}}", 1,
                "bad duration \"9999999999999999999m\" for limits.cpuTime" + durationHelp);
    }

    @Test
    void badRoots() throws IOException {
        Path file = Files.writeString(dir.resolve("plain.txt"), "x");
        error("{\"files\": {\n\"root\": \"" + file + "\"}}", 2, "files.root \"" + file + "\" is not a directory");
        error("{\"files\": {\"root\": \"" + dir.resolve("missing") + "\"}}", 1,
                "files.root \"" + dir.resolve("missing") + "\" does not exist");
        error("{\"files\": {\"root\": \"\"}}", 1, "files.root must not be empty");
        error("{\"files\": {\"root\": \"/tmp\\u0000x\"}}", 1, "files.root \"/tmp\\u0000x\" is not a valid path");
    }

    @Test
    void badAllowPaths() {
        error("{\"files\": {\"allowPaths\": [\n\"dev/null\"]}}", 2,
                "files.allowPaths entry \"dev/null\" is not an absolute path");
        error("{\"files\": {\"allowPaths\": [\"\"]}}", 1, "files.allowPaths entry \"\" is not an absolute path");
        error("{\"files\": {\"allowPaths\": [{\"path\": \"rel\"}]}}", 1,
                "files.allowPaths entry \"rel\" is not an absolute path");
        error("{\"files\": {\"allowPaths\": [\n{\"readOnly\": true}]}}", 2, "files.allowPaths entry has no \"path\"");
    }

    @Test
    void unreadableFiles() {
        PolicyException missing = assertThrows(PolicyException.class, () -> PolicyFile.load(dir.resolve("none.json")));
        assertEquals(dir.resolve("none.json") + ": cannot read: no such file", missing.getMessage());
        assertEquals(0, missing.line());
        PolicyException directory = assertThrows(PolicyException.class, () -> PolicyFile.load(dir));
        assertEquals(dir + ": cannot read: is a directory", directory.getMessage());
    }

    @Test
    void invalidUtf8AndOversizedFiles() throws IOException {
        Path bad = Files.write(dir.resolve("bad.json"), new byte[] {'{', (byte) 0xC3, '}'});
        assertEquals(bad + ": not valid UTF-8 text", assertThrows(PolicyException.class, () -> PolicyFile.load(bad)).getMessage());
        Path big = Files.write(dir.resolve("big.json"), new byte[PolicyFile.MAX_FILE_SIZE + 1]);
        assertTrue(assertThrows(PolicyException.class, () -> PolicyFile.load(big)).getMessage().contains("1 MiB"));
    }

    @Test
    void controlCharactersInValuesAreEscapedInMessages() {
        PolicyException e = error("{\"allow\": [\"re\\nad\"]}", 1, null);
        assertEquals("policy.json:1: unknown syscall name \"re\\u000aad\"", e.getMessage());
        String longName = "x".repeat(500);
        PolicyException cut = error("{\"allow\": [\"" + longName + "\"]}", 1, null);
        assertTrue(cut.getMessage().length() < 150, cut.getMessage());
    }

    @Test
    void nullSourceNameAndText() {
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyFile.parse("{", null));
        assertTrue(e.getMessage().startsWith("<policy>:1: malformed JSON"), e.getMessage());
        assertThrows(PolicyException.class, () -> PolicyFile.parse(null, "x"));
    }
}
