package dev.rudp.reliability;

import dev.rudp.RudpStats;
import dev.rudp.wire.AckFrame;
import dev.rudp.wire.AckFrequencyFrame;
import dev.rudp.wire.FrameType;
import dev.rudp.wire.MaxDataFrame;
import io.netty.buffer.ByteBuf;

/**
 * The sending side of a {@link ReliableConnection}: decides whether a packet may go now (congestion
 * window, pacer, what is pending), fills it (ACK, CLOSE, MAX_DATA, message frames, PING), writes path MTU
 * probes, and records what holds data back. Its own class because it is the half of the engine that
 * runs per packet sent, with its own pending-frame flags and counters; the connection keeps the close
 * state machine, the receiving side and the timers, and owns this object (one per connection, same
 * thread, no allocation per packet).
 */
final class PacketSender {
    /** Header, trailer and frame headers of a packet, at most, besides its data (for pacing small packets). */
    private static final int PACKET_OVERHEAD_BOUND = 96;

    private final ReliableConnection conn;
    private final RttEstimator rtt;
    private final CongestionController cc;
    private final LossDetector loss;
    private final AckTracker acks;
    private final InboundAssembler inbound;
    private final OutboundQueue outbound;
    private final Pacer pacer;
    private final PathMtu mtu;
    private final SendLimitTracker limits;
    private final AckFrame ackOut = new AckFrame();
    final AckFrequencyRequests ackFrequency = new AckFrequencyRequests();

    // Frames owed: set by the connection's timers and loss callbacks, taken by the next packet.
    boolean pingPending;
    int probesPending;
    boolean maxDataPending;
    /** When the pacer lets held data go (absolute nanos), or 0; the connection's timers wait for it and clear it. */
    long pacingWakeNanos;
    /** When the last ack-eliciting packet left: the keepalive (a connection timer) counts from it. */
    long lastAckElicitingSentNanos;
    private int ackOnlySinceEliciting;

    // Counters for the connection's stats snapshot.
    long packetsSent;
    long bytesSent;

    PacketSender(ReliableConnection conn, RttEstimator rtt, CongestionController cc, LossDetector loss,
            AckTracker acks, InboundAssembler inbound, OutboundQueue outbound, Pacer pacer, PathMtu mtu,
            SendLimitTracker limits, long nowNanos) {
        this.conn = conn;
        this.rtt = rtt;
        this.cc = cc;
        this.loss = loss;
        this.acks = acks;
        this.inbound = inbound;
        this.outbound = outbound;
        this.pacer = pacer;
        this.mtu = mtu;
        this.limits = limits;
        this.lastAckElicitingSentNanos = nowNanos;
    }

    /** See {@link ReliableConnection#writePacket}. */
    int writePacket(ByteBuf out, int room, int overhead, long nowNanos) {
        ReliableConnection.State state = conn.state();
        if (state == ReliableConnection.State.CLOSED) {
            return ReliableConnection.IDLE;
        }
        boolean closing = state == ReliableConnection.State.CLOSING || state == ReliableConnection.State.DRAINING;
        boolean ackDue = acks.ackDue(nowNanos);
        if (closing) {
            limits.enter(SendLimitTracker.Limit.APPLICATION, nowNanos);
            if (!conn.closePending() && !ackDue) {
                return ReliableConnection.IDLE;
            }
        } else {
            if (inbound.updateDue(nowNanos, rtt.smoothedRtt())) {
                maxDataPending = true;
            }
            boolean probe = probesPending > 0;
            boolean cwndOpen = probe || loss.bytesInFlight() + mtu.current() <= cc.congestionWindow();
            boolean sendable = outbound.hasSendable();
            boolean wantsData = cwndOpen && sendable;
            boolean eliciting = wantsData || pingPending || maxDataPending || (probe && cwndOpen);
            limits.enter(dataLimit(sendable, cwndOpen), nowNanos);
            if (!eliciting && !ackDue) {
                return ReliableConnection.IDLE;
            }
            if (eliciting && !probe) {
                pacer.setRoundTrip(rtt.hasSample() ? rtt.minRtt() : 0); // no guess: 1 ms steps until measured
                pacer.setRate(cc.pacingRate(rtt));
                // Paced by what the packet will carry: a small message must not wait for a full
                // 16-64 KiB datagram's worth of tokens while the rate is still low.
                int expected = (int) Math.min(mtu.current(), outbound.nextPacketDataBound() + PACKET_OVERHEAD_BOUND);
                long delay = pacer.delayNanos(nowNanos, expected);
                if (delay > 0) {
                    if (wantsData) {
                        limits.enter(SendLimitTracker.Limit.PACING, nowNanos);
                    }
                    pacingWakeNanos = nowNanos + delay;
                    if (!ackDue) {
                        return ReliableConnection.PACED;
                    }
                    eliciting = false; // send the ACK alone now, the data when the pacer allows
                }
            }
            return buildPacket(out, room, overhead, nowNanos, eliciting, cwndOpen);
        }
        return buildPacket(out, room, overhead, nowNanos, false, false);
    }

