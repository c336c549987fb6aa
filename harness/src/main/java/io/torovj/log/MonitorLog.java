package io.torovj.log;

import java.io.PrintStream;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;

/** The monitor's diagnostics: one line each, prefixed "torovj: ", to stderr by default. */
public final class MonitorLog {
    private final PrintStream out;
    private final BitSet onceKeys = new BitSet();
    private final Set<String> onceNames = new HashSet<>();

    public MonitorLog(PrintStream out) {
        this.out = out;
    }

    public static MonitorLog stderr() { return new MonitorLog(System.err); }

    public void line(String message) {
        out.println("torovj: " + message);
        out.flush();
    }

    /** Logs only the first time {@code key} (a small non-negative number) is seen. */
    public void once(int key, String message) {
        if (key < 0 || onceKeys.get(key)) return;
        onceKeys.set(key);
        line(message);
    }

    /** Marks {@code key} as logged without a line: later {@link #once(int, String)} calls for it are silent. */
    public void silence(int key) {
        if (key >= 0) onceKeys.set(key);
    }

    /** True once {@link #once(int, String)} has logged {@code key}: lets callers skip building the message. */
    public boolean logged(int key) {
        return key >= 0 && onceKeys.get(key);
    }

    /** Logs only the first time {@code name} (e.g. a syscall name) is seen under this key space. */
    public void once(String name, String message) {
        if (onceNames.add(name)) line(message);
    }
}
