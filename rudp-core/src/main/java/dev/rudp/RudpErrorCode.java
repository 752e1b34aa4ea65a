package dev.rudp;

/**
 * Why a connection ended. The wire code travels in CLOSE frames; local reasons (timeouts, resets)
 * never leave the machine but use the same table so applications see one vocabulary.
 */
public enum RudpErrorCode {
    /** Closed on purpose, after everything written was delivered. */
    NO_ERROR(0),
    /** A bug or resource failure inside an endpoint. */
    INTERNAL_ERROR(1),
    /** The peer sent something the protocol forbids (bad frame, acked an unsent packet...). */
    PROTOCOL_VIOLATION(2),
    /** The peer sent more than its flow-control credit or a message over the size limit. */
    FLOW_CONTROL_ERROR(3),
    /** Nothing was heard from the peer within the idle timeout. */
    IDLE_TIMEOUT(4),
    /** The peer said it has no such connection (stateless reset). */
    RESET(5),
    /** The handshake did not complete within the connect timeout. */
    CONNECT_TIMEOUT(6),
    /** The application closed the connection with a code of its own (see the reason). */
    APPLICATION_ERROR(7),
    /** The local endpoint shut down (its datagram channel closed). */
    ENDPOINT_CLOSED(8),
    /** The security handshake failed (wrong key, unknown or changed server identity, ...); see the cause. */
    HANDSHAKE_FAILED(9);

    private final int code;

    RudpErrorCode(int code) {
        this.code = code;
    }

    /** The code sent on the wire. */
    public int code() {
        return code;
    }

    /** The constant for a wire code; unknown codes map to {@link #APPLICATION_ERROR}. */
    public static RudpErrorCode of(long code) {
        for (RudpErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return APPLICATION_ERROR;
    }
}
