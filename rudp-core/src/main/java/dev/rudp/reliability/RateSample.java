package dev.rudp.reliability;

/**
 * What one ACK taught about the path's delivery rate, after draft-cheng-iccrg-delivery-rate-estimation:
 * bytes delivered between the send of the newest acknowledged packet and its acknowledgement,
 * divided by the longer of the send and ack intervals (so that neither a burst of sends nor a
 * compressed burst of ACKs inflates the rate). Produced by {@link DeliveryRateSampler}; one
 * instance is reused for every ACK.
 */
public final class RateSample {
    long deliveryRate;
    long deliveredBytes;
    long intervalNanos;
    long priorDelivered;
    long totalDelivered;
    long newlyAcked;
    long newlyLost;
    long rttNanos;
    boolean appLimited;
    boolean valid;

    /** Bytes per second; meaningful only when {@link #valid()}. */
    public long deliveryRate() {
        return deliveryRate;
    }

    /** Bytes delivered over the sample's interval. */
    public long deliveredBytes() {
        return deliveredBytes;
    }

    /** The interval the rate was measured over. */
    public long intervalNanos() {
        return intervalNanos;
    }

    /**
     * Bytes the connection had delivered when the newest acknowledged packet was sent: a round
     * trip ends when this passes the total delivered at the round's start.
     */
    public long priorDelivered() {
        return priorDelivered;
    }

    /** Bytes delivered over the connection's life, including this ACK. */
    public long totalDelivered() {
        return totalDelivered;
    }

    /** Bytes newly acknowledged by this ACK. */
    public long newlyAcked() {
        return newlyAcked;
    }

    /** Bytes declared lost while processing this ACK. */
    public long newlyLost() {
        return newlyLost;
    }

    /** Time from sending the newest acknowledged packet to now (ack delay included), or 0. */
    public long rttNanos() {
        return rttNanos;
    }

    /** Whether the sender was short of data when the packet was sent: the rate is only a lower bound. */
    public boolean appLimited() {
        return appLimited;
    }

    /** Whether a rate was measured (something new was acknowledged over a long enough interval). */
    public boolean valid() {
        return valid;
    }

    @Override
    public String toString() {
        return "RateSample{rate=" + deliveryRate + " delivered=" + deliveredBytes + " interval=" + intervalNanos
                + " appLimited=" + appLimited + " valid=" + valid + "}";
    }
}
