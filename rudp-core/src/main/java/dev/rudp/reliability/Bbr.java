package dev.rudp.reliability;

/**
 * A BBR-style rate-based congestion controller (after BBRv1/v2/v3, draft-ietf-ccwg-bbr). It
 * models the path as a bottleneck bandwidth (the windowed maximum of delivery-rate samples over
 * {@value #BW_FILTER_ROUNDS} rounds) and a propagation delay (the minimum RTT over
 * {@value #MIN_RTT_WINDOW_NANOS} ns), paces at gain x bandwidth and caps what is in flight at
 * {@value #CWND_GAIN} x the bandwidth-delay product, so the queue it keeps stays bounded.
 *
 * <p>States: STARTUP doubles the rate each round until bandwidth stops growing by 25% for three
 * rounds; DRAIN empties the queue STARTUP built; PROBE_BW cycles the pacing gain
 * (1.25, 0.75, then six rounds at 1) to find more bandwidth and give it back; PROBE_RTT drops the
 * flight to half a BDP for {@value #PROBE_RTT_DURATION_NANOS} ns when the min RTT has not been
 * refreshed for its whole window, so a standing queue cannot hide the true delay.
 *
 * <p>Loss: a round whose loss rate stays at or below {@value #LOSS_THRESHOLD} is not congestion:
 * random loss (radio, a lossy middlebox) lowers delivery but says nothing about the queue, and
 * cutting the rate for it is what starves loss-based controllers (Mathis: rate ~ 1/sqrt(p)). The
 * threshold sits well above the random loss we must ride through (5%, plus its binomial noise of
 * about 1% at a few hundred packets per round) and below the loss of real overload: probing at
 * 1.25x into a full drop-tail queue loses 20% of that round, STARTUP's 2.77x loses over 60%. At
 * least {@value #LOSS_MIN_PACKETS} lost packets are needed too, because on a round of a few dozen
 * packets random loss crosses any rate threshold by chance. A lossy round ends STARTUP and cuts
 * the short-term bounds (bandwidth and in-flight, by {@value #LO_BETA} each time), which the next
 * probe upwards clears, as in BBRv2.
 */
public final class Bbr implements CongestionController {
    /** Operating states; see {@link #transitionTo}. */
    public enum Mode {
        /** Ramping up: pacing at {@link #STARTUP_GAIN} until the bandwidth stops growing. */
        STARTUP,
        /** Pacing below the bandwidth until the queue STARTUP built is gone. */
        DRAIN,
        /** Steady state: cycling the pacing gain around the bandwidth estimate. */
        PROBE_BW,
        /** Briefly holding the flight at half a BDP to measure the propagation delay again. */
        PROBE_RTT
    }

    /** 4 ln 2 (BBRv3): the smallest gain that still doubles the delivery rate each round. */
    static final double STARTUP_GAIN = 2.77;
    /** BBRv3: drains STARTUP's queue within about one round. */
    static final double DRAIN_GAIN = 0.35;
    static final double CWND_GAIN = 2.0;
    static final double PROBE_RTT_CWND_GAIN = 0.5;
    static final double[] PROBE_BW_GAINS = {1.25, 0.75, 1, 1, 1, 1, 1, 1};
    /** PROBE_BW starts in a cruising phase, so a fresh estimate is not probed at once. */
    static final int PROBE_BW_FIRST_PHASE = 2;
    static final int BW_FILTER_ROUNDS = 10;
    static final long MIN_RTT_WINDOW_NANOS = 10_000_000_000L;
    static final long PROBE_RTT_DURATION_NANOS = 200_000_000L;
    static final double FULL_BW_GROWTH = 1.25;
    static final int FULL_BW_ROUNDS = 3;
    static final double LOSS_THRESHOLD = 0.10;
    static final int LOSS_MIN_PACKETS = 8;
    static final double LO_BETA = 0.7;
    static final int MIN_CWND_PACKETS = 4;
    /** Extra in-flight allowance for delayed and aggregated ACKs, in packets. */
    static final int ACK_AGGREGATION_PACKETS = 3;

