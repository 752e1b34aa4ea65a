package dev.rudp.reliability;

/**
 * Loss detection and probe timeouts as in RFC 9002 section 6: a packet is lost when a packet
 * sent at least {@link #PACKET_THRESHOLD} later is acknowledged, or when it is older than 9/8 of
 * the RTT and something sent after it was acknowledged. Every hole is found in the same pass, so
 * a round with several losses recovers them all at once.
 */
final class LossDetector {
    /** RFC 9002 kPacketThreshold. */
    static final int PACKET_THRESHOLD = 3;
    /** RFC 9002 kPersistentCongestionThreshold. */
    static final int PERSISTENT_CONGESTION_THRESHOLD = 3;

    /** What the detector reports back to its connection. */
    interface Listener {
        void onPacketAcked(SentPacket p, long nowNanos);

        void onPacketLost(SentPacket p, long nowNanos);

        /** A packet already declared lost was acknowledged after all. */
        void onSpuriousLoss(SentPacket p);
    }

    private final SentPacketLog log = new SentPacketLog();
    private final DeliveryRateSampler sampler = new DeliveryRateSampler();
    /** Outstanding packets below the largest acknowledged: the only loss candidates. */
    private final PacketNumbers holes = new PacketNumbers();
    /** Packets declared lost that are still in the log, to spot spurious losses. */
    private final PacketNumbers lost = new PacketNumbers();
    private final RttEstimator rtt;
    private final CongestionController cc;
    private final long maxAckDelayNanos;
    private final Listener listener;

    private long largestAcked = -1;
    private long lossTimeNanos;
    private int ptoCount;
    private long lastAckElicitingSentNanos;
    private int ackElicitingOutstanding;
    private long bytesInFlight;

    LossDetector(RttEstimator rtt, CongestionController cc, long maxAckDelayNanos, Listener listener) {
        this.rtt = rtt;
        this.cc = cc;
        this.maxAckDelayNanos = maxAckDelayNanos;
        this.listener = listener;
    }

    SentPacketLog log() {
        return log;
    }

    long bytesInFlight() {
        return bytesInFlight;
    }

    int ptoCount() {
        return ptoCount;
    }

    long largestAcked() {
        return largestAcked;
    }

    boolean hasAckElicitingOutstanding() {
        return ackElicitingOutstanding > 0;
    }

    /** Records a packet just sent; the caller filled its slot from {@code log().append}. */
    void onPacketSent(SentPacket p) {
        onPacketSent(p, false);
    }

    /**
     * Records a packet just sent.
     *
     * @param appLimited whether the sender had no more data to send after this packet
     */
    void onPacketSent(SentPacket p, boolean appLimited) {
        if (p.ackEliciting) {
            ackElicitingOutstanding++;
            lastAckElicitingSentNanos = p.timeSentNanos;
        }
        if (p.inFlight) {
            sampler.onPacketSent(p, bytesInFlight, appLimited);
            bytesInFlight += p.size;
            cc.onPacketSent(p.timeSentNanos, p.size);
        }
    }

    private void retire(SentPacket p) {
        if (p.ackEliciting) {
            ackElicitingOutstanding--;
        }
        if (p.inFlight) {
            bytesInFlight -= p.size;
        }
    }

