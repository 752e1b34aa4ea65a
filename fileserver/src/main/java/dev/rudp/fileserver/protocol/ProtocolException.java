package dev.rudp.fileserver.protocol;

import java.io.IOException;

/**
 * The one exception type of the file service: a request failed with a wire-mappable
 * {@link Status} and a one-line message meant for the user. Built through the factories.
 */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    private final Status status;

    private ProtocolException(Status status, String message) {
        super(message == null || message.isEmpty() ? status.text() : message);
        this.status = status;
    }

    /** The status sent to (or received from) the peer. */
    public Status status() {
        return status;
    }

    /** A failure with a status and message. */
    public static ProtocolException of(Status status, String message) {
        return new ProtocolException(status, message);
    }

    /** A frame that does not follow the wire format. */
    public static ProtocolException malformed(String what) {
        return new ProtocolException(Status.BAD_REQUEST, "malformed frame: " + what);
    }
}