    private int maxDatagramSize;
    private long minCwnd;
    private long initialWindow;
    private final WindowedMaxFilter bwFilter = new WindowedMaxFilter(BW_FILTER_ROUNDS);

    private Mode mode = Mode.STARTUP;
    private long cwnd;
    private long pacingRate;
    private long maxBw;
    private long bwLo = Long.MAX_VALUE;
    private long inflightLo = Long.MAX_VALUE;
    private long minRttNanos = Long.MAX_VALUE;
    private long minRttStampNanos;

    private long roundCount;
    private long nextRoundDelivered;
    private long roundLostBytes;
    private long roundAckedBytes;
    private int roundLostPackets;

    private long fullBw;
    private int fullBwCount;
    private boolean fullBwReached;

    private int cycleIndex;
    private long cycleStartNanos;
    private boolean lossInPhase;

    private long probeRttDoneNanos;
    private boolean probeRttRoundDone;
    private long priorCwnd;

    public Bbr(int maxDatagramSize) {
        this.maxDatagramSize = maxDatagramSize;
        this.minCwnd = (long) MIN_CWND_PACKETS * maxDatagramSize;
        this.initialWindow = NewReno.initialWindow(maxDatagramSize);
        this.cwnd = initialWindow;
    }

    @Override
    public void onDatagramSizeChanged(int size) {
        maxDatagramSize = size;
        minCwnd = (long) MIN_CWND_PACKETS * size;
        initialWindow = NewReno.initialWindow(size);
        cwnd = Math.max(cwnd, fullBwReached ? minCwnd : initialWindow);
    }

    /** The current state. */
    public Mode mode() {
        return mode;
    }

    /** The bandwidth estimate in use: the filtered maximum, capped by the short-term bound. */
    public long bandwidth() {
        return Math.min(maxBw, bwLo);
    }

    /** The propagation-delay estimate, or Long.MAX_VALUE before the first sample. */
    public long minRtt() {
        return minRttNanos;
    }

    /** Current pacing gain. */
    double pacingGain() {
        return switch (mode) {
            case STARTUP -> STARTUP_GAIN;
            case DRAIN -> DRAIN_GAIN;
            case PROBE_BW -> PROBE_BW_GAINS[cycleIndex];
            case PROBE_RTT -> 1.0;
        };
    }

    long inflightLo() {
        return inflightLo;
    }

    /**
     * The window's share of the BDP: as {@link #bdp} but with the RTT taken as at least one timer
     * tick. A user-space stack sees acknowledgements in bursts (one per read batch, sends flushed
     * per event-loop turn), so on a sub-millisecond path the window must cover a tick's worth of
     * data or the sender idles between bursts; on longer paths this changes nothing.
     */
    long cwndBdp() {
        if (minRttNanos == Long.MAX_VALUE || bandwidth() == 0) {
            return initialWindow;
        }
        return (long) (CWND_GAIN * bandwidth() * (Math.max(minRttNanos, Pacer.TIMER_TICK_NANOS) / 1e9));
    }

    /** gain x bandwidth x min RTT, in bytes; the initial window before the model has both. */
    long bdp(double gain) {
        if (minRttNanos == Long.MAX_VALUE || bandwidth() == 0) {
            return initialWindow;
        }
        return (long) (gain * bandwidth() * (minRttNanos / 1e9));
    }

    private void transitionTo(Mode next) {
        boolean allowed = switch (mode) {
            case STARTUP -> next == Mode.DRAIN || next == Mode.PROBE_RTT;
            case DRAIN -> next == Mode.PROBE_BW || next == Mode.PROBE_RTT;
            case PROBE_BW -> next == Mode.PROBE_RTT;
            case PROBE_RTT -> next == Mode.STARTUP || next == Mode.PROBE_BW;
        };
        if (!allowed) {
            throw new IllegalStateException(mode + " -> " + next);
        }
        mode = next;
    }

    @Override
    public void onPacketSent(long nowNanos, int bytes) {
        // The model changes on acknowledgements; sends need no bookkeeping here.
    }

