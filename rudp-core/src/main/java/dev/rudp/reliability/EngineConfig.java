package dev.rudp.reliability;

/**
 * Settings of one {@link ReliableConnection}, after negotiation with the peer.
 *
 * @param maxDatagramSize largest datagram sent (the peer's limit already applied)
 * @param maxAckDelayNanos longest this side holds an acknowledgement back
 * @param initialRttNanos RTT assumed before the first sample
 * @param idleTimeoutNanos silence after which the connection dies (0: never)
 * @param keepaliveNanos silence after which a PING is sent (0: never)
 * @param initialWindow initial flow-control window granted to the peer
 * @param maxWindow largest the window may grow to
 * @param maxMessageSize largest message accepted from the peer
 * @param maxPartialMessages most messages held in reassembly at once
 * @param peerInitialMaxData credit the peer granted in the handshake
 * @param peerMaxMessageSize largest message the peer accepts
 */
public record EngineConfig(int maxDatagramSize, long maxAckDelayNanos, long initialRttNanos, long idleTimeoutNanos,
        long keepaliveNanos, long initialWindow, long maxWindow, long maxMessageSize, int maxPartialMessages,
        long peerInitialMaxData, long peerMaxMessageSize) {
}
