package dev.rudp.sim;

import java.util.Objects;

/**
 * What a simulated network path does to packets: random loss, duplication, reordering, delay with
 * jitter, bit corruption and a bandwidth bottleneck with a finite queue, all drawn from one seed.
 * Immutable; build one with {@link #builder()}. Every impairment is off by default and the default
 * seed is 0, so {@code builder().build()} equals {@link #NONE}.
 */
public final class ImpairmentProfile {
    /** Longest delay a profile accepts, so that sums of delays in nanoseconds cannot overflow. */
    static final long MAX_DELAY_MILLIS = 3_600_000;
    /** Fastest bottleneck accepted (8 Tbit/s), so that byte-nanosecond products cannot overflow. */
    static final long MAX_BYTES_PER_SECOND = 1_000_000_000_000L;

    /** A path that delivers every packet at once, unchanged. */
    public static final ImpairmentProfile NONE = builder().build();

    private final double lossRate;
    private final double duplicateRate;
    private final double reorderRate;
    private final long reorderDelayMillis;
    private final long delayMillis;
    private final long jitterMillis;
    private final double corruptRate;
    private final long rateBytesPerSecond;
    private final int queueBytes;
    private final long seed;

    private ImpairmentProfile(Builder b) {
        lossRate = b.lossRate;
        duplicateRate = b.duplicateRate;
        reorderRate = b.reorderRate;
        reorderDelayMillis = b.reorderDelayMillis;
        delayMillis = b.delayMillis;
        jitterMillis = b.jitterMillis;
        corruptRate = b.corruptRate;
        rateBytesPerSecond = b.rateBytesPerSecond;
        queueBytes = b.queueBytes;
        seed = b.seed;
    }

    /** A builder with every impairment off and seed 0. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this profile's settings, to derive a variant (another seed, more loss). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.lossRate = lossRate;
        b.duplicateRate = duplicateRate;
        b.reorderRate = reorderRate;
        b.reorderDelayMillis = reorderDelayMillis;
        b.delayMillis = delayMillis;
        b.jitterMillis = jitterMillis;
        b.corruptRate = corruptRate;
        b.rateBytesPerSecond = rateBytesPerSecond;
        b.queueBytes = queueBytes;
        b.seed = seed;
        return b;
    }

    /** Probability that a packet is lost; 0 by default. */
    public double lossRate() {
        return lossRate;
    }

    /** Probability that a packet arrives twice; 0 by default. */
    public double duplicateRate() {
        return duplicateRate;
    }

    /** Probability that a packet copy is held back by {@link #reorderDelayMillis()}; 0 by default. */
    public double reorderRate() {
        return reorderRate;
    }

    /** Extra delay of a reordered packet copy; 0 by default. */
    public long reorderDelayMillis() {
        return reorderDelayMillis;
    }

    /** One-way delay every packet gets; 0 by default. */
    public long delayMillis() {
        return delayMillis;
    }

    /** Largest random deviation from {@link #delayMillis()}, either way; 0 by default. */
    public long jitterMillis() {
        return jitterMillis;
    }

    /** Probability that a packet has one bit flipped; 0 by default. */
    public double corruptRate() {
        return corruptRate;
    }

    /** Bottleneck bandwidth in bytes per second; 0 (the default) means unlimited. */
    public long rateBytesPerSecond() {
        return rateBytesPerSecond;
    }

    /** Bytes the bottleneck queue holds before it drops arrivals; 0 by default. */
    public int queueBytes() {
        return queueBytes;
    }

