package io.jshim.engine.hooks;

/** A hook could not be run, failed, or ran past its timeout. The message names the hook ({@code hooks.prestart[0]}). */
public final class HookException extends Exception {
    public HookException(String message) {
        super(message);
    }

    public HookException(String message, Throwable cause) {
        super(message, cause);
    }
}
