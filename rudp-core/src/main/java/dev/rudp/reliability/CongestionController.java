package dev.rudp.reliability;

/**
 * A congestion controller: told of every packet sent, acknowledged and lost, it decides the
 * congestion window and the pacing rate. Implementations are single-threaded, like the
 * connection that owns them.
 */
public interface CongestionController {
    /** A packet counted in bytes in flight was sent. */
    void onPacketSent(long nowNanos, int bytes);

    /**
     * A packet in flight was acknowledged.
     *
     * @param appLimited true when the sender had nothing more to send (the window was not the limit)
     */
    void onPacketAcked(long nowNanos, int bytes, long timeSentNanos, RttEstimator rtt, boolean appLimited);

    /** Packets were declared lost; {@code newestLostSentNanos} is when the newest of them was sent. */
    void onCongestionEvent(long nowNanos, long newestLostSentNanos);

    /** Loss persisted for longer than the persistent congestion duration: collapse the window. */
    void onPersistentCongestion(long nowNanos);

    /** Bytes that may be in flight. */
    long congestionWindow();

    /** Bytes per second the pacer should send at. */
    long pacingRate(RttEstimator rtt);

    /** Whether the controller is in slow start (for statistics). */
    boolean inSlowStart();
}