    /**
     * Processes an ACK frame. Costs O(newly acknowledged + holes + ranges x log(lost)), never a
     * walk over every packet in flight: packets above the previous largest acknowledged are seen
     * once, and below it only the remembered holes and lost packets can change state.
     *
     * @param appLimited whether the sender is currently limited by the application, not the window
     * @return false if the frame acknowledges a packet never sent (a protocol violation)
     */
    boolean onAck(dev.rudp.wire.AckFrame ack, long nowNanos, boolean appLimited) {
        if (ack.largestAcked() >= log.nextPacketNumber()) {
            return false;
        }
        long previousLargest = largestAcked;
        newestAcked = null;
        newlyAckElicitingAcked = false;
        sampler.beginAck();
        // 1. Packets above the previous largest acknowledged: covered ones are acked, the rest are holes.
        long from = Math.max(previousLargest + 1, log.firstPacketNumber());
        if (ack.largestAcked() >= from) {
            int r = ack.rangeCount() - 1; // ranges run high to low: start at the lowest
            for (long pn = from; pn <= ack.largestAcked(); pn++) {
                while (r > 0 && ack.high(r) < pn) {
                    r--;
                }
                SentPacket p = log.get(pn);
                if (p == null || p.state != SentPacket.State.OUTSTANDING) {
                    continue;
                }
                if (ack.low(r) <= pn && pn <= ack.high(r)) {
                    acknowledge(p, nowNanos, appLimited);
                } else {
                    holes.add(pn);
                }
            }
            largestAcked = ack.largestAcked();
        }
        // 2. Below it: holes filled late, and packets declared lost that arrived after all.
        boolean holesChanged = false;
        boolean lostChanged = false;
        for (int r = 0; r < ack.rangeCount(); r++) {
            long low = ack.low(r);
            long high = Math.min(ack.high(r), previousLargest);
            if (low > high) {
                continue;
            }
            for (int i = holes.lowerBound(low); i < holes.size() && holes.get(i) <= high; i++) {
                SentPacket p = log.get(holes.get(i));
                if (p.state == SentPacket.State.OUTSTANDING) {
                    acknowledge(p, nowNanos, appLimited);
                    holesChanged = true;
                }
            }
            for (int i = lost.lowerBound(low); i < lost.size() && lost.get(i) <= high; i++) {
                SentPacket p = log.get(lost.get(i));
                if (p != null && p.state == SentPacket.State.LOST) {
                    p.state = SentPacket.State.ACKED;
                    listener.onSpuriousLoss(p);
                    listener.onPacketAcked(p, nowNanos);
                    lostChanged = true;
                }
            }
        }
        if (holesChanged) {
            holes.retainIf(outstanding);
        }
        if (lostChanged) {
            lost.retainIf(stillLost);
        }
        if (newestAcked == null) {
            return true;
        }
        if (newestAcked.packetNumber == ack.largestAcked() && newlyAckElicitingAcked) {
            // Compare in microseconds first: the peer's value may be up to 2^62 and overflow when scaled.
            long delay = ack.ackDelayMicros() >= maxAckDelayNanos / 1000 + 1 ? maxAckDelayNanos
                    : Math.min(ack.ackDelayMicros() * 1000, maxAckDelayNanos);
            rtt.onSample(nowNanos - newestAcked.timeSentNanos, delay);
        }
        detectLost(nowNanos);
        ptoCount = 0;
        trimHead(nowNanos);
        cc.onAckProcessed(nowNanos, sampler.endAck(nowNanos, rtt.minRtt()), bytesInFlight, rtt);
        return true;
    }

    /** Held once: a method reference would allocate on every ACK that fills a hole. */
    private final java.util.function.LongPredicate outstanding = this::isOutstanding;
    private final java.util.function.LongPredicate stillLost = this::isLost;
    private SentPacket newestAcked;
    private boolean newlyAckElicitingAcked;

    private void acknowledge(SentPacket p, long nowNanos, boolean appLimited) {
        p.state = SentPacket.State.ACKED;
        retire(p);
        if (newestAcked == null || p.packetNumber > newestAcked.packetNumber) {
            newestAcked = p;
        }
        newlyAckElicitingAcked |= p.ackEliciting;
        if (p.inFlight) {
            sampler.onPacketAcked(p, nowNanos);
            cc.onPacketAcked(nowNanos, p.size, p.timeSentNanos, rtt, appLimited);
        }
        listener.onPacketAcked(p, nowNanos);
    }

    private boolean isOutstanding(long pn) {
        SentPacket p = log.get(pn);
        return p != null && p.state == SentPacket.State.OUTSTANDING;
    }

    private boolean isLost(long pn) {
        SentPacket p = log.get(pn);
        return p != null && p.state == SentPacket.State.LOST;
    }

