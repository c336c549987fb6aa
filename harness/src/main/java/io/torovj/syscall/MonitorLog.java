package io.torovj.syscall;

import java.io.PrintStream;
import java.util.BitSet;

/** The monitor's diagnostics: one line each, prefixed "torovj: ", to stderr by default. */
public final class MonitorLog {
    private final PrintStream out;
    private final BitSet onceKeys = new BitSet();

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
}
