package dev.rudp.channel;

import dev.rudp.RudpException;
import java.util.concurrent.TimeUnit;

/**
 * A client connect's deadline, counting the server's silence rather than the time since connect: it
 * starts at connect and moves to "now + the connect timeout" each time the server is heard from during
 * the handshake (a DTLS handshake datagram, a RETRY). A burst of clients on a busy server queues for
 * CPU on both sides while every answer still comes; only a server that stays silent for the whole
 * timeout fails the connect. Event loop only.
 */
final class ConnectDeadline {
    private final long timeoutMillis;
    private final long timeoutNanos;
    private long deadlineNanos;

    ConnectDeadline(long timeoutMillis, long nowNanos) {
        this.timeoutMillis = timeoutMillis;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.deadlineNanos = nowNanos + timeoutNanos;
    }

    /** The server answered at {@code nowNanos}: it gets the whole timeout again from there. */
    void heard(long nowNanos) {
        deadlineNanos = Math.max(deadlineNanos, nowNanos + timeoutNanos);
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
