package io.jshim.engine.devices;

/** A device rule is invalid, or the kernel refused the device filter; the message names the rule or call. */
public final class DeviceRuleException extends Exception {
    public DeviceRuleException(String message) {
        super(message);
    }

    public DeviceRuleException(String message, Throwable cause) {
        super(message, cause);
    }
}
