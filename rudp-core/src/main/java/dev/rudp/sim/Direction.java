package dev.rudp.sim;

/** Which way through a pipeline an {@link ImpairmentHandler} impairs datagrams. */
public enum Direction {
    /** Datagrams read from the socket. */
    INBOUND,
    /** Datagrams written to the socket. */
    OUTBOUND,
    /** Both ways, each with its own decisions. */
    BOTH;

    boolean includes(Direction way) {
        return this == BOTH || this == way;
    }
}
