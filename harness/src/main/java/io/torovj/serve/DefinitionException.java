package io.torovj.serve;

/** A function definition that cannot be served; the message is one line for the user. */
public final class DefinitionException extends Exception {
    public DefinitionException(String message) {
        super(message);
    }

    public DefinitionException(String message, Throwable cause) {
        super(message, cause);
    }
}
