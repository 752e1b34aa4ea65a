package dev.rudp.reliability;

/**
 * NewReno congestion control as specified for QUIC in RFC 9002 section 7: slow start, congestion
 * avoidance, one window reduction per recovery period, persistent congestion collapse.
 */
public final class NewReno implements CongestionController {
    private int maxDatagramSize;
    private long minWindow;
    private long window;
    private long ssthresh = Long.MAX_VALUE;
    private long recoveryStartNanos = Long.MIN_VALUE;
    private long bytesAckedInAvoidance;

    public NewReno(int maxDatagramSize) {
        this.maxDatagramSize = maxDatagramSize;
        this.minWindow = 2L * maxDatagramSize;
        this.window = initialWindow(maxDatagramSize);
    }

    /** RFC 9002 initial window: ten datagrams, at least 14720 bytes. */
    public static long initialWindow(int maxDatagramSize) {
        return Math.max(10L * maxDatagramSize, 14_720);
    }

    @Override
    public void onDatagramSizeChanged(int size) {
        maxDatagramSize = size;
        minWindow = 2L * size;
        // Before the first loss the window is still the initial one grown by acks: restart it at
        // the initial window for the new size (RFC 9002 14.2 allows recalculating it).
        long floor = ssthresh == Long.MAX_VALUE ? initialWindow(size) : minWindow;
        window = Math.max(window, floor);
    }

    @Override
    public void onPacketSent(long nowNanos, int bytes) {
        // NewReno reacts to acks and losses only.
    }

    private boolean inRecovery(long timeSentNanos) {
        return timeSentNanos <= recoveryStartNanos;
    }

    @Override
    public void onPacketAcked(long nowNanos, int bytes, long timeSentNanos, RttEstimator rtt, boolean appLimited) {
        if (inRecovery(timeSentNanos) || appLimited) {
            return;
        }
        if (window < ssthresh) {
            window += bytes;
            return;
        }
        bytesAckedInAvoidance += bytes;
        if (bytesAckedInAvoidance >= window) {
            bytesAckedInAvoidance -= window;
            window += maxDatagramSize;
        }
    }

    @Override
    public void onCongestionEvent(long nowNanos, long newestLostSentNanos) {
        if (inRecovery(newestLostSentNanos)) {
            return;
        }
        recoveryStartNanos = nowNanos;
        ssthresh = Math.max(window / 2, minWindow);
        window = ssthresh;
        bytesAckedInAvoidance = 0;
    }

    @Override
    public void onPersistentCongestion(long nowNanos) {
        window = minWindow;
        recoveryStartNanos = Long.MIN_VALUE; // RFC 9002 B.8: leave recovery, start growing at once
        bytesAckedInAvoidance = 0;
    }

    @Override
    public long congestionWindow() {
        return window;
    }

    @Override
    public long pacingRate(RttEstimator rtt) {
        long srtt = Math.max(rtt.smoothedRtt(), 1_000);
        // 2x in slow start so that pacing never caps the window's growth; 1.25x after (RFC 9002 7.7).
        double gain = inSlowStart() ? 2.0 : 1.25;
        return (long) (gain * window * 1e9 / srtt);
    }

    @Override
    public boolean inSlowStart() {
        return window < ssthresh;
    }
}
