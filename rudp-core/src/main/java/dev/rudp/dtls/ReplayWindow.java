package dev.rudp.dtls;

/**
 * The anti-replay window of RFC 6347 section 4.1.2.6 for one epoch: the highest sequence number
 * authenticated so far and a 64-bit map of the 64 numbers at and below it. A number above the window is
 * fresh; one inside it is fresh unless its bit is set; one below it is too old. Check with
 * {@link #isFresh} before decrypting and {@link #accept} only after the record authenticated, so a
 * forged record cannot move the window.
 *
 * <p>Pure and not thread-safe: one per receiving direction, used on its event loop.
 */
final class ReplayWindow {
    /** Sequence numbers the window remembers below the highest one. */
    static final int SIZE = 64;

    /** The highest authenticated sequence number, -1 before the first. */
    private long highest = -1;
    /** Bit {@code i}: {@code highest - i} was seen. */
    private long seen;

    /** Whether a record with {@code sequence} may still be accepted. */
    boolean isFresh(long sequence) {
        if (sequence > highest) {
            return true;
        }
        long below = highest - sequence;
        return below < SIZE && (seen & (1L << below)) == 0;
    }

    /** Marks {@code sequence} as received; call only for an authenticated, {@link #isFresh} record. */
    void accept(long sequence) {
        if (sequence > highest) {
            long shift = sequence - highest;
            seen = shift >= SIZE ? 1L : (seen << shift) | 1L;
            highest = sequence;
        } else {
            seen |= 1L << (highest - sequence);
        }
    }

    /** The highest sequence number accepted, -1 before the first. */
    long highest() {
        return highest;
    }
}
