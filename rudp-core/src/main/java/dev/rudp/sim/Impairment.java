package dev.rudp.sim;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The decision engine of the simulator, free of I/O: for each packet offered, in order, it decides
 * whether the packet is lost, how many copies arrive, how late each copy is and which bit is
 * flipped. Time is passed in, so tests drive it with a manual clock.
 *
 * <p>Same seed, same schedule: every packet consumes the same number of draws from a
 * {@link SplittableRandom} seeded with {@link ImpairmentProfile#seed()}, whatever is decided, so
 * the same profile and the same sequence of packet sizes and arrival times always give the same
 * decisions, and turning one impairment on does not change which packets another one hits.
 *
 * <p>Not thread-safe: one thread offers the packets (a channel's event loop). {@link #stats()} may
 * be read from any thread.
 */
public final class Impairment {
    private static final long IDLE = Long.MIN_VALUE;

    private final SplittableRandom random;
    private final double lossRate;
    private final double duplicateRate;
    private final double corruptRate;
    private final double reorderRate;
    private final long reorderNanos;
    private final long delayNanos;
    private final long jitterNanos;
    private final long bytesPerSecond;
    private final int queueBytes;

    /** When the bottleneck has sent everything accepted so far, or {@link #IDLE} before the first packet. */
    private long linkFreeAtNanos = IDLE;

    // Written by the packet thread only, read by anyone: volatile is enough.
    private volatile long packets;
    private volatile long dropped;
    private volatile long duplicated;
    private volatile long reordered;
    private volatile long corrupted;
    private volatile long rateLimited;

    /** An engine applying {@code profile}, starting from its seed. */
    public Impairment(ImpairmentProfile profile) {
        random = new SplittableRandom(profile.seed());
        lossRate = profile.lossRate();
        duplicateRate = profile.duplicateRate();
        corruptRate = profile.corruptRate();
        reorderRate = profile.reorderRate();
        reorderNanos = TimeUnit.MILLISECONDS.toNanos(profile.reorderDelayMillis());
        delayNanos = TimeUnit.MILLISECONDS.toNanos(profile.delayMillis());
        jitterNanos = TimeUnit.MILLISECONDS.toNanos(profile.jitterMillis());
        bytesPerSecond = profile.rateBytesPerSecond();
        queueBytes = profile.queueBytes();
    }

    /**
     * Decides the fate of the next packet.
     *
     * @param packetSize payload bytes, at least 0; the bottleneck and the corrupted bit depend on it
     * @param nowNanos the packet's arrival time on any monotonic clock, never going back
     * @return what happens to the packet
     */
    public Decision decide(int packetSize, long nowNanos) {
        if (packetSize < 0) {
            throw new IllegalArgumentException("packet size must be at least 0, got " + packetSize);
        }
        // Every packet takes all its draws, used or not (see the class comment).
        double lossDraw = random.nextDouble();
        double duplicateDraw = random.nextDouble();
        double corruptDraw = random.nextDouble();
        double bitDraw = random.nextDouble();
        double reorderDraw1 = random.nextDouble();
        double jitterDraw1 = random.nextDouble();
        double reorderDraw2 = random.nextDouble();
        double jitterDraw2 = random.nextDouble();
        packets++;
        if (lossDraw < lossRate) {
            dropped++;
            return Decision.DROP;
        }
        boolean twice = duplicateDraw < duplicateRate;
        if (twice) {
            duplicated++;
        }
        long bits = 8L * packetSize;
        int corruptBit = corruptDraw < corruptRate && bits > 0 ? (int) Math.min(bits - 1, (long) (bitDraw * bits)) : -1;
        if (corruptBit >= 0) {
            corrupted++;
        }
        long first = copyDelay(packetSize, nowNanos, reorderDraw1, jitterDraw1);
        long second = twice ? copyDelay(packetSize, nowNanos, reorderDraw2, jitterDraw2) : -1;
        if (first < 0) {
            first = second;
            second = -1;
        }
        if (first < 0) {
            return Decision.DROP;
        }
        return second < 0 ? new Decision(1, first, 0, corruptBit) : new Decision(2, first, second, corruptBit);
    }

    /** The delay of one copy, or -1 if the bottleneck drops it. */
    private long copyDelay(int packetSize, long nowNanos, double reorderDraw, double jitterDraw) {
        long queueing = bottleneck(packetSize, nowNanos);
        if (queueing < 0) {
            rateLimited++;
            return -1;
        }
        long jitter = (long) ((2 * jitterDraw - 1) * jitterNanos);
        long delay = Math.max(0, delayNanos + jitter) + queueing;
        if (reorderDraw < reorderRate) {
            reordered++;
            delay += reorderNanos;
        }
        return delay;
    }

    /**
     * Puts one copy on the bottleneck link.
     *
     * @return nanoseconds until its last byte has left, or -1 if the queue is too full to take it
     */
    private long bottleneck(int size, long nowNanos) {
        if (bytesPerSecond == 0) {
            return 0;
        }
        long backlogNanos = linkFreeAtNanos == IDLE ? 0 : Math.max(0, linkFreeAtNanos - nowNanos);
        if (backlogNanos > 0) {
            double waitingBytes = backlogNanos * (double) bytesPerSecond / TimeUnit.SECONDS.toNanos(1);
            if (waitingBytes + size > queueBytes) {
                return -1;
            }
        }
        long sendNanos = (size * TimeUnit.SECONDS.toNanos(1) + bytesPerSecond - 1) / bytesPerSecond;
        linkFreeAtNanos = nowNanos + backlogNanos + sendNanos;
        return backlogNanos + sendNanos;
    }

    /** The counters so far. */
    public ImpairmentStats stats() {
        return new ImpairmentStats(packets, dropped, duplicated, reordered, corrupted, rateLimited);
    }

    /**
     * The fate of one packet: {@code copies} copies arrive (0 when it is dropped, 2 when duplicated),
     * each after its own delay, all with the same bit flipped if {@code corruptBit} is not -1.
     *
     * @param copies copies delivered: 0, 1 or 2
     * @param firstDelayNanos delay of the first copy (0 if none)
     * @param secondDelayNanos delay of the second copy (0 if none)
     * @param corruptBit index of the payload bit to flip, counted from the first byte's lowest bit, or -1
     */
    public record Decision(int copies, long firstDelayNanos, long secondDelayNanos, int corruptBit) {
        /** The packet is lost. */
        public static final Decision DROP = new Decision(0, 0, 0, -1);
        /** The packet passes at once, unchanged. */
        public static final Decision PASS = new Decision(1, 0, 0, -1);

        /** Checks the ranges. */
        public Decision {
            if (copies < 0 || copies > 2 || firstDelayNanos < 0 || secondDelayNanos < 0 || corruptBit < -1) {
                throw new IllegalArgumentException("invalid decision: " + copies + " copies, delays "
                        + firstDelayNanos + "/" + secondDelayNanos + " ns, bit " + corruptBit);
            }
        }

        /** Whether no copy arrives. */
        public boolean dropped() {
            return copies == 0;
        }

        /** Whether the copies carry a flipped bit. */
        public boolean corrupted() {
            return corruptBit >= 0;
        }

        /** Delay of copy {@code copy} (0 or 1). */
        public long delayNanos(int copy) {
            if (copy < 0 || copy >= copies) {
                throw new IndexOutOfBoundsException("copy " + copy + " of " + copies);
            }
            return copy == 0 ? firstDelayNanos : secondDelayNanos;
        }
    }
}