    private int buildPacket(ByteBuf out, int room, int overhead, long nowNanos, boolean eliciting,
            boolean cwndOpen) {
        int start = out.writerIndex();
        SentPacket p = loss.log().append(nowNanos);
        if (acks.ackPending() || acks.ackDue(nowNanos)) {
            if (acks.hasReceived()) {
                int ranges = acks.fill(ackOut, nowNanos);
                while (ranges > 1 && ackOut.encodedSize(ranges) > room / 2) {
                    ranges--;
                }
                ackOut.encode(out, ranges);
            }
            acks.onAckSent();
        }
        if (conn.closePending()) {
            conn.writeClose(out, nowNanos);
        }
        boolean ackEliciting = false;
        if (eliciting) {
            int threshold = ackFrequency.due(cc.congestionWindow(), mtu.current());
            if (threshold > 0) {
                p.ackFrequencySequence = ackFrequency.onSent(threshold);
                AckFrequencyFrame.encode(out, p.ackFrequencySequence, threshold);
                ackEliciting = true;
            }
            if (maxDataPending) {
                long max = inbound.raiseMaxData(nowNanos);
                MaxDataFrame.encode(out, max);
                maxDataPending = false;
                p.hasMaxData = true;
                ackEliciting = true;
            }
            if (cwndOpen) {
                // A peer that applies ACK_FREQUENCY reads a PING as "acknowledge at once": keep a byte for it.
                int used = out.writerIndex() - start + (ackFrequency.enabled() ? 1 : 0);
                if (outbound.writeFrames(out, room - used, p) > 0) {
                    ackEliciting = true;
                }
            }
            // A peer that holds its ACKs for many packets must answer at once the packet after which
            // this side waits.
            boolean askNow = pingPending || probesPending > 0
                    || ackEliciting && ackFrequency.peerDecimates() && waitsAfter(out.writerIndex() - start + overhead);
            if (askNow) {
                // Without ACK_FREQUENCY a PING only makes the packet ack-eliciting; data may have filled
                // the room already.
                if (!ackEliciting || ackFrequency.enabled()) {
                    out.writeByte(FrameType.PING.code());
                    ackEliciting = true;
                }
                pingPending = false;
            } else if (ackFrequency.enabled() && out.writerIndex() - start == room - 1) {
                // The byte kept for a PING: a full packet stays full, so runs of them go out as one
                // GSO send (whose segments must be equal).
                out.writeByte(FrameType.PADDING.code());
            }
            if (probesPending > 0) {
                probesPending--;
            }
        }
        if (!ackEliciting && conn.state() == ReliableConnection.State.OPEN
                && ++ackOnlySinceEliciting >= ReliableConnection.ACK_ONLY_PING_INTERVAL
                && out.writerIndex() - start < room) {
            // A side that only acknowledges would never hear which of its ACKs arrived, and its
            // sent-packet log would only grow (RFC 9000 13.2.4): now and then, ask.
            out.writeByte(FrameType.PING.code());
            ackEliciting = true;
        }
        if (ackEliciting) {
            ackOnlySinceEliciting = 0;
        }
        int size = out.writerIndex() - start + overhead;
        p.size = size;
        p.ackEliciting = ackEliciting;
        p.inFlight = ackEliciting;
        // Out of data after this packet: delivery-rate samples until it is acked measure the application.
        loss.onPacketSent(p, ackEliciting && !outbound.hasSendable());
        if (ackEliciting) {
            lastAckElicitingSentNanos = nowNanos;
            pacer.onSent(nowNanos, size);
        }
        packetsSent++;
        bytesSent += size;
        if (out.writerIndex() == start) {
            // Nothing fitted (can only happen with an ACK over an empty history): pad to a valid packet.
            out.writeByte(FrameType.PADDING.code());
        }
        return ReliableConnection.SENT;
    }

