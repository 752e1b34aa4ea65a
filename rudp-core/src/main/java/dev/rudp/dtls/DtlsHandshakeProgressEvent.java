package dev.rudp.dtls;

import java.util.Objects;
import java.net.InetSocketAddress;

/**
 * Fired by a client's {@link DtlsHandler} through the pipeline (as a user event, towards the handlers
 * after it) for each handshake datagram it takes from {@link #peer()} while their handshake runs: the
 * server is answering, however slowly. A connect deadline that counts the server's silence restarts on
 * it (a handshake queued behind a busy server's CPU is not a dead server). Fired on the event loop.
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
