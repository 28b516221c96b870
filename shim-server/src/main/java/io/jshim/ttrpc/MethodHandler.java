package io.jshim.ttrpc;

/**
 * Serves one method on raw bytes: the request's protobuf payload in, the response's protobuf payload
 * out. It runs on a worker thread, never on the event loop, so it may block (Task.Wait does).
 * Whatever it throws becomes the call's status through {@link ErrorStatus}.
 */
@FunctionalInterface
public interface MethodHandler {

    byte[] handle(CallContext call, byte[] request) throws Exception;
}