    @Override
    public void onPacketAcked(long nowNanos, int bytes, long timeSentNanos, RttEstimator rtt, boolean appLimited) {
        // Everything happens once per ACK frame, in onAckProcessed, with the delivery-rate sample.
    }

    @Override
    public void onPacketLost(long nowNanos, int bytes, long timeSentNanos) {
        roundLostBytes += bytes;
        roundLostPackets++;
        lossInPhase = true;
    }

    @Override
    public void onCongestionEvent(long nowNanos, long newestLostSentNanos) {
        // Loss is judged per round by its rate (onPacketLost, endRound), not per event.
    }

    @Override
    public void onPersistentCongestion(long nowNanos) {
        // Nothing got through for several PTOs: the model is stale. Restart from a minimal flight;
        // the bound is lifted by the next clean round or probe.
        inflightLo = minCwnd;
        cwnd = minCwnd;
    }

    @Override
    public void onAckProcessed(long nowNanos, RateSample rs, long bytesInFlight, RttEstimator rtt) {
        if (rs.newlyAcked() == 0) {
            return;
        }
        roundAckedBytes += rs.newlyAcked();
        boolean roundStart = false;
        if (rs.priorDelivered() >= nextRoundDelivered) {
            roundStart = true;
            roundCount++;
            nextRoundDelivered = rs.totalDelivered();
        }
        if (rs.valid() && (!rs.appLimited() || rs.deliveryRate() >= maxBw)) {
            bwFilter.update(roundCount, rs.deliveryRate());
        }
        maxBw = bwFilter.get(roundCount);
        boolean minRttExpired = minRttNanos != Long.MAX_VALUE && nowNanos - minRttStampNanos > MIN_RTT_WINDOW_NANOS;
        if (rs.rttNanos() > 0 && (rs.rttNanos() < minRttNanos || minRttExpired)) {
            minRttNanos = rs.rttNanos();
            minRttStampNanos = nowNanos;
        }
        if (roundStart) {
            endRound(rs.appLimited());
        }
        updateState(nowNanos, roundStart, bytesInFlight, rs.totalDelivered(), minRttExpired);
        updatePacingRate();
        updateCwnd(rs.newlyAcked(), rs.totalDelivered());
    }

    /** A round trip ended: judge its loss and whether STARTUP still finds more bandwidth. */
    private void endRound(boolean appLimited) {
        long total = roundLostBytes + roundAckedBytes;
        boolean lossy = roundLostPackets >= LOSS_MIN_PACKETS && roundLostBytes > LOSS_THRESHOLD * total;
        roundLostBytes = 0;
        roundAckedBytes = 0;
        roundLostPackets = 0;
        if (lossy) {
            // Overload: back off the short-term bounds; STARTUP has found the ceiling.
            long bw = bandwidth();
            bwLo = Math.max(1, (long) (LO_BETA * bw));
            inflightLo = Math.max(minCwnd, (long) (LO_BETA * Math.min(inflightLo, cwnd)));
            fullBwReached = true;
        } else if (mode != Mode.PROBE_BW) {
            // Outside the gain cycle there is no probe to lift the bounds: a clean round does.
            clearLoBounds();
        }
        if (!fullBwReached && !appLimited) {
            if (maxBw >= fullBw * FULL_BW_GROWTH) {
                fullBw = maxBw;
                fullBwCount = 0;
            } else if (++fullBwCount >= FULL_BW_ROUNDS) {
                fullBwReached = true;
            }
        }
    }

    private void clearLoBounds() {
        bwLo = Long.MAX_VALUE;
        inflightLo = Long.MAX_VALUE;
    }

