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

    /**
     * Path MTU discovery proved a larger packet size. Windows counted in packets (minimum, initial,
     * increments) follow it, and the window never drops below what lets a few such packets fly.
     */
    void onDatagramSizeChanged(int maxDatagramSize);

    /**
     * One packet counted in flight was declared lost. Called for each such packet before the
     * {@link #onCongestionEvent} that covers them; window-based controllers need only that event,
     * so the default ignores it. Rate-based controllers measure the loss rate from it.
     */
    default void onPacketLost(long nowNanos, int bytes, long timeSentNanos) {
    }

    /**
     * An ACK frame was fully processed (acknowledgements, RTT sample, loss detection). Carries the
     * delivery-rate sample it produced; the sample is reused, so read it here and do not keep it.
     * Window-based controllers do not need it, so the default ignores it.
     *
     * @param bytesInFlight bytes still in flight after the ACK
     */
    default void onAckProcessed(long nowNanos, RateSample sample, long bytesInFlight, RttEstimator rtt) {
    }
}
