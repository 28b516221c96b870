/**
 * Task events from the shim to containerd: {@code containerd.services.events.ttrpc.v1.Events/Forward} on
 * containerd's ttrpc socket ({@code $TTRPC_ADDRESS}), one {@code Envelope} per event, in order
 * (shared/docs/shim-v2-protocol.md §4).
 */
package io.jshim.shim.events;
