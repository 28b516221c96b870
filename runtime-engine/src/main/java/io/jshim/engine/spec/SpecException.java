package io.jshim.engine.spec;

/** config.json is missing, unreadable or asks for something invalid; the message names the field. */
public final class SpecException extends Exception {
    public SpecException(String message) {
        super(message);
    }

    public SpecException(String message, Throwable cause) {
        super(message, cause);
    }
}
