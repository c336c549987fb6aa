package io.torovj.policy;

/**
 * A policy file the monitor refuses. The message is one line,
 * {@code <source>:<line>: <what>} (or {@code <source>: <what>} when no line applies, as for
 * a file that cannot be read), ready for a CLI error.
 */
public final class PolicyException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final String detail;

    /**
     * @param source file name as the user gave it
     * @param line   1-based line number, or 0 if none applies
     * @param detail what is wrong, one line, lower case, no trailing period
     */
    public PolicyException(String source, int line, String detail) {
        this(source, line, detail, null);
    }

    public PolicyException(String source, int line, String detail, Throwable cause) {
        super(source + (line > 0 ? ":" + line : "") + ": " + detail, cause);
        this.source = source;
        this.line = Math.max(line, 0);
        this.detail = detail;
    }

    /** The file name the message starts with. */
    public String source() {
        return source;
    }

    /** 1-based line of the offending token, 0 if none applies. */
    public int line() {
        return line;
    }

    /** The message without the {@code <source>:<line>: } prefix. */
    public String detail() {
        return detail;
    }
}
