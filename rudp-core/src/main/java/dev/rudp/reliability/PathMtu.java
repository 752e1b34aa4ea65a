package dev.rudp.reliability;

/**
 * Packetization-layer path MTU discovery (RFC 8899, the search part): a connection starts at a
 * size every IPv4/IPv6 path carries and probes larger sizes with padded, ack-eliciting packets.
 * An acknowledged probe proves the size; a size lost {@link #MAX_PROBES} times in a row is taken
 * as too big. Probe losses are not congestion: the caller keeps probes out of the congestion
 * controller and out of the loss statistics.
 *
 * <p>The first probe tries the ceiling (the outgoing interface's limit): on loopback and on plain
 * Ethernet that is the path's real limit and the search ends after one round trip. Otherwise it
 * bisects between the largest size proven and the smallest size that failed. A finished search
 * tries again after {@link #RAISE_INTERVAL_NANOS}, as the path may have changed.
 *
 * <p>Sizes are packet sizes as the engine sees them: rudp header to trailer, before any security
 * layer. Single-threaded, no I/O.
 */
final class PathMtu {
    /** RFC 8899 MAX_PROBES. */
    static final int MAX_PROBES = 3;
    /** RFC 8899 PMTU_RAISE_TIMER: 600 s. */
    static final long RAISE_INTERVAL_NANOS = 600_000_000_000L;
    /** The search stops when the unknown range is this small: a few bytes more per packet are not worth a probe. */
    static final int RESOLUTION = 32;

    private final int ceiling;
    private int current;
    /** Smallest size seen to fail, or ceiling + 1 while none has. */
    private int tooBig;
    /** Size of the outstanding probe, 0 if none. */
    private int inFlight;
    private long inFlightPacket;
    private int failures;
    private long searchAgainNanos;
    private long probesLost;

    /**
     * @param base size used until a probe proves more; every path must carry it
     * @param ceiling largest size worth trying
     */
    PathMtu(int base, int ceiling) {
        if (base <= 0 || ceiling < base) {
            throw new IllegalArgumentException("base " + base + ", ceiling " + ceiling);
        }
        this.current = base;
        this.ceiling = ceiling;
        this.tooBig = ceiling + 1;
    }

    /** The largest packet proven to get through: what ordinary packets use. */
    int current() {
        return current;
    }

    long probesLost() {
        return probesLost;
    }

    private boolean searching() {
        return tooBig - current > RESOLUTION && current < ceiling;
    }

    /** The size to probe now, or 0: at most one probe is outstanding at a time. */
    int probeSize(long nowNanos) {
        if (inFlight != 0) {
            return 0;
        }
        if (!searching()) {
            if (current >= ceiling || nowNanos - searchAgainNanos < 0) {
                return 0;
            }
            tooBig = ceiling + 1; // the path may carry more now: search the whole range again
        }
        return tooBig > ceiling ? ceiling : current + (tooBig - current) / 2;
    }

    /** A probe of {@code size} went out as packet {@code packetNumber}. */
    void onProbeSent(int size, long packetNumber) {
        inFlight = size;
        inFlightPacket = packetNumber;
    }

    /**
     * A probe was acknowledged. Only the outstanding one counts: an older probe acknowledged after
     * it was declared lost proves a size the search has already moved past.
     *
     * @return true if that raised {@link #current()}
     */
    boolean onProbeAcked(long packetNumber, long nowNanos) {
        if (inFlight == 0 || packetNumber != inFlightPacket) {
            return false;
        }
        int size = inFlight;
        inFlight = 0;
        failures = 0;
        if (size <= current) {
            return false;
        }
        current = size;
        if (tooBig <= current) {
            tooBig = ceiling + 1;
        }
        endSearchIfDone(nowNanos);
        return true;
    }

    /** A probe was declared lost. */
    void onProbeLost(long packetNumber, long nowNanos) {
        probesLost++;
        if (inFlight == 0 || packetNumber != inFlightPacket) {
            return;
        }
        int size = inFlight;
        inFlight = 0;
        if (++failures >= MAX_PROBES) {
            failures = 0;
            tooBig = Math.min(tooBig, size);
            endSearchIfDone(nowNanos);
        }
    }

    private void endSearchIfDone(long nowNanos) {
        if (!searching()) {
            searchAgainNanos = nowNanos + RAISE_INTERVAL_NANOS;
        }
    }
}
