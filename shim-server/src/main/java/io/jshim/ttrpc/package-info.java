/**
 * ttrpc, containerd's small RPC protocol, for Java on netty-epoll unix domain sockets.
 *
 * <p>Wire format (containerd/ttrpc {@code PROTOCOL.md}, {@code channel.go}; shared/docs/shim-v2-protocol.md §2):
 * a 10-byte big-endian header (u32 data length, u32 stream id, u8 message type, u8 flags) followed by at
 * most 4 MiB of data. A Request frame carries a protobuf {@code ttrpc.Request}, a Response frame a
 * {@code ttrpc.Response} whose {@code google.rpc.Status} says how the call ended.
 *
 * <p>Server side: {@link io.jshim.ttrpc.TtrpcServer} with a {@link io.jshim.ttrpc.ServiceRegistry} of
 * {@link io.jshim.ttrpc.ServiceDefinition}s. Client side: {@link io.jshim.ttrpc.TtrpcClient}. The netty
 * pipeline has one handler per concern: {@link io.jshim.ttrpc.FrameDecoder}, {@link io.jshim.ttrpc.FrameEncoder},
 * {@link io.jshim.ttrpc.PeerCredentialsCheck}, then {@link io.jshim.ttrpc.ServerDispatcher} or
 * {@link io.jshim.ttrpc.ClientDispatcher}.
 */
package io.jshim.ttrpc;
