package io.jshim.ttrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A service as ttrpc routes it: its full proto name (e.g. {@code containerd.task.v2.Task}) and a handler
 * per bare method name (e.g. {@code Create}).
 *
 * <p>The name is not bound to the handlers: {@link #withName} gives the same handlers under another
 * name. That is how one Task implementation serves both {@code containerd.task.v2.Task} and
 * {@code containerd.task.v3.Task}, whose messages are identical on the wire (shim-v2-protocol.md §3.1).
 */
public final class ServiceDefinition {

    private final String name;
    private final Map<String, MethodHandler> methods;

    private ServiceDefinition(String name, Map<String, MethodHandler> methods) {
        this.name = name;
        this.methods = Map.copyOf(methods);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public Map<String, MethodHandler> methods() {
        return methods;
    }

    /** The same handlers, registered under another service name. */
    public ServiceDefinition withName(String otherName) {
        return new ServiceDefinition(Objects.requireNonNull(otherName), methods);
    }

    public static final class Builder {

        private final String name;
        private final Map<String, MethodHandler> methods = new LinkedHashMap<>();

        private Builder(String name) {
            this.name = Objects.requireNonNull(name);
        }

        /** A method served on raw payload bytes. */
        public Builder raw(String method, MethodHandler handler) {
            if (methods.putIfAbsent(Objects.requireNonNull(method), Objects.requireNonNull(handler)) != null) {
                throw new IllegalArgumentException("duplicate method " + method + " in service " + name);
            }
            return this;
        }

        /**
         * A method served on typed messages. A payload that does not parse fails the call with INTERNAL,
         * as Go's ttrpc does (services.go {@code protoUnmarshal}).
         */
        public <Q extends Message, R extends Message> Builder unary(String method, Parser<Q> requestParser,
                UnaryHandler<Q, R> handler) {
            Objects.requireNonNull(requestParser);
            Objects.requireNonNull(handler);
            return raw(method, (call, payload) -> {
                Q request;
                try {
                    request = requestParser.parseFrom(payload);
                } catch (InvalidProtocolBufferException e) {
                    throw new TtrpcException(Code.INTERNAL, "ttrpc: error unmarshalling payload: " + e.getMessage());
                }
                R response = handler.handle(call, request);
                if (response == null) {
                    // Go: errors.New("ttrpc: marshal called with nil"), which convertCode makes UNKNOWN
                    throw new TtrpcException(Code.UNKNOWN, "ttrpc: marshal called with nil");
                }
                return response.toByteArray();
            });
        }

        public ServiceDefinition build() {
            return new ServiceDefinition(name, methods);
        }
    }
}
