package dev.rudp.reliability;

/**
 * The largest value seen over the last {@code window} rounds: BBR's bottleneck-bandwidth filter.
 * One slot per round in a ring, so a round's maximum ages out exactly {@code window} rounds later
 * and an old peak cannot pin the estimate after the path slows down.
 */
final class WindowedMaxFilter {
    private final long[] values;
    private final long[] rounds;

    WindowedMaxFilter(int window) {
        values = new long[window];
        rounds = new long[window];
        java.util.Arrays.fill(rounds, -1);
    }

    void update(long round, long value) {
        int slot = (int) (round % values.length);
        if (rounds[slot] != round) {
            rounds[slot] = round;
            values[slot] = value;
        } else if (value > values[slot]) {
            values[slot] = value;
        }
    }

    /** The maximum over rounds {@code round - window + 1 .. round}, or 0 if none. */
    long get(long round) {
        long max = 0;
        for (int i = 0; i < values.length; i++) {
            if (rounds[i] >= 0 && rounds[i] > round - values.length && rounds[i] <= round) {
                max = Math.max(max, values[i]);
            }
        }
        return max;
    }

    void reset() {
        java.util.Arrays.fill(rounds, -1);
    }
}
