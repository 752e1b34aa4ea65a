package dev.rudp.dtls;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Fired by {@link DtlsHandler} through the pipeline (as a user event, towards the handlers after it)
 * when a DTLS handshake with {@link #peer()} ends: with a {@code null} {@link #cause()} when it
 * succeeded, otherwise with a {@link DtlsException} saying why it failed. Fired on the event loop, once
 * per handshake; a failed handshake's session is already gone and its queued datagrams released.
 */
public final class DtlsHandshakeCompletionEvent {
    private final InetSocketAddress peer;
    private final Throwable cause;

    public DtlsHandshakeCompletionEvent(InetSocketAddress peer, Throwable causeOrNull) {
        this.peer = Objects.requireNonNull(peer, "peer");
        this.cause = causeOrNull;
    }

    /** The address the handshake ran with. */
    public InetSocketAddress peer() {
        return peer;
    }

    /** Why it failed (a {@link DtlsException} from the handler), or {@code null} when it succeeded. */
    public Throwable cause() {
        return cause;
    }

    /** Whether the handshake succeeded. */
    public boolean isSuccess() {
        return cause == null;
    }

    @Override
    public String toString() {
        return "DtlsHandshakeCompletionEvent(" + peer + (cause == null ? ", success)" : ", " + cause.getMessage() + ")");
    }
}
