/**
 * The rudp wire format: one class per packet or frame type, with named field layouts; see
 * {@code docs/protocol.md} for diagrams. Decoders never throw on bad input: they return a failure
 * value ({@code false} or {@code null}) so callers can drop and count the datagram. {@link
 * dev.rudp.wire.ByteCopy} is the buffer copy that encoders and the layers above share.
 */
package dev.rudp.wire;