    private void updateState(long nowNanos, boolean roundStart, long inflight, long delivered, boolean minRttExpired) {
        if (mode == Mode.STARTUP && fullBwReached) {
            transitionTo(Mode.DRAIN);
        }
        if (mode == Mode.DRAIN && inflight <= bdp(1.0)) {
            enterProbeBw(nowNanos);
        }
        if (mode == Mode.PROBE_BW && nextPhaseDue(nowNanos, inflight)) {
            cycleIndex = (cycleIndex + 1) % PROBE_BW_GAINS.length;
            cycleStartNanos = nowNanos;
            lossInPhase = false;
            if (cycleIndex == 0) {
                clearLoBounds(); // probing up: find out whether the earlier cut still holds
            }
        }
        if (minRttExpired && mode != Mode.PROBE_RTT) {
            transitionTo(Mode.PROBE_RTT);
            priorCwnd = cwnd;
            probeRttDoneNanos = 0;
        }
        if (mode == Mode.PROBE_RTT) {
            if (probeRttDoneNanos == 0 && inflight <= probeRttCwnd()) {
                probeRttDoneNanos = nowNanos + PROBE_RTT_DURATION_NANOS;
                probeRttRoundDone = false;
                nextRoundDelivered = delivered;
            } else if (probeRttDoneNanos != 0) {
                probeRttRoundDone |= roundStart;
                if (probeRttRoundDone && nowNanos >= probeRttDoneNanos) {
                    minRttStampNanos = nowNanos;
                    cwnd = Math.max(cwnd, priorCwnd);
                    if (fullBwReached) {
                        transitionTo(Mode.PROBE_BW);
                        startCycle(nowNanos);
                    } else {
                        transitionTo(Mode.STARTUP);
                    }
                }
            }
        }
    }

    private void enterProbeBw(long nowNanos) {
        transitionTo(Mode.PROBE_BW);
        startCycle(nowNanos);
    }

    private void startCycle(long nowNanos) {
        cycleIndex = PROBE_BW_FIRST_PHASE;
        cycleStartNanos = nowNanos;
        lossInPhase = false;
    }

    /**
     * A phase lasts one min RTT; probing up lasts until the flight reached its target (or loss
     * said there is no more room), and draining ends early once the queue is gone.
     */
    private boolean nextPhaseDue(long nowNanos, long inflight) {
        boolean fullLength = nowNanos - cycleStartNanos > minRttNanos;
        double gain = PROBE_BW_GAINS[cycleIndex];
        if (gain > 1) {
            return fullLength && (lossInPhase || inflight >= bdp(gain));
        }
        if (gain < 1) {
            return fullLength || inflight <= bdp(1.0);
        }
        return fullLength;
    }

    private long probeRttCwnd() {
        return Math.max(minCwnd, bdp(PROBE_RTT_CWND_GAIN));
    }

    private void updatePacingRate() {
        long bw = bandwidth();
        if (bw == 0) {
            return;
        }
        long rate = (long) (pacingGain() * bw);
        // In STARTUP a low early sample must not slow the ramp-up: the rate only rises until full.
        if (fullBwReached || rate > pacingRate) {
            pacingRate = rate;
        }
    }

    private void updateCwnd(long acked, long delivered) {
        long target = cwndBdp() + (long) ACK_AGGREGATION_PACKETS * maxDatagramSize;
        if (fullBwReached) {
            cwnd = Math.min(cwnd + acked, target);
        } else if (cwnd < target || delivered < initialWindow) {
            cwnd += acked;
        }
        cwnd = Math.max(cwnd, minCwnd);
        if (mode == Mode.PROBE_RTT) {
            cwnd = Math.min(cwnd, probeRttCwnd());
        }
    }

    @Override
    public long congestionWindow() {
        return Math.max(minCwnd, Math.min(cwnd, inflightLo));
    }

    @Override
    public long pacingRate(RttEstimator rtt) {
        long srtt = Math.max(rtt.smoothedRtt(), 1_000);
        if (pacingRate == 0) {
            // No bandwidth sample yet: the initial window per RTT, at the STARTUP gain.
            return (long) (STARTUP_GAIN * initialWindow * 1e9 / srtt);
        }
        // Never slower than the smallest window per round trip. Pacing is the one limit BBR does not
        // tie to the window: after a burst of early loss (a small socket buffer, a busy host) the model
        // can fall to a few KB/s, and with 64 KiB datagrams a packet then waits seconds for its tokens,
        // so the samples that would lift the model never come (a download stalled 30 s that way).
        return Math.max(pacingRate, (long) (minCwnd * 1e9 / srtt));
    }

    @Override
    public boolean inSlowStart() {
        return mode == Mode.STARTUP;
    }
}
