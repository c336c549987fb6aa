package io.torovj.mechanisms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.transport.TransportRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each registered transport (its Java provider, found as the CLI finds it) has a guest half in
 * src/main/guest/*.c that registers a {@code struct torovj_transport} under the same name, and
 * each guest half belongs to a provider: the runtime picks the guest half by the name the monitor
 * writes into the boot info, so a mismatch is a VM that cannot start.
 */
class GuestHalfNamesTest {
    private static final Path GUEST = Path.of("src/main/guest");
    private static final Pattern NAME = Pattern.compile("\\.name\\s*=\\s*\"([^\"]*)\"");
    private static final Pattern REGISTRATION = Pattern.compile("^\\s*TOROVJ_TRANSPORT\\s*\\(", Pattern.MULTILINE);

    /** C source without its comments (a name quoted in a comment does not count). */
    private static String code(Path c) throws IOException {
        return Files.readString(c).replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
    }

    /** name -> the guest C files that name it; every .c must register exactly one transport. */
    private static Map<String, List<String>> guestHalves() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.list(GUEST)) {
            sources = files.filter(p -> p.toString().endsWith(".c")).sorted().toList();
        }
        assertFalse(sources.isEmpty(), "no guest halves in " + GUEST.toAbsolutePath());
        Map<String, List<String>> byName = new TreeMap<>();
        for (Path c : sources) {
            String code = code(c);
            List<String> names = new ArrayList<>();
            for (Matcher m = NAME.matcher(code); m.find(); ) names.add(m.group(1));
            long registrations = REGISTRATION.matcher(code).results().count();
            assertEquals(1, names.size(), c + ": one struct torovj_transport with a .name, found " + names);
            assertEquals(1, registrations, c + ": registered once with TOROVJ_TRANSPORT(...)");
            byName.computeIfAbsent(names.get(0), n -> new ArrayList<>()).add(c.getFileName().toString());
        }
        return byName;
    }

    @Test
    void everyProviderHasAGuestHalfOfTheSameNameAndTheReverse() throws IOException {
        Map<String, List<String>> guest = guestHalves();
        TreeSet<String> providers = new TreeSet<>(TransportRegistry.load().providers().keySet());
        assertFalse(providers.isEmpty(), "no TransportProvider on the class path (META-INF/services)");

        TreeSet<String> noGuestHalf = new TreeSet<>(providers);
        noGuestHalf.removeAll(guest.keySet());
        TreeSet<String> noProvider = new TreeSet<>(guest.keySet());
        noProvider.removeAll(providers);
        assertTrue(noGuestHalf.isEmpty(), "providers without a guest half in " + GUEST + ": " + noGuestHalf);
        assertTrue(noProvider.isEmpty(), "guest halves without a provider: " + noProvider + " in "
                + noProvider.stream().map(guest::get).toList());
        assertEquals(providers, guest.keySet());
    }

    @Test
    void noTwoGuestHalvesShareAName() throws IOException {
        for (Map.Entry<String, List<String>> e : guestHalves().entrySet()) {
            assertEquals(1, e.getValue().size(), "transport '" + e.getKey() + "' registered by " + e.getValue());
        }
    }
}
