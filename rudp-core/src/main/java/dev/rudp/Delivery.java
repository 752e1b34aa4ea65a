package dev.rudp;

/** How a message is delivered to the peer's pipeline. Both modes are reliable. */
public enum Delivery {
    /** In the order written, each exactly once (the default). */
    ORDERED,
    /**
     * Exactly once, as soon as the whole message has arrived, regardless of earlier messages: a lost
     * packet delays only the messages it carried. For bulk data whose chunks carry their own offsets.
     */
    UNORDERED
}