    /**
     * Whether, once a packet of {@code size} bytes is sent, this side has to wait for an ACK before
     * sending more: its window is full, or nothing more may go (no data, or no credit).
     */
    private boolean waitsAfter(int size) {
        return !outbound.hasSendable() || loss.bytesInFlight() + size + mtu.current() > cc.congestionWindow();
    }

    /** See {@link ReliableConnection#probeSize}. */
    int probeSize(long nowNanos) {
        // Only a side with more queued than one packet carries gains from larger packets: requests,
        // replies and acknowledgements fit small ones, and a short-lived connection should not pay
        // for a 16-64 KiB probe (nor make the path carry it).
        if (conn.state() != ReliableConnection.State.OPEN || outbound.nextPacketDataBound() <= mtu.current()) {
            return 0;
        }
        return mtu.probeSize(nowNanos);
    }

    /** See {@link ReliableConnection#writeProbe}. */
    void writeProbe(ByteBuf out, int room, int overhead, int packetSize, long nowNanos) {
        SentPacket p = loss.log().append(nowNanos);
        out.writeByte(FrameType.PING.code());
        out.writeZero(room - 1); // PADDING frames are single zero bytes
        p.size = room + overhead;
        p.ackEliciting = true;
        p.inFlight = false; // kept out of the congestion window and the delivery-rate samples
        p.mtuProbe = true;
        loss.onPacketSent(p, false);
        mtu.onProbeSent(packetSize, p.packetNumber);
        lastAckElicitingSentNanos = nowNanos;
        // Not charged to the pacer either: early in a connection the rate is tiny, and a 16-64 KiB
        // probe would hold the next data packets back for a long time.
        packetsSent++;
        bytesSent += p.size;
    }

    /** What holds new data back, pacer and socket aside; in the order {@link RudpStats.LimitedBy} documents. */
    private SendLimitTracker.Limit dataLimit(boolean sendable, boolean cwndOpen) {
        if (!sendable) {
            // Queued data that may not start is held by the peer's credit; no data at all, by the application.
            return outbound.hasUnsent() ? SendLimitTracker.Limit.RECEIVER_WINDOW : SendLimitTracker.Limit.APPLICATION;
        }
        return cwndOpen ? SendLimitTracker.Limit.SENDING : SendLimitTracker.Limit.CONGESTION_WINDOW;
    }

    /** See {@link ReliableConnection#onSocketBlocked}. */
    void onSocketBlocked(long nowNanos) {
        ReliableConnection.State state = conn.state();
        if (state == ReliableConnection.State.OPEN || state == ReliableConnection.State.FINISHING) {
            boolean cwndOpen = probesPending > 0
                    || loss.bytesInFlight() + mtu.current() <= cc.congestionWindow();
            SendLimitTracker.Limit limit = dataLimit(outbound.hasSendable(), cwndOpen);
            limits.enter(limit == SendLimitTracker.Limit.SENDING ? SendLimitTracker.Limit.SOCKET : limit, nowNanos);
        }
    }
}
