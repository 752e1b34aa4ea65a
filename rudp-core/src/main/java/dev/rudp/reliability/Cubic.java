package dev.rudp.reliability;

/**
 * CUBIC congestion control (RFC 9438) with HyStart++ (RFC 9406) slow start. After a congestion
 * event the window follows W_cubic(t) = C(t - K)^3 + W_max: fast back towards the window at which
 * loss last struck, flat near it, then probing beyond it; never slower than what Reno would reach
 * over the same time (the Reno-friendly region, which rules on short-RTT, small-window paths).
 * Windows are tracked in bytes; the cubic's constant C is in segments per second cubed, as in the RFC.
 */
public final class Cubic implements CongestionController {
    /** RFC 9438 C: the cubic's aggressiveness, in segments/s^3. */
    static final double C = 0.4;
    /** RFC 9438 beta_cubic: the window kept on a congestion event. */
    static final double BETA = 0.7;
    /** RFC 9438 alpha_cubic: Reno's additive increase that matches CUBIC's beta on average. */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    private int maxDatagramSize;
    private long minWindow;
    private final HyStart hyStart = new HyStart();
    private double window;
    private long ssthresh = Long.MAX_VALUE;
    private long recoveryStartNanos = Long.MIN_VALUE;

    // The current congestion-avoidance epoch; none until the first ack after a window change.
    private boolean epochStarted;
    private long epochStartNanos;
    private double wMax;
    private double k;
    private double wEst;
    private double cwndPrior;
    private long lastAckNanos;

    public Cubic(int maxDatagramSize) {
        this.maxDatagramSize = maxDatagramSize;
        this.minWindow = 2L * maxDatagramSize;
        this.window = NewReno.initialWindow(maxDatagramSize);
    }

    @Override
    public void onDatagramSizeChanged(int size) {
        maxDatagramSize = size;
        minWindow = 2L * size;
        double floor = ssthresh == Long.MAX_VALUE ? NewReno.initialWindow(size) : minWindow;
        window = Math.max(window, floor);
    }

    @Override
    public void onPacketSent(long nowNanos, int bytes) {
        hyStart.onPacketSent(nowNanos);
    }

    private boolean inRecovery(long timeSentNanos) {
        return timeSentNanos <= recoveryStartNanos;
    }

    @Override
    public void onPacketAcked(long nowNanos, int bytes, long timeSentNanos, RttEstimator rtt, boolean appLimited) {
        long sinceLastAck = nowNanos - lastAckNanos;
        lastAckNanos = nowNanos;
        if (inRecovery(timeSentNanos)) {
            return;
        }
        if (appLimited) {
            // RFC 9438 4.2: time without enough data to fill the window must not count towards
            // growth, or the window would jump when data comes back: slide the epoch along.
            if (epochStarted) {
                epochStartNanos += sinceLastAck;
            }
            return;
        }
        if (window < ssthresh) {
            // After a collapse (persistent congestion) slow start back to ssthresh is plain.
            int divisor = hyStart.phase() == HyStart.Phase.DONE ? 1
                    : hyStart.onAck(timeSentNanos, Math.max(1, nowNanos - timeSentNanos));
            if (divisor > 0) {
                window += (double) bytes / divisor;
                return;
            }
            // HyStart++ ended slow start with no loss: probe upward from here (K = 0).
            ssthresh = (long) window;
            wMax = window;
            cwndPrior = window;
            epochStarted = false;
        }
        congestionAvoidance(nowNanos, bytes, rtt);
    }

    private void congestionAvoidance(long nowNanos, int bytes, RttEstimator rtt) {
        if (!epochStarted) {
            epochStarted = true;
            epochStartNanos = nowNanos;
            wEst = window;
            k = wMax > window ? Math.cbrt((wMax - window) / maxDatagramSize / C) : 0;
        }
        double t = (nowNanos - epochStartNanos) / 1e9;
        double rttSeconds = Math.max(rtt.smoothedRtt(), RttEstimator.GRANULARITY_NANOS) / 1e9;
        // Reno's window over the same time, growing 1 segment per RTT once past the old maximum.
        double alpha = wEst >= cwndPrior ? 1.0 : ALPHA;
        wEst += alpha * maxDatagramSize * bytes / window;
        double cubic = wCubic(t);
        if (cubic < wEst) {
            window = wEst;
        } else {
            double target = Math.max(window, Math.min(wCubic(t + rttSeconds), 1.5 * window));
            window += (target - window) * bytes / window;
        }
    }

    /** W_cubic(t) in bytes, {@code t} seconds into the epoch. */
    double wCubic(double t) {
        double d = t - k;
        return C * d * d * d * maxDatagramSize + wMax;
    }

    /** K: seconds from the epoch's start until the window is back at W_max. */
    double k() {
        return k;
    }

    /** The window at which loss last struck (after fast convergence), in bytes. */
    double wMax() {
        return wMax;
    }

    /** Slow start's phase under HyStart++. */
    HyStart.Phase hyStartPhase() {
        return hyStart.phase();
    }

    @Override
    public void onCongestionEvent(long nowNanos, long newestLostSentNanos) {
        if (inRecovery(newestLostSentNanos)) {
            return;
        }
        recoveryStartNanos = nowNanos;
        hyStart.exit();
        cwndPrior = window;
        // Fast convergence: losing below the previous maximum means a new flow is taking its
        // share; aim lower so that the bandwidth is released sooner.
        wMax = window < wMax ? window * (1 + BETA) / 2 : window;
        ssthresh = Math.max((long) (window * BETA), minWindow);
        window = ssthresh;
        epochStarted = false;
    }

    @Override
    public void onPersistentCongestion(long nowNanos) {
        hyStart.exit();
        window = minWindow;
        recoveryStartNanos = Long.MIN_VALUE; // RFC 9002 B.8: leave recovery, start growing at once
        epochStarted = false;
    }

    @Override
    public long congestionWindow() {
        return (long) window;
    }

    @Override
    public long pacingRate(RttEstimator rtt) {
        long srtt = Math.max(rtt.smoothedRtt(), 1_000);
        // As for NewReno: 2x in slow start so that pacing never caps its growth, 1.25x after (RFC 9002 7.7).
        double gain = inSlowStart() ? 2.0 : 1.25;
        return (long) (gain * window * 1e9 / srtt);
    }

    @Override
    public boolean inSlowStart() {
        return window < ssthresh;
    }
}
