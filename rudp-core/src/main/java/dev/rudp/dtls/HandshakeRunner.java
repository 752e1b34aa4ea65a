package dev.rudp.dtls;

import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.ObjLongConsumer;
import org.bouncycastle.tls.DTLSTransport;

/**
 * Runs one blocking BouncyCastle handshake on the handshake executor and reports back on the event
 * loop: {@link Done#handshakeDone} with the transport or the failure, or the timeout callback when the
 * peer stays silent for the handshake timeout (from this side's last new flight or the peer's last
 * datagram, {@link DtlsSession#touch}), or the whole handshake passes the cap first ({@link HandshakeLifecycle}
 * then aborts the transport, which wakes and fails the handshake thread; its late result is ignored).
 * The timeout counts silence, not the handshake's total time, because on a busy machine each side's
 * handshake thread may wait long for CPU while both keep answering. The event loop never waits for a
 * handshake.
 */
final class HandshakeRunner {
    /** A blocking BouncyCastle handshake: {@code DTLSServerProtocol.accept} or {@code DTLSClientProtocol.connect}. */
    interface Handshake {
        DTLSTransport run() throws IOException;
    }

    /** Called on the event loop when the handshake thread finished: {@code transport} or {@code failure} is null. */
    interface Done {
        void handshakeDone(DtlsSession session, DTLSTransport transport, Throwable failure);
    }

    private final Executor executor;
    private final EventExecutor eventLoop;
    private final long silenceNanos;
    private final long capNanos;
    private final Done done;
    private final ObjLongConsumer<DtlsSession> timedOut;

    /**
     * @param silenceMillis how long the peer may stay silent (measured from this side's last new flight
     *     or the peer's last handshake datagram, {@link DtlsSession#touch})
     * @param capMillis how long the whole handshake may take however much the peer sends
     * @param timedOut called with the session and the limit it passed, in milliseconds
     */
    HandshakeRunner(Executor executor, EventExecutor eventLoop, long silenceMillis, long capMillis, Done done,
            ObjLongConsumer<DtlsSession> timedOut) {
        this.executor = executor;
        this.eventLoop = eventLoop;
        this.silenceNanos = TimeUnit.MILLISECONDS.toNanos(silenceMillis);
        this.capNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(silenceMillis, capMillis));
        this.done = done;
        this.timedOut = timedOut;
    }

    /**
     * Starts {@code handshake} for {@code session}; on the event loop.
     *
     * @throws RejectedExecutionException when the executor refuses it (no thread free)
     */
    void start(DtlsSession session, Handshake handshake) {
        executor.execute(() -> {
            DTLSTransport established = null;
            Throwable failure = null;
            try {
                established = handshake.run();
            } catch (Throwable t) {
                failure = t;
            } finally {
                session.transport.flushFlight(); // the final flight, or the alert of a failure
            }
            DTLSTransport result = established;
            Throwable cause = failure;
            try {
                eventLoop.execute(() -> done.handshakeDone(session, result, cause));
            } catch (RejectedExecutionException loopGone) {
                session.transport.abort();
            }
        });
        arm(session, System.nanoTime(), silenceNanos);
    }

    private void arm(DtlsSession session, long startedNanos, long delayNanos) {
        session.handshakeTimer(eventLoop.schedule(() -> check(session, startedNanos), delayNanos,
                TimeUnit.NANOSECONDS));
    }

    /**
     * On the event loop, when the timer fires: times out, or re-arms for what is left of the silence.
     * Re-arming here, not on every datagram, keeps the datagram path free of timer churn.
     */
    private void check(DtlsSession session, long startedNanos) {
        long now = System.nanoTime();
        long capUntil = startedNanos + capNanos;
        // Before this side sent its first flight nothing was asked of the peer yet (a cold JVM may take
        // long to compute a ClientHello): only the cap applies.
        long quietUntil = session.transport.sentAny() ? session.lastActivityNanos() + silenceNanos : capUntil;
        long due = Math.min(quietUntil, capUntil);
        if (now - due >= 0) {
            timedOut.accept(session, TimeUnit.NANOSECONDS.toMillis(now - capUntil >= 0 ? capNanos : silenceNanos));
        } else if (session.state() == DtlsSession.State.HANDSHAKING) {
            arm(session, startedNanos, due - now);
        }
    }
}
