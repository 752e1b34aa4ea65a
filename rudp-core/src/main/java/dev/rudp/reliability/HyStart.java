package dev.rudp.reliability;

/**
 * HyStart++ (RFC 9406): leaves slow start when the round's minimum RTT rises by more than an
 * eighth (clamped to 4..16 ms) over the previous round's, which means a queue started to build,
 * instead of waiting for the loss that overflowing it causes. The exit is tentative: Conservative
 * Slow Start grows at a quarter of the rate for up to five rounds and returns to slow start if
 * the RTT falls back (the rise was jitter, not a queue).
 *
 * <p>Rounds are delimited by send times: a round ends when a packet sent after the round's
 * last packet is acknowledged. Pure state; time passed in.
 */
final class HyStart {
    static final long MIN_RTT_THRESH_NANOS = 4_000_000;
    static final long MAX_RTT_THRESH_NANOS = 16_000_000;
    static final int MIN_RTT_DIVISOR = 8;
    static final int N_RTT_SAMPLE = 8;
    static final int CSS_GROWTH_DIVISOR = 4;
    static final int CSS_ROUNDS = 5;

    /** Phases of slow start. */
    enum Phase {
        /** Classic slow start: the window grows by every acknowledged byte. */
        SLOW_START,
        /** Conservative Slow Start: a quarter of that, while the delay rise is confirmed. */
        CONSERVATIVE,
        /** Slow start is over; the caller moves to congestion avoidance. */
        DONE
    }

    private Phase phase = Phase.SLOW_START;
    private long lastSentNanos = Long.MIN_VALUE;
    private long roundEndSentNanos = Long.MIN_VALUE;
    private long lastRoundMinRtt = Long.MAX_VALUE;
    private long currentRoundMinRtt = Long.MAX_VALUE;
    private int rttSampleCount;
    private long cssBaselineMinRtt = Long.MAX_VALUE;
    private int cssRounds;

    Phase phase() {
        return phase;
    }

    void onPacketSent(long nowNanos) {
        lastSentNanos = nowNanos;
    }

    private void transitionTo(Phase next) {
        boolean allowed = switch (phase) {
            case SLOW_START -> next == Phase.CONSERVATIVE || next == Phase.DONE;
            case CONSERVATIVE -> next == Phase.SLOW_START || next == Phase.DONE;
            case DONE -> false;
        };
        if (!allowed) {
            throw new IllegalStateException(phase + " -> " + next);
        }
        phase = next;
    }

    /**
     * An acknowledgement arrived in slow start. Returns the divisor of the window increase: 1 in
     * slow start, {@link #CSS_GROWTH_DIVISOR} in Conservative Slow Start, 0 when slow start just
     * ended (grow no more; enter congestion avoidance).
     */
    int onAck(long timeSentNanos, long rttSampleNanos) {
        if (phase == Phase.DONE) {
            return 0;
        }
        if (timeSentNanos > roundEndSentNanos) {
            roundEndSentNanos = lastSentNanos;
            lastRoundMinRtt = currentRoundMinRtt;
            currentRoundMinRtt = Long.MAX_VALUE;
            rttSampleCount = 0;
            if (phase == Phase.CONSERVATIVE && ++cssRounds >= CSS_ROUNDS) {
                transitionTo(Phase.DONE);
                return 0;
            }
        }
        currentRoundMinRtt = Math.min(currentRoundMinRtt, rttSampleNanos);
        rttSampleCount++;
        if (rttSampleCount >= N_RTT_SAMPLE && currentRoundMinRtt != Long.MAX_VALUE) {
            if (phase == Phase.SLOW_START && lastRoundMinRtt != Long.MAX_VALUE) {
                long thresh = Math.max(MIN_RTT_THRESH_NANOS,
                        Math.min(lastRoundMinRtt / MIN_RTT_DIVISOR, MAX_RTT_THRESH_NANOS));
                if (currentRoundMinRtt >= lastRoundMinRtt + thresh) {
                    cssBaselineMinRtt = currentRoundMinRtt;
                    cssRounds = 0;
                    transitionTo(Phase.CONSERVATIVE);
                }
            } else if (phase == Phase.CONSERVATIVE && currentRoundMinRtt < cssBaselineMinRtt) {
                // The delay came back down: the rise was a spurious signal.
                cssBaselineMinRtt = Long.MAX_VALUE;
                transitionTo(Phase.SLOW_START);
            }
        }
        return phase == Phase.CONSERVATIVE ? CSS_GROWTH_DIVISOR : 1;
    }

    /** Loss or persistent congestion ended slow start for good. */
    void exit() {
        if (phase != Phase.DONE) {
            transitionTo(Phase.DONE);
        }
    }
}
