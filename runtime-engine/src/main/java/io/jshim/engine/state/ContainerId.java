package io.jshim.engine.state;

import io.jshim.engine.EngineException;
import java.util.regex.Pattern;

/** runc's id rule (libcontainer/factory_linux.go validateID): letters, digits, _ + - . only. */
public final class ContainerId {
    private static final Pattern VALID = Pattern.compile("^[\\w+\\-.]+$");

    private ContainerId() {
    }

    public static String validate(String id) throws EngineException {
        if (id == null || id.isEmpty()) {
            throw new EngineException(EngineException.Kind.INVALID_ARGUMENT, "container id cannot be empty");
        }
        if (!VALID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw new EngineException(EngineException.Kind.INVALID_ARGUMENT, "invalid container ID format: " + id);
        }
        return id;
    }
}
