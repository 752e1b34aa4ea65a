package dev.rudp.dtls;

import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.bouncycastle.tls.DTLSTransport;

/**
 * Runs one blocking BouncyCastle handshake on the handshake executor and reports back on the event
 * loop: {@link Done#handshakeDone} with the transport or the failure, or the timeout callback when the
 * handshake timeout passes first (the handler then aborts the
 * transport, which wakes and fails the handshake thread; its late result is ignored). The event loop
 * never waits for a handshake.
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
    private final long timeoutMillis;
    private final Done done;
    private final Consumer<DtlsSession> timedOut;

    HandshakeRunner(Executor executor, EventExecutor eventLoop, long timeoutMillis, Done done,
            Consumer<DtlsSession> timedOut) {
        this.executor = executor;
        this.eventLoop = eventLoop;
        this.timeoutMillis = timeoutMillis;
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
        session.handshakeTimer(eventLoop.schedule(() -> timedOut.accept(session), timeoutMillis,
                TimeUnit.MILLISECONDS));
    }
}
