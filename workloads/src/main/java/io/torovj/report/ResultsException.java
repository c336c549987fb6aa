package io.torovj.report;

import java.nio.file.Path;

/**
 * A results folder that does not follow {@link ResultsSchema}: the message names the file and, where it applies,
 * the line ({@code results/x/metrics.csv:12: unknown metric 'latncy' ...}).
 */
public final class ResultsException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long line;

    /** An error in {@code file} at {@code line} (1-based; 0 when no line applies). */
    public ResultsException(Path file, long line, String message) {
        this(file, line, message, null);
    }

    public ResultsException(Path file, long line, String message, Throwable cause) {
        super(location(file, line) + message, cause);
        this.file = file;
        this.line = line;
    }

    /** An error about {@code file} as a whole. */
    public ResultsException(Path file, String message) {
        this(file, 0, message, null);
    }

    /** The file at fault (may be a folder). */
    public Path file() {
        return file;
    }

    /** The 1-based line, or 0 when the error is not about one line. */
    public long line() {
        return line;
    }

    private static String location(Path file, long line) {
        if (file == null) {
            return "";
        }
        return line > 0 ? file + ":" + line + ": " : file + ": ";
    }
}
