package io.jshim.ttrpc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Service name to {@link ServiceDefinition}, the routing table of a {@link TtrpcServer}
 * (ttrpc services.go {@code serviceSet}).
 */
public final class ServiceRegistry {

    private final Map<String, ServiceDefinition> services = new ConcurrentHashMap<>();

    public ServiceRegistry register(ServiceDefinition service) {
        if (services.putIfAbsent(service.name(), service) != null) {
            // Go's ttrpc panics here (services.go register): registering twice is a programming error
            throw new IllegalStateException("duplicate service " + service.name() + " registered");
        }
        return this;
    }

    /** Registers {@code service}'s handlers under {@code name} as well, e.g. task v2 handlers as v3. */
    public ServiceRegistry register(String name, ServiceDefinition service) {
        return register(service.withName(name));
    }

    /**
     * The handler for a call, or UNIMPLEMENTED with the message Go's ttrpc gives: "service &lt;name&gt;" for an
     * unknown service, "method &lt;name&gt;" for an unknown method (services.go {@code handle}/{@code resolve}).
     */
    public MethodHandler lookup(String service, String method) {
        ServiceDefinition definition = services.get(service);
        if (definition == null) {
            throw new TtrpcException(Code.UNIMPLEMENTED, "service " + service);
        }
        MethodHandler handler = definition.methods().get(method);
        if (handler == null) {
            throw new TtrpcException(Code.UNIMPLEMENTED, "method " + method);
        }
        return handler;
    }

    public boolean contains(String service) {
        return services.containsKey(service);
    }
}
