package io.jshim.ttrpc;

import io.netty.handler.codec.DecoderException;

/** The peer closed its side of the connection in the middle of a frame. */
public final class TruncatedFrameException extends DecoderException {

    public TruncatedFrameException(String message) {
        super(message);
    }
}
