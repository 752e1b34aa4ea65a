package dev.rudp.reliability;

/**
 * Delivery-rate estimation as in draft-cheng-iccrg-delivery-rate-estimation (the algorithm behind
 * Linux's tcp_rate.c and BBR): every sent packet remembers how much the connection had delivered
 * and when; its acknowledgement then yields the rate over the interval in between. Pure state,
 * time passed in; owned by the {@link LossDetector}.
 */
final class DeliveryRateSampler {
    private final RateSample sample = new RateSample();
    private long delivered;
    private long deliveredTimeNanos;
    private long firstSentTimeNanos;
    /** Delivered count at which the current app-limited period ends, or 0 if not app-limited. */
    private long appLimitedUntil;

    // Per-ACK accumulation: the acknowledged packet sent last defines the sample.
    private boolean havePrior;
    private long priorDelivered;
    private long sendElapsed;
    private long ackElapsed;
    private long newestSentNanos;
    private boolean priorAppLimited;

    long delivered() {
        return delivered;
    }

    /**
     * Stamps a packet about to count in flight.
     *
     * @param bytesInFlight in flight before this packet
     * @param appLimited whether the sender ran out of data with this packet: what is acknowledged
     *     until the flight now outstanding is delivered then measures the application, not the path
     */
    void onPacketSent(SentPacket p, long bytesInFlight, boolean appLimited) {
        if (bytesInFlight == 0) {
            // Starting from idle: the send interval must not include the silence before.
            firstSentTimeNanos = p.timeSentNanos;
            deliveredTimeNanos = p.timeSentNanos;
        }
        if (appLimited) {
            appLimitedUntil = Math.max(1, delivered + bytesInFlight + p.size);
        }
        p.deliveredAtSend = delivered;
        p.deliveredTimeAtSend = deliveredTimeNanos;
        p.firstSentTimeAtSend = firstSentTimeNanos;
        p.appLimitedAtSend = appLimitedUntil != 0;
    }

    /** Starts collecting the sample of one ACK frame. */
    void beginAck() {
        havePrior = false;
        sample.newlyAcked = 0;
        sample.newlyLost = 0;
    }

    void onPacketAcked(SentPacket p, long nowNanos) {
        delivered += p.size;
        deliveredTimeNanos = nowNanos;
        sample.newlyAcked += p.size;
        if (!havePrior || p.deliveredAtSend > priorDelivered
                || (p.deliveredAtSend == priorDelivered && p.timeSentNanos > newestSentNanos)) {
            havePrior = true;
            priorDelivered = p.deliveredAtSend;
            priorAppLimited = p.appLimitedAtSend;
            sendElapsed = p.timeSentNanos - p.firstSentTimeAtSend;
            ackElapsed = nowNanos - p.deliveredTimeAtSend;
            newestSentNanos = p.timeSentNanos;
            // The next sample's send interval starts at the newest packet acknowledged.
            firstSentTimeNanos = p.timeSentNanos;
        }
    }

    void onPacketLost(SentPacket p) {
        sample.newlyLost += p.size;
    }

    /**
     * Finishes the ACK's sample.
     *
     * @param minRttNanos samples over a shorter interval are discarded: they measure ACK
     *     compression, not the path
     */
    RateSample endAck(long nowNanos, long minRttNanos) {
        if (appLimitedUntil != 0 && delivered > appLimitedUntil) {
            appLimitedUntil = 0;
        }
        sample.totalDelivered = delivered;
        sample.valid = false;
        sample.deliveryRate = 0;
        sample.deliveredBytes = 0;
        sample.intervalNanos = 0;
        sample.rttNanos = 0;
        if (!havePrior) {
            sample.appLimited = appLimitedUntil != 0;
            return sample;
        }
        sample.priorDelivered = priorDelivered;
        sample.appLimited = priorAppLimited;
        sample.rttNanos = nowNanos - newestSentNanos;
        sample.deliveredBytes = delivered - priorDelivered;
        long interval = Math.max(sendElapsed, ackElapsed);
        sample.intervalNanos = interval;
        if (interval > 0 && interval >= minRttNanos && sample.deliveredBytes > 0) {
            sample.deliveryRate = (long) (sample.deliveredBytes * 1e9 / interval);
            sample.valid = true;
        }
        return sample;
    }
}
