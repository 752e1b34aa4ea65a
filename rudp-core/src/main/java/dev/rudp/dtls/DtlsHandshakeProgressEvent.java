package dev.rudp.dtls;

import java.util.Objects;
import java.net.InetSocketAddress;

/**
 * Fired by a client's {@link DtlsHandler} through the pipeline (as a user event, towards the handlers
 * after it) when its handshake with {@link #peer()} moves on: a handshake datagram from the server, or
 * the client's next flight after one (the first included), however long the client took to compute
 * it. Not for retransmissions. A connect deadline that counts the server's silence restarts on it: a
 * handshake queued behind busy CPUs on either side is not a dead server. Fired on the event loop.
 */
public final class DtlsHandshakeProgressEvent {
    private final InetSocketAddress peer;

    public DtlsHandshakeProgressEvent(InetSocketAddress peer) {
        this.peer = Objects.requireNonNull(peer, "peer");
    }

    /** The server the handshake runs with. */
    public InetSocketAddress peer() {
        return peer;
    }

    @Override
    public String toString() {
        return "DtlsHandshakeProgressEvent(" + peer + ")";
    }
}
