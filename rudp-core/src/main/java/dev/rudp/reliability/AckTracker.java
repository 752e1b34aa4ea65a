package dev.rudp.reliability;

import dev.rudp.wire.AckFrame;

/**
 * The receiving side of acknowledgements: remembers which packet numbers arrived (bounded
 * history), spots duplicates, and decides when an ACK is due: after every second ack-eliciting
 * packet, at once when a packet arrives out of order, and otherwise within the max ack delay.
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

    /** Notes that a packet passed checks and was processed. */
    void onPacketProcessed(long pn, boolean ackEliciting, long nowNanos) {
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
        if (outOfOrder || unackedAckEliciting >= 2) {
            ackImmediately = true;
        }
    }

    /**
     * The receiver has processed everything the socket had for now: acknowledge what is pending at
     * once. One ACK per read burst keeps ACKs few at high rates, yet a sender with a small window
     * never waits out the delayed-ACK timer for the odd packet of its flight.
     */
    void onReadBatchEnd() {
        if (ackNeeded) {
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
