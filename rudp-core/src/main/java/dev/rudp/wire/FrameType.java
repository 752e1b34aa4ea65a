package dev.rudp.wire;

/** Frame types carried inside DATA packets, with their one-byte wire codes. */
public enum FrameType {
    /** One zero byte; ignored. Pads probes and handshake packets. */
    PADDING(0x00, false),
    /**
     * Asks for an acknowledgement, at once: keepalives, probes, and the packet after which the sender
     * must wait (its window full, or nothing more to send) carry it.
     */
    PING(0x01, true),
    /** Acknowledges ranges of packet numbers; see {@link AckFrame}. */
    ACK(0x02, false),
    /** A fragment of a message delivered in order; see {@link MessageFrame}. */
    MESSAGE_ORDERED(0x03, true),
    /** A fragment of a message delivered as soon as it is complete; see {@link MessageFrame}. */
    MESSAGE_UNORDERED(0x04, true),
    /** Raises the sender's flow-control credit; see {@link MaxDataFrame}. */
    MAX_DATA(0x05, true),
    /** Closes the connection with a code and reason; see {@link CloseFrame}. */
    CLOSE(0x06, false),
    /** How many packets the receiver may leave unacknowledged; see {@link AckFrequencyFrame}. */
    ACK_FREQUENCY(0x07, true);

    private static final FrameType[] BY_CODE = new FrameType[8];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final boolean ackEliciting;

    FrameType(int code, boolean ackEliciting) {
        this.code = code;
        this.ackEliciting = ackEliciting;
    }

    /** The wire code. */
    public int code() {
        return code;
    }

    /** Whether a packet carrying this frame must be acknowledged. */
    public boolean ackEliciting() {
        return ackEliciting;
    }

    /** The type for {@code code}, or {@code null} if unknown. */
    public static FrameType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
