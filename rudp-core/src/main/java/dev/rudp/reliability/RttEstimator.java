package dev.rudp.reliability;

import java.util.concurrent.TimeUnit;

/**
 * Round-trip time estimation as in RFC 9002 section 5: min RTT, smoothed RTT and RTT variance,
 * with the peer's ack delay subtracted when that does not take the sample below min RTT.
 */
public final class RttEstimator {
    /** Timer granularity (RFC 9002 kGranularity). */
    public static final long GRANULARITY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final long initialRttNanos;
    private long latestRtt;
    private long minRtt = Long.MAX_VALUE;
    private long smoothedRtt;
    private long rttVar;
    private boolean hasSample;

    public RttEstimator(long initialRttNanos) {
        this.initialRttNanos = initialRttNanos;
        this.smoothedRtt = initialRttNanos;
        this.rttVar = initialRttNanos / 2;
    }

    /**
     * Takes an RTT sample.
     *
     * @param sampleNanos time from sending the largest newly acknowledged packet to its ack
     * @param ackDelayNanos the delay the peer reported, already capped at its max ack delay
     */
    public void onSample(long sampleNanos, long ackDelayNanos) {
        if (sampleNanos <= 0) {
            sampleNanos = 1;
        }
        latestRtt = sampleNanos;
        if (!hasSample) {
            hasSample = true;
            minRtt = sampleNanos;
            smoothedRtt = sampleNanos;
            rttVar = sampleNanos / 2;
            return;
        }
        minRtt = Math.min(minRtt, sampleNanos);
        long adjusted = sampleNanos;
        if (sampleNanos >= minRtt + ackDelayNanos) {
            adjusted = sampleNanos - ackDelayNanos;
        }
        rttVar = (3 * rttVar + Math.abs(smoothedRtt - adjusted)) / 4;
        smoothedRtt = (7 * smoothedRtt + adjusted) / 8;
    }

    public boolean hasSample() {
        return hasSample;
    }

    public long latestRtt() {
        return hasSample ? latestRtt : initialRttNanos;
    }

    public long minRtt() {
        return hasSample ? minRtt : initialRttNanos;
    }

    public long smoothedRtt() {
        return smoothedRtt;
    }

    public long rttVar() {
        return rttVar;
    }

    /** Probe timeout before backoff: srtt + max(4 rttvar, granularity) + max ack delay. */
    public long probeTimeout(long maxAckDelayNanos) {
        return smoothedRtt + Math.max(4 * rttVar, GRANULARITY_NANOS) + maxAckDelayNanos;
    }

    /** Time threshold for loss: 9/8 max(srtt, latest rtt), at least the granularity. */
    public long lossDelay() {
        return Math.max(GRANULARITY_NANOS, (Math.max(smoothedRtt, latestRtt()) * 9) / 8);
    }
}
