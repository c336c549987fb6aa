package io.torovj.policy;

import io.torovj.testing.Generators;
import io.torovj.testing.PropertyRunner;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Whatever the text, parsing a policy yields a policy or a PolicyException, nothing else.
 * Each property runs its edge cases first, then generated inputs; the seed is fixed, or
 * {@code -Dtorovj.test.seed=N}.
 */
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

    /** Any string of up to 255 characters; edge cases: empty, NUL, space. */
    @Test
    void anyString() {
        PropertyRunner.property("anyString", 1000, 0x9A5E_0001L)
                .forAll(Generators.STRING_EDGE_CASES, g -> g.strings(255), PolicyFilePropertyTest::parses);
    }

    static final List<String> TOKENS = List.of("{", "}", "[", "]", ":", ",", " ", "\n", "//x\n", "/*", "*/", "\"", "\\",
            "true", "false", "null", "0", "-1", "65535", "65536", "1e9", "0.5",
            "99999999999999999999999", "\"allow\"", "\"onViolation\"", "\"files\"", "\"root\"",
            "\"readOnly\"", "\"allowPaths\"", "\"path\"", "\"net\"", "\"bindPorts\"", "\"connectPorts\"",
            "\"limits\"", "\"maxOpenFiles\"", "\"maxMemory\"", "\"wallClock\"", "\"cpuTime\"",
            "\"read\"", "\"errno\"", "\"kill\"", "\"/tmp\"", "\"/dev/null\"", "\"64M\"", "\"30s\"",
            "\"9999999999999999999G\"", "\"\\u0000\"", "\"rel\"");

    /** Up to 40 tokens, each one of TOKENS or a string of up to 4 characters, as likely. */
    static String jsonish(Generators g) {
        List<String> tokens = g.lists(0, 40, t -> t.oneOf(u -> u.of(TOKENS), u -> u.strings(4)));
        return String.join("", tokens);
    }

    /** Edge cases: no token, and each single token (every one of TOKENS, and the short strings' edge cases). */
    static List<String> jsonishEdgeCases() {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        out.add("");
        out.addAll(TOKENS);
        out.addAll(Generators.STRING_EDGE_CASES);
        return List.copyOf(out);
    }

    @Test
    void jsonishTokenSoup() {
        PropertyRunner.property("jsonishTokenSoup", 1500, 0x9A5E_0002L)
                .forAll(jsonishEdgeCases(), PolicyFilePropertyTest::jsonish, PolicyFilePropertyTest::parses);
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

    static final String EDIT_CHARS = "{}[]\":,0123456789-.eE \n/*\\tfnul";
    static final List<String> EDIT_TEXTS = List.of("\"wirte\"", "\"kill\"", "[]", "{}", "null", "0", "65536", "-1",
            "\"0s\"", "\"1h\"", "\"64X\"", "\"relative\"", "\"/nonexistent\"", "\"allow\"", "\"files\":{},", "true");

    /** A text to put in: any string of up to 3, a JSON-ish string of up to 6, or one of EDIT_TEXTS, as likely. */
    static String editText(Generators g) {
        return g.oneOf(t -> t.strings(3), t -> t.strings(EDIT_CHARS, 6), t -> t.of(EDIT_TEXTS));
    }

    static Edit edit(Generators g) {
        return new Edit(g.ints(0, 2), g.ints(0, 2000), g.ints(0, 8), editText(g));
    }

    /**
     * Edge cases: one edit, of every kind at the edge cases of position (0..2000) and length
     * (0..8), with each edge case of the texts.
     */
    static List<List<Edit>> editEdgeCases() {
        LinkedHashSet<String> texts = new LinkedHashSet<>(Generators.STRING_EDGE_CASES);
        texts.addAll(Generators.stringEdgeCases(EDIT_CHARS));
        texts.add(EDIT_TEXTS.get(0));
        texts.add(EDIT_TEXTS.get(EDIT_TEXTS.size() - 1));
        List<List<Edit>> out = new ArrayList<>();
        for (long kind : Generators.edgeCases(0, 2)) {
            for (long position : Generators.edgeCases(0, 2000)) {
                for (long length : Generators.edgeCases(0, 8)) {
                    for (String text : texts) out.add(List.of(new Edit((int) kind, (int) position, (int) length, text)));
                }
            }
        }
        return out;
    }

    @Test
    void editedSample() {
        PropertyRunner.property("editedSample", 2000, 0x9A5E_0003L)
                .forAll(editEdgeCases(), g -> g.lists(1, 5, PolicyFilePropertyTest::edit), edits -> {
                    String text = SAMPLE;
                    for (Edit e : edits) text = e.apply(text);
                    parses(text);
                });
    }
}
