package io.jshim.shim.events;

import io.jshim.proto.containerd.services.events.ttrpc.v1.Envelope;
import io.jshim.proto.containerd.services.events.ttrpc.v1.ForwardRequest;
import io.jshim.ttrpc.CallContext;
import io.jshim.ttrpc.Errdefs;
import io.jshim.ttrpc.ServiceDefinition;
import io.jshim.ttrpc.ServiceRegistry;
import io.jshim.ttrpc.TtrpcServer;
import com.google.protobuf.Empty;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * containerd's ttrpc Events service as far as a shim can tell: records forwarded envelopes and rejects
 * the ones containerd's exchange would reject (events/exchange/exchange.go validateEnvelope).
 */
final class FakeContainerdEvents implements AutoCloseable {

    record Forwarded(Envelope envelope, String namespaceHeader) {
    }

    final List<Forwarded> forwarded = new CopyOnWriteArrayList<>();
    private final TtrpcServer server;

    FakeContainerdEvents(Path socket) throws IOException {
        ServiceDefinition events = ServiceDefinition.builder(TtrpcEventPublisher.SERVICE)
                .unary("Forward", ForwardRequest.parser(), this::forward)
                .build();
        server = TtrpcServer.builder(new ServiceRegistry().register(events)).build().start(socket);
    }

    private Empty forward(CallContext call, ForwardRequest request) {
        Envelope envelope = request.getEnvelope();
        if (!envelope.getTopic().startsWith("/")) {
            throw Errdefs.invalidArgument("must start with '/'");
        }
        if (envelope.getTimestamp().getSeconds() == 0 && envelope.getTimestamp().getNanos() == 0) {
            throw Errdefs.invalidArgument("timestamp must be set");
        }
        forwarded.add(new Forwarded(envelope,
                call.metadataValue(TtrpcEventPublisher.NAMESPACE_METADATA).orElse(null)));
        return Empty.getDefaultInstance();
    }

    @Override
    public void close() {
        server.close();
    }
}
