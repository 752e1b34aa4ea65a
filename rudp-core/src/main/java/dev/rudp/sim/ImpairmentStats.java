package dev.rudp.sim;

/**
 * A snapshot of what an {@link Impairment} has done so far. Each counter is read atomically; while
 * packets flow, the counters of one snapshot may be a packet apart.
 *
 * @param packets packets offered to the impairment
 * @param dropped packets lost at random ({@link ImpairmentProfile#lossRate()})
 * @param duplicated packets that were not lost and were duplicated (the bottleneck may still drop a copy)
 * @param reordered packet copies held back by the reorder delay
 * @param corrupted packets that were not lost and had one bit flipped (the bottleneck may still drop them)
 * @param rateLimited packet copies dropped because the bottleneck queue was full; the copies delivered
 *     are {@code packets - dropped + duplicated - rateLimited}
 */
public record ImpairmentStats(long packets, long dropped, long duplicated, long reordered, long corrupted,
        long rateLimited) {

    /** All counters zero. */
    public static final ImpairmentStats ZERO = new ImpairmentStats(0, 0, 0, 0, 0, 0);

    /** The sum of this snapshot and {@code other}, e.g. of both directions of a path. */
    public ImpairmentStats plus(ImpairmentStats other) {
        return new ImpairmentStats(packets + other.packets, dropped + other.dropped, duplicated + other.duplicated,
                reordered + other.reordered, corrupted + other.corrupted, rateLimited + other.rateLimited);
    }
}
