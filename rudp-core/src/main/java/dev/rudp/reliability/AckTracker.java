package dev.rudp.reliability;

import dev.rudp.wire.AckFrame;
import dev.rudp.wire.AckFrequencyFrame;

/**
 * The receiving side of acknowledgements: remembers which packet numbers arrived (bounded
 * history), spots duplicates, and decides when an ACK is due: at once when a packet arrives out of
 * order or carries a PING; otherwise after every second ack-eliciting packet and at the end of each
 * read burst, or, once the peer sent an ACK_FREQUENCY frame, after its threshold of ack-eliciting
 * packets; and always within the max ack delay.
 */
final class AckTracker {
    /** Ranges remembered; older history is forgotten and treated as already received. */
    static final int MAX_TRACKED_RANGES = 256;
    /** Ranges put in one ACK frame (the most recent ones). */
    static final int MAX_SENT_RANGES = 32;

    private final RangeSet received = new RangeSet(MAX_TRACKED_RANGES, true);
    private final long maxAckDelayNanos;
    private long largestReceivedTimeNanos;
    private int unackedAckEliciting;
    private boolean ackNeeded;
    private boolean ackImmediately;
    private long ackDeadlineNanos;
    /** Ack-eliciting packets that may wait for one ACK, from the peer's ACK_FREQUENCY; 0: none received. */
    private int threshold;
    private long thresholdSequence = -1;

    AckTracker(long maxAckDelayNanos) {
        this.maxAckDelayNanos = maxAckDelayNanos;
    }

    /**
     * Records a received packet number; returns false if it is a duplicate (or too old to tell),
     * in which case the packet must be dropped.
     */
    boolean onPacketNumber(long pn) {
        if (received.contains(pn)) {
            return false;
        }
        if (received.rangeCount() == MAX_TRACKED_RANGES && pn < received.min()) {
            return false;
        }
        return true;
    }

    /**
     * Notes that a packet passed checks and was processed; {@code immediate}: it asked for an ACK at
     * once (a PING).
     */
    void onPacketProcessed(long pn, boolean ackEliciting, boolean immediate, long nowNanos) {
        boolean outOfOrder = !received.isEmpty() && (pn < received.max() || pn > received.max() + 1);
        received.add(pn);
        if (pn == received.max()) {
            largestReceivedTimeNanos = nowNanos;
        }
        if (!ackEliciting) {
            return;
        }
        if (!ackNeeded) {
            ackDeadlineNanos = nowNanos + maxAckDelayNanos;
        }
        ackNeeded = true;
        unackedAckEliciting++;
        if (outOfOrder || immediate
                || unackedAckEliciting >= (threshold == 0 ? AckFrequencyFrame.MIN_THRESHOLD : threshold)) {
            ackImmediately = true;
        }
    }

    /**
     * The peer's ACK_FREQUENCY frame: from now on up to {@code packets} ack-eliciting packets may wait
     * for one ACK, and the end of a read burst no longer sends one by itself. A frame older than the
     * last one applied (reordered) is ignored.
     */
    void onAckFrequency(long sequence, int packets) {
        if (sequence > thresholdSequence) {
            thresholdSequence = sequence;
            threshold = packets;
            if (ackNeeded && unackedAckEliciting >= packets) {
                ackImmediately = true;
            }
        }
    }

    /**
     * The receiver has processed everything the socket had for now: acknowledge what is pending at
     * once, unless the peer set a threshold. One ACK per read burst keeps ACKs few at high rates, yet a
     * sender with a small window never waits out the delayed-ACK timer for the odd packet of its
     * flight; a peer that sets a threshold marks the packet after which it waits with a PING instead.
     */
    void onReadBatchEnd() {
        if (ackNeeded && threshold == 0) {
            ackImmediately = true;
        }
    }

    /** Whether an ACK should go out now. */
    boolean ackDue(long nowNanos) {
        return ackNeeded && (ackImmediately || nowNanos >= ackDeadlineNanos);
    }

    /** Whether any ack-eliciting packet awaits acknowledgement (an ACK may ride along on data). */
    boolean ackPending() {
        return ackNeeded;
    }

    /** Deadline of the delayed ACK, or 0 if none is pending. */
    long ackDeadline() {
        return ackNeeded ? (ackImmediately ? 1 : ackDeadlineNanos) : 0;
    }

    boolean hasReceived() {
        return !received.isEmpty();
    }

    /** Fills {@code frame} with the newest ranges; returns how many were added. */
    int fill(AckFrame frame, long nowNanos) {
        long delayMicros = Math.max(0, (nowNanos - largestReceivedTimeNanos) / 1000);
        frame.reset(delayMicros);
        for (int i = received.rangeCount() - 1; i >= 0 && frame.rangeCount() < MAX_SENT_RANGES; i--) {
            if (!frame.addRange(received.low(i), received.high(i))) {
                break;
            }
        }
        return frame.rangeCount();
    }

    /** An ACK frame went out. */
    void onAckSent() {
        ackNeeded = false;
        ackImmediately = false;
        unackedAckEliciting = 0;
    }
}