    /** Finds lost packets among the holes and sets the next loss time. */
    void detectLost(long nowNanos) {
        lossTimeNanos = 0;
        if (largestAcked < 0) {
            return;
        }
        long lossDelay = rtt.lossDelay();
        long lostSendTime = nowNanos - lossDelay;
        long newestLostSent = Long.MIN_VALUE;
        long oldestLostSent = Long.MAX_VALUE;
        int lostCount = 0;
        boolean changed = false;
        for (int i = 0; i < holes.size(); i++) {
            long pn = holes.get(i);
            SentPacket p = log.get(pn);
            if (p.state != SentPacket.State.OUTSTANDING) {
                changed = true;
                continue;
            }
            if (p.timeSentNanos <= lostSendTime || largestAcked - pn >= PACKET_THRESHOLD) {
                p.state = SentPacket.State.LOST;
                changed = true;
                retire(p);
                lost.add(pn);
                if (p.inFlight) {
                    newestLostSent = Math.max(newestLostSent, p.timeSentNanos);
                    oldestLostSent = Math.min(oldestLostSent, p.timeSentNanos);
                    lostCount++;
                    sampler.onPacketLost(p);
                    cc.onPacketLost(nowNanos, p.size, p.timeSentNanos);
                }
                listener.onPacketLost(p, nowNanos);
            } else {
                long t = p.timeSentNanos + lossDelay;
                lossTimeNanos = lossTimeNanos == 0 ? t : Math.min(lossTimeNanos, t);
            }
        }
        if (changed) {
            holes.retainIf(outstanding);
        }
        if (lostCount > 0) {
            cc.onCongestionEvent(nowNanos, newestLostSent);
            long persistent = rtt.probeTimeout(maxAckDelayNanos) * PERSISTENT_CONGESTION_THRESHOLD;
            if (rtt.hasSample() && lostCount > 1 && newestLostSent - oldestLostSent > persistent) {
                cc.onPersistentCongestion(nowNanos);
            }
        }
    }

    /** Forgets packets that need no more attention, keeping lost ones a while to spot spurious losses. */
    private void trimHead(long nowNanos) {
        long keepLost = 3 * rtt.probeTimeout(maxAckDelayNanos);
        for (SentPacket p = log.first(); p != null; p = log.first()) {
            if (p.state == SentPacket.State.ACKED
                    || (p.state == SentPacket.State.LOST && nowNanos - p.timeSentNanos > keepLost)) {
                log.removeFirst();
            } else {
                break;
            }
        }
        lost.removeBelow(log.firstPacketNumber());
    }

    /** When the loss-detection timer should fire, or 0 if it need not run. */
    long timerDeadline() {
        if (lossTimeNanos != 0) {
            return lossTimeNanos;
        }
        if (ackElicitingOutstanding == 0) {
            return 0;
        }
        return lastAckElicitingSentNanos + probeTimeout();
    }

    /** Current probe timeout including exponential backoff. */
    long probeTimeout() {
        long pto = rtt.probeTimeout(maxAckDelayNanos);
        return pto << Math.min(ptoCount, 16);
    }

    /**
     * The timer fired. Returns true when probes must be sent (a probe timeout), false when it was
     * the loss timer, which declared packets lost instead.
     */
    boolean onTimeout(long nowNanos) {
        if (lossTimeNanos != 0 && nowNanos >= lossTimeNanos) {
            detectLost(nowNanos);
            trimHead(nowNanos);
            return false;
        }
        ptoCount++;
        return true;
    }

    /** The oldest packet carrying data still awaiting acknowledgement, for probes; may be null. */
    SentPacket oldestOutstanding() {
        for (int i = 0; i < holes.size(); i++) {
            SentPacket p = log.get(holes.get(i));
            if (p.state == SentPacket.State.OUTSTANDING && p.ackEliciting) {
                return p;
            }
        }
        for (long pn = Math.max(largestAcked + 1, log.firstPacketNumber()); pn < log.nextPacketNumber(); pn++) {
            SentPacket p = log.get(pn);
            if (p.state == SentPacket.State.OUTSTANDING && p.ackEliciting) {
                return p;
            }
        }
        return null;
    }

    /** Declares every outstanding packet gone (connection closing), without congestion signals. */
    void abandonAll() {
        for (long pn = log.firstPacketNumber(); pn < log.nextPacketNumber(); pn++) {
            SentPacket p = log.get(pn);
            if (p.state == SentPacket.State.OUTSTANDING) {
                retire(p);
                p.state = SentPacket.State.LOST;
            }
        }
        while (log.first() != null) {
            log.removeFirst();
        }
        holes.clear();
        lost.clear();
    }
}
