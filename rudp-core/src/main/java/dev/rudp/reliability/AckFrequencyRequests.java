package dev.rudp.reliability;

import dev.rudp.wire.AckFrequencyFrame;

/**
 * The sending side of ACK_FREQUENCY: what threshold to ask a peer that applies the frame for, and
 * when. Fewer ACKs save the receiver building, sealing and sending them and this side opening and
 * processing them, per packet, on both ends; but a sender whose window is full waits for the next
 * ACK. So the threshold is a quarter of the congestion window (an ACK at least four times per window,
 * as TCP's and QUIC's ACK decimation give), and the packet after which this side must wait carries a
 * PING, which the peer acknowledges at once ({@link PacketSender}). A new threshold is asked for only
 * when the wanted one doubled or halved, so a window that moves a little sends no frames.
 *
 * <p>One per connection, on its thread.
 */
final class AckFrequencyRequests {
    /** The window is acknowledged at least this many times over. */
    static final int WINDOW_FRACTION = 4;
    /** The largest threshold asked for: 64 Ethernet-sized packets are about 90 KB. */
    static final int MAX_THRESHOLD = 64;

    private boolean enabled;
    /** The threshold last sent, 0 before the first. */
    private int sent;
    private long nextSequence;
    /** The frame carrying the latest threshold was lost: send it again. */
    private boolean resend;

    /** The peer announced that it applies ACK_FREQUENCY frames. */
    void enable() {
        enabled = true;
    }

    boolean enabled() {
        return enabled;
    }

    /**
     * Whether the peer was asked for fewer ACKs than the default (one per two packets and per read
     * burst): the packet after which this side waits must then ask for its ACK with a PING.
     */
    boolean peerDecimates() {
        return sent > AckFrequencyFrame.MIN_THRESHOLD;
    }

    /**
     * The threshold to send in the packet being built, or 0 for none, for a window of
     * {@code windowBytes} and packets of {@code packetBytes}.
     */
    int due(long windowBytes, int packetBytes) {
        if (!enabled) {
            return 0;
        }
        long want = windowBytes / Math.max(1, packetBytes) / WINDOW_FRACTION;
        int threshold = (int) Math.max(AckFrequencyFrame.MIN_THRESHOLD, Math.min(MAX_THRESHOLD, want));
        boolean changed = sent == 0 ? threshold > AckFrequencyFrame.MIN_THRESHOLD
                : threshold >= 2 * sent || 2 * threshold <= sent;
        return resend || changed ? threshold : 0;
    }

    /** A frame with {@code threshold} is in the packet being built; returns its sequence number. */
    long onSent(int threshold) {
        sent = threshold;
        resend = false;
        return nextSequence++;
    }

    /** The packet carrying the frame numbered {@code sequence} was lost: only the latest matters. */
    void onLost(long sequence) {
        if (sequence == nextSequence - 1) {
            resend = true;
        }
    }
}
