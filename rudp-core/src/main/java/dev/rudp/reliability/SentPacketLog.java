package dev.rudp.reliability;

/**
 * Sent packets indexed by packet number in a growable ring: lookup by number is O(1) because
 * numbers are consecutive. The head advances past packets that need no more attention.
 */
final class SentPacketLog {
    private SentPacket[] ring = new SentPacket[64];
    private long firstPn;
    private long nextPn;

    SentPacketLog() {
        for (int i = 0; i < ring.length; i++) {
            ring[i] = new SentPacket();
        }
    }

    long firstPacketNumber() {
        return firstPn;
    }

    long nextPacketNumber() {
        return nextPn;
    }

    int size() {
        return (int) (nextPn - firstPn);
    }

    /** A fresh slot for the next packet number. */
    SentPacket append(long nowNanos) {
        if (size() == ring.length) {
            grow();
        }
        SentPacket p = ring[(int) (nextPn & (ring.length - 1))];
        p.reset(nextPn, nowNanos);
        nextPn++;
        return p;
    }

    /** The packet numbered {@code pn}, or null if it left the log or was never sent. */
    SentPacket get(long pn) {
        if (pn < firstPn || pn >= nextPn) {
            return null;
        }
        return ring[(int) (pn & (ring.length - 1))];
    }

    /** The oldest packet still in the log, or null. */
    SentPacket first() {
        return firstPn < nextPn ? ring[(int) (firstPn & (ring.length - 1))] : null;
    }

    /** Drops the oldest packet. */
    void removeFirst() {
        SentPacket p = first();
        if (p != null) {
            p.clearFragments();
            firstPn++;
        }
    }

    private void grow() {
        SentPacket[] bigger = new SentPacket[ring.length * 2];
        for (long pn = firstPn; pn < nextPn; pn++) {
            bigger[(int) (pn & (bigger.length - 1))] = ring[(int) (pn & (ring.length - 1))];
        }
        for (int i = 0; i < bigger.length; i++) {
            if (bigger[i] == null) {
                bigger[i] = new SentPacket();
            }
        }
        ring = bigger;
    }
}
