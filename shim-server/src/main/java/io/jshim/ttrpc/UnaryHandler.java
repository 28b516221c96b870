package io.jshim.ttrpc;

import com.google.protobuf.Message;

/** Serves one method on typed protobuf messages; {@link ServiceDefinition.Builder#unary} adapts it to bytes. */
@FunctionalInterface
public interface UnaryHandler<Q extends Message, R extends Message> {

    R handle(CallContext call, Q request) throws Exception;
}
