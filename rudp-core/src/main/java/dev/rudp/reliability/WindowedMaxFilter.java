package dev.rudp.reliability;

/**
 * The largest value seen over the last {@code window} rounds that had samples: BBR's
 * bottleneck-bandwidth filter. One slot per round in a ring, so a round's maximum ages out exactly
 * {@code window} sampled rounds later and an old peak cannot pin the estimate after the path slows
 * down. Rounds without a sample do not age it (as Linux's minmax filter, which only expires on a new
 * sample): BBR offers no sample while the sender is application-limited below its estimate, and a
 * connection that only receives for a while (a download after an upload) still counts rounds with
 * its acknowledgements and window updates; ageing by those rounds forgot the path and left the next
 * upload starting from a few hundred KB/s.
 */
final class WindowedMaxFilter {
    private final long[] values;
    private final long[] rounds;
    /** The latest round with a sample, -1 before the first: the window ends there. */
    private long latest = -1;

    WindowedMaxFilter(int window) {
        values = new long[window];
        rounds = new long[window];
        java.util.Arrays.fill(rounds, -1);
    }

    void update(long round, long value) {
        latest = Math.max(latest, round);
        int slot = (int) (round % values.length);
        if (rounds[slot] != round) {
            rounds[slot] = round;
            values[slot] = value;
        } else if (value > values[slot]) {
            values[slot] = value;
        }
    }

    /**
     * The maximum over the {@code window} rounds up to the latest sampled one (at most
     * {@code round}), or 0 if none.
     */
    long get(long round) {
        round = Math.min(round, latest);
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
        latest = -1;
    }
}
