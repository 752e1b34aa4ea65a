package dev.rudp;

import java.io.IOException;

/**
 * The one exception type of rudp-core: a connection failed or was refused, with the
 * {@link RudpErrorCode} saying why. Built through the static factories.
 */
public final class RudpException extends IOException {
    private static final long serialVersionUID = 1L;

    private final RudpErrorCode code;

    private RudpException(RudpErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    private RudpException(RudpErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** Why the connection ended. */
    public RudpErrorCode code() {
        return code;
    }

    public static RudpException closed(RudpErrorCode code, String reason) {
        String what = code == RudpErrorCode.NO_ERROR ? "connection closed" : "connection closed: " + code;
        return new RudpException(code, reason == null || reason.isEmpty() ? what : what + " (" + reason + ")");
    }

    public static RudpException connectTimeout(long millis) {
        return new RudpException(RudpErrorCode.CONNECT_TIMEOUT, "no answer from the server within " + millis + " ms");
    }

    /** The DTLS handshake with the server failed; the message is the cause's, which says why. */
    public static RudpException handshakeFailed(Throwable cause) {
        return new RudpException(RudpErrorCode.HANDSHAKE_FAILED, cause.getMessage(), cause);
    }

    public static RudpException messageTooLarge(long size, long limit) {
        return new RudpException(RudpErrorCode.FLOW_CONTROL_ERROR,
                "message of " + size + " bytes exceeds the limit of " + limit + " bytes");
    }
}
