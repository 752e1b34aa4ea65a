package dev.rudp.reliability;

/**
 * Settings of one {@link ReliableConnection}, after negotiation with the peer.
 *
 * @param maxDatagramSize largest packet worth trying on this path (the peer's limit and the outgoing
 *     interface's already applied); path MTU discovery probes up to it
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
 * @param baseDatagramSize packet size used until a probe proves a larger one; equal to
 *     {@code maxDatagramSize} turns discovery off
 */
public record EngineConfig(int maxDatagramSize, long maxAckDelayNanos, long initialRttNanos, long idleTimeoutNanos,
        long keepaliveNanos, long initialWindow, long maxWindow, long maxMessageSize, int maxPartialMessages,
        long peerInitialMaxData, long peerMaxMessageSize, int baseDatagramSize) {

    public EngineConfig {
        if (baseDatagramSize <= 0 || baseDatagramSize > maxDatagramSize) {
            throw new IllegalArgumentException("datagram sizes: base " + baseDatagramSize + ", max " + maxDatagramSize);
        }
    }

    /** Settings with a fixed packet size ({@code maxDatagramSize}) and no path MTU discovery. */
    public EngineConfig(int maxDatagramSize, long maxAckDelayNanos, long initialRttNanos, long idleTimeoutNanos,
            long keepaliveNanos, long initialWindow, long maxWindow, long maxMessageSize, int maxPartialMessages,
            long peerInitialMaxData, long peerMaxMessageSize) {
        this(maxDatagramSize, maxAckDelayNanos, initialRttNanos, idleTimeoutNanos, keepaliveNanos, initialWindow,
                maxWindow, maxMessageSize, maxPartialMessages, peerInitialMaxData, peerMaxMessageSize, maxDatagramSize);
    }
}
