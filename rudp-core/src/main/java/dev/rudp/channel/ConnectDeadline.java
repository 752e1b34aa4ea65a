package dev.rudp.channel;

import dev.rudp.RudpException;
import java.util.concurrent.TimeUnit;

/**
 * A client connect's deadline, counting the server's silence rather than the time since connect. It
 * moves to "now + the connect timeout" at each sign of progress during the handshake: a RETRY, and in
 * DTLS mode each DTLS handshake datagram from the server, the client's next flight after one, and the
 * DTLS handshake's end. Before the first of them in DTLS mode (the client's own cold DTLS stack still
 * computing its ClientHello, on a machine where many clients start at once) it allows
 * {@code startFactor} times the timeout. A burst of clients on a busy server queues for CPU on both
 * sides while every answer still comes; only a server that stays silent for the whole timeout after
 * it was asked fails the connect. Event loop only.
 */
final class ConnectDeadline {
    private final long timeoutMillis;
    private final long timeoutNanos;
    private long deadlineNanos;

    /**
     * @param startFactor the first deadline, in multiples of the timeout: 1 when the first packet goes
     *     out at once (plaintext), more when a handshake below computes it first (DTLS)
     */
    ConnectDeadline(long timeoutMillis, int startFactor, long nowNanos) {
        this.timeoutMillis = timeoutMillis;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.deadlineNanos = nowNanos + timeoutNanos * startFactor;
    }

    /** The handshake moved on at {@code nowNanos}: the server gets the whole timeout from there. */
    void heard(long nowNanos) {
        deadlineNanos = nowNanos + timeoutNanos;
    }

    /** When the connect fails unless the server is heard from before. */
    long nanos() {
        return deadlineNanos;
    }

    boolean passed(long nowNanos) {
        return nowNanos - deadlineNanos >= 0;
    }

    /** The failure for a connect whose server stayed silent. */
    RudpException failure() {
        return RudpException.connectTimeout(timeoutMillis);
    }
}