    /** Seed of every random decision; 0 by default. */
    public long seed() {
        return seed;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ImpairmentProfile)) {
            return false;
        }
        ImpairmentProfile p = (ImpairmentProfile) o;
        return Double.compare(lossRate, p.lossRate) == 0 && Double.compare(duplicateRate, p.duplicateRate) == 0
                && Double.compare(reorderRate, p.reorderRate) == 0 && reorderDelayMillis == p.reorderDelayMillis
                && delayMillis == p.delayMillis && jitterMillis == p.jitterMillis
                && Double.compare(corruptRate, p.corruptRate) == 0 && rateBytesPerSecond == p.rateBytesPerSecond
                && queueBytes == p.queueBytes && seed == p.seed;
    }

    @Override
    public int hashCode() {
        return Objects.hash(lossRate, duplicateRate, reorderRate, reorderDelayMillis, delayMillis, jitterMillis,
                corruptRate, rateBytesPerSecond, queueBytes, seed);
    }

    /** The seed and every active impairment, e.g. {@code ImpairmentProfile{seed=7, loss=0.1, delay=20ms}}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ImpairmentProfile{seed=").append(seed);
        if (lossRate > 0) {
            s.append(", loss=").append(lossRate);
        }
        if (duplicateRate > 0) {
            s.append(", duplicate=").append(duplicateRate);
        }
        if (reorderRate > 0) {
            s.append(", reorder=").append(reorderRate).append("+").append(reorderDelayMillis).append("ms");
        }
        if (delayMillis > 0) {
            s.append(", delay=").append(delayMillis).append("ms");
        }
        if (jitterMillis > 0) {
            s.append(", jitter=").append(jitterMillis).append("ms");
        }
        if (corruptRate > 0) {
            s.append(", corrupt=").append(corruptRate);
        }
        if (rateBytesPerSecond > 0) {
            s.append(", rate=").append(rateBytesPerSecond).append("B/s, queue=").append(queueBytes).append("B");
        }
        return s.append('}').toString();
    }

    /** Collects settings for an {@link ImpairmentProfile}; each setter checks its arguments at once. */
    public static final class Builder {
        private double lossRate;
        private double duplicateRate;
        private double reorderRate;
        private long reorderDelayMillis;
        private long delayMillis;
        private long jitterMillis;
        private double corruptRate;
        private long rateBytesPerSecond;
        private int queueBytes;
        private long seed;

        private Builder() {
        }

        /** Drops each packet with probability {@code rate} in [0, 1]; default 0. */
        public Builder loss(double rate) {
            lossRate = checkRate("loss", rate);
            return this;
        }

        /** Delivers each packet twice with probability {@code rate} in [0, 1]; default 0. */
        public Builder duplicate(double rate) {
            duplicateRate = checkRate("duplicate", rate);
            return this;
        }

        /**
         * Holds each packet copy back by {@code extraDelayMillis} with probability {@code rate}, so that
         * packets sent up to that long after it overtake it; default 0 (no reordering). With rate 0 the
         * delay is checked, then ignored.
         */
        public Builder reorder(double rate, long extraDelayMillis) {
            checkRate("reorder", rate);
            checkMillis("reorder delay", extraDelayMillis);
            reorderRate = rate;
            // Without reordering the delay means nothing; dropping it keeps equal profiles equal.
            reorderDelayMillis = rate > 0 ? extraDelayMillis : 0;
            return this;
        }

        /** Delays every packet by {@code millis} (one way); default 0. */
        public Builder delay(long millis) {
            delayMillis = checkMillis("delay", millis);
            return this;
        }

        /**
         * Spreads each copy's delay uniformly over [delay - millis, delay + millis], never below zero; default 0.
         * Jitter larger than the gap between packets reorders them, as on a real path.
         */
        public Builder jitter(long millis) {
            jitterMillis = checkMillis("jitter", millis);
            return this;
        }

        /** Flips one random bit of a packet's payload with probability {@code rate} in [0, 1]; default 0. */
        public Builder corrupt(double rate) {
            corruptRate = checkRate("corrupt", rate);
            return this;
        }

        /**
         * Sends packets through a bottleneck of {@code bytesPerSecond} (at least 1) with a drop-tail queue
         * of {@code queueBytes} (at least 0): packets leave one after another at that rate, and a packet
         * that finds the queue too full is dropped. A packet reaching an idle link always passes.
         * Default: no bottleneck.
         */
        public Builder rateLimit(long bytesPerSecond, int queueBytes) {
            if (bytesPerSecond < 1 || bytesPerSecond > MAX_BYTES_PER_SECOND) {
                throw new IllegalArgumentException("rate limit must be in [1, " + MAX_BYTES_PER_SECOND
                        + "] bytes per second, got " + bytesPerSecond);
            }
            if (queueBytes < 0) {
                throw new IllegalArgumentException("queue size must be at least 0 bytes, got " + queueBytes);
            }
            this.rateBytesPerSecond = bytesPerSecond;
            this.queueBytes = queueBytes;
            return this;
        }

        /** Seeds every random decision: the same seed and the same packets give the same schedule; default 0. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The profile. */
        public ImpairmentProfile build() {
            return new ImpairmentProfile(this);
        }

        private static double checkRate(String what, double rate) {
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException(what + " rate must be in [0, 1], got " + rate);
            }
            return rate;
        }

        private static long checkMillis(String what, long millis) {
            if (millis < 0 || millis > MAX_DELAY_MILLIS) {
                throw new IllegalArgumentException(what + " must be in [0, " + MAX_DELAY_MILLIS + "] ms, got "
                        + millis);
            }
            return millis;
        }
    }
}
