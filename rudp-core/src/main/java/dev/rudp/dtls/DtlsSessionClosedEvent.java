package dev.rudp.dtls;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Fired by {@link DtlsHandler} through the pipeline (as a user event) when an established DTLS session
 * with {@link #peer()} ends: closed by either side, idle, or at its record limit
 * ({@link DtlsException.Reason#KEY_LIMIT_REACHED}, after which a client's next datagram starts a new
 * handshake). Fired on the event loop; not fired for handshakes that fail (see
 * {@link DtlsHandshakeCompletionEvent}) nor when the channel itself closes.
 */
public final class DtlsSessionClosedEvent {
    private final InetSocketAddress peer;
    private final DtlsException reason;

    public DtlsSessionClosedEvent(InetSocketAddress peer, DtlsException reason) {
        this.peer = Objects.requireNonNull(peer, "peer");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The peer whose session ended. */
    public InetSocketAddress peer() {
        return peer;
    }

    /** Why it ended; {@link DtlsException#reason()} gives the category. */
    public DtlsException reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "DtlsSessionClosedEvent(" + peer + ", " + reason.getMessage() + ")";
    }
}
