package io.torovj.policy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever the text, parsing a policy yields a policy or a PolicyException, nothing else. */
class PolicyFilePropertyTest {
    private static final String SAMPLE = PolicyFileTest.resource("sample.json");

    /** The property: only PolicyException may escape, and its message is one prefixed line. */
    private static void parses(String text) {
        try {
            PolicyFile.parse(text, "p.json");
        } catch (PolicyException e) {
            if (!e.getMessage().startsWith("p.json:") || e.getMessage().contains("\n")) {
                throw new AssertionError("badly formed message: " + e.getMessage());
            }
        }
    }

    @Property(tries = 1000)
    void anyString(@ForAll String text) {
        parses(text);
    }

    @Provide
    Arbitrary<String> jsonish() {
        Arbitrary<String> tokens = Arbitraries.oneOf(
                Arbitraries.of("{", "}", "[", "]", ":", ",", " ", "\n", "//x\n", "/*", "*/", "\"", "\\",
                        "true", "false", "null", "0", "-1", "65535", "65536", "1e9", "0.5",
                        "99999999999999999999999", "\"allow\"", "\"onViolation\"", "\"files\"", "\"root\"",
                        "\"readOnly\"", "\"allowPaths\"", "\"path\"", "\"net\"", "\"bindPorts\"", "\"connectPorts\"",
                        "\"limits\"", "\"maxOpenFiles\"", "\"maxMemory\"", "\"wallClock\"", "\"cpuTime\"",
                        "\"read\"", "\"errno\"", "\"kill\"", "\"/tmp\"", "\"/dev/null\"", "\"64M\"", "\"30s\"",
                        "\"9999999999999999999G\"", "\"\\u0000\"", "\"rel\""),
                Arbitraries.strings().ofMaxLength(4));
        return tokens.list().ofMaxSize(40).map(list -> String.join("", list));
    }

    @Property(tries = 1500)
    void jsonishTokenSoup(@ForAll("jsonish") String text) {
        parses(text);
    }

    /** One edit to a valid policy: delete, insert or replace a few characters somewhere. */
    record Edit(int kind, int position, int length, String text) {
        String apply(String s) {
            int at = Math.floorMod(position, s.length() + 1);
            int end = Math.min(s.length(), at + length);
            return switch (kind) {
                case 0 -> s.substring(0, at) + s.substring(end);
                case 1 -> s.substring(0, at) + text + s.substring(at);
                default -> s.substring(0, at) + text + s.substring(end);
            };
        }
    }

    @Provide
    Arbitrary<List<Edit>> edits() {
        Arbitrary<String> texts = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(3),
                Arbitraries.strings().withChars("{}[]\":,0123456789-.eE \n/*\\tfnul").ofMaxLength(6),
                Arbitraries.of("\"wirte\"", "\"kill\"", "[]", "{}", "null", "0", "65536", "-1", "\"0s\"", "\"1h\"",
                        "\"64X\"", "\"relative\"", "\"/nonexistent\"", "\"allow\"", "\"files\":{},", "true"));
        Arbitrary<Edit> edit = Combinators.combine(
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 2000),
                Arbitraries.integers().between(0, 8),
                texts).as(Edit::new);
        return edit.list().ofMinSize(1).ofMaxSize(5);
    }

    @Property(tries = 2000)
    void editedSample(@ForAll("edits") List<Edit> edits) {
        String text = SAMPLE;
        for (Edit e : edits) text = e.apply(text);
        parses(text);
    }
}
