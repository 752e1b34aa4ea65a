package dev.rudp;

/**
 * A snapshot of one connection's statistics, read with {@link RudpChannel#stats()}.
 *
 * @param smoothedRttNanos smoothed round-trip time (RFC 9002)
 * @param rttVarNanos round-trip time variation
 * @param minRttNanos smallest round-trip time seen
 * @param congestionWindow bytes the congestion controller allows in flight
 * @param bytesInFlight bytes sent and not yet acknowledged or declared lost
 * @param pacingRate bytes per second the pacer allows
 * @param packetsSent packets sent, retransmissions and acknowledgements included
 * @param bytesSent datagram bytes sent
 * @param packetsReceived packets received and accepted
 * @param bytesReceived datagram bytes received and accepted
 * @param packetsLost packets declared lost
 * @param bytesLost datagram bytes declared lost
 * @param bytesRetransmitted message bytes sent again after a loss or probe
 * @param spuriousRetransmits packets declared lost that were acknowledged after all
 * @param duplicatePackets packets received twice (dropped)
 * @param invalidPackets datagrams for this connection that failed checks (dropped)
 * @param probeTimeouts probe timeouts fired
 * @param peerMaxData the peer's flow-control limit on message bytes this side may start
 * @param receiveWindow this side's current flow-control window
 * @param messagesDelivered messages handed to the application
 * @param datagramSize largest datagram this side sends now, as path MTU discovery proved it (before
 *     any DTLS record overhead)
 */
public record RudpStats(long smoothedRttNanos, long rttVarNanos, long minRttNanos, long congestionWindow,
        long bytesInFlight, long pacingRate, long packetsSent, long bytesSent, long packetsReceived,
        long bytesReceived, long packetsLost, long bytesLost, long bytesRetransmitted, long spuriousRetransmits,
        long duplicatePackets, long invalidPackets, long probeTimeouts, long peerMaxData, long receiveWindow,
        long messagesDelivered, int datagramSize) {
}
