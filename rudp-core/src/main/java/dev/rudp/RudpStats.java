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
 * @param limitedBy how the connection's lifetime so far divides between the things that limited its sending
 * @param socketReceiveDrops datagrams the operating system dropped at the receiving socket (its buffer was
 *        full, or a checksum failed) before rudp could read them: local overload, not network loss. This is
 *        the count of the datagram socket that carries the connection, since the socket was opened, shared
 *        by every connection on that socket. Read from {@code /proc/net/udp} and {@code /proc/net/udp6}
 *        on Linux, at most every 200 ms; -1 where that is not available (other systems, no {@code /proc}).
 * @param socketErrors I/O errors the datagram channel reported to rudp since it was opened, shared by
 *        every connection on it: mostly sends the kernel refused (such as {@code ENOBUFS}), which Netty
 *        reports only as an exception without saying whether it came from a send or a receive. A send the
 *        kernel defers because its buffer is full ({@code EAGAIN}) is not an error: Netty keeps the
 *        datagram, and the wait shows as {@link LimitedBy#socketNanos()}.
 * @param datagramSize largest datagram this side sends now, as path MTU discovery proved it (before
 *        any DTLS record overhead)
 * @param socketReceiveBuffer the receive buffer of the datagram socket under the connection, as the kernel
 *        reports it (Linux: twice what it granted), shared by every connection on the socket; rudp sizes it
 *        from the flow-control windows of its connections, within {@code net.core.rmem_max}; -1 if unknown
 * @param socketSendBuffer the same for the send buffer, sized from the congestion windows, within
 *        {@code net.core.wmem_max}
 */
public record RudpStats(long smoothedRttNanos, long rttVarNanos, long minRttNanos, long congestionWindow,
        long bytesInFlight, long pacingRate, long packetsSent, long bytesSent, long packetsReceived,
        long bytesReceived, long packetsLost, long bytesLost, long bytesRetransmitted, long spuriousRetransmits,
        long duplicatePackets, long invalidPackets, long probeTimeouts, long peerMaxData, long receiveWindow,
        long messagesDelivered, LimitedBy limitedBy, long socketReceiveDrops, long socketErrors,
        int datagramSize, int socketReceiveBuffer, int socketSendBuffer) {

    /**
     * Time since the connection opened (until it closed) split by what limited its sending, in
     * nanoseconds. Exactly one state holds at a time, so the parts add up to the connection's age.
     * When several limits hold at once the first in this order is counted: no data (application),
     * the peer's credit (receiver window), the congestion window, the socket, the pacer.
     *
     * @param sendingNanos limited by none of these: packets were being written as fast as the event loop ran
     * @param congestionWindowNanos data waited because the congestion window was full
     * @param pacingNanos data waited for the pacer to spread packets out
     * @param receiverWindowNanos data waited for the peer's flow-control credit (the peer reads slowly, or
     *        holds too many partial messages)
     * @param applicationNanos nothing was waiting to be sent: the application wrote no more (time waiting
     *        for acknowledgements of data already sent counts here too)
     * @param socketNanos data waited because the datagram channel took no more writes (its Netty outbound
     *        buffer, fed by the kernel's send buffer, was above the high water mark)
     */
    public record LimitedBy(long sendingNanos, long congestionWindowNanos, long pacingNanos,
            long receiverWindowNanos, long applicationNanos, long socketNanos) {

        /** The sum of all parts: the time accounted for. */
        public long totalNanos() {
            return sendingNanos + congestionWindowNanos + pacingNanos + receiverWindowNanos + applicationNanos
                    + socketNanos;
        }
    }
}
