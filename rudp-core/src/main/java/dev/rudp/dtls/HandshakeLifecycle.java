package dev.rudp.dtls;

import dev.rudp.dtls.DtlsSession.Pending;
import dev.rudp.dtls.DtlsSession.State;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSRequest;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;

/**
 * A {@link DtlsHandler}'s sessions from creation to the end of their handshake: the limit on concurrent
 * handshakes, starting one (on {@link HandshakeRunner}), its progress, and its end: established (the JDK
 * record path takes over, queued writes go out) or failed (timeout, abort, error). Its own class because
 * this is the part of the handler that runs once per session, apart from the per-record path the handler
 * keeps. Event loop only; the handler owns one, created once the channel is registered.
 */
final class HandshakeLifecycle {
    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(DtlsHandler.class); // as before the split

    private final DtlsHandler handler;
    private final DtlsConfig config;
    private final boolean server;
    private final Map<InetSocketAddress, DtlsSession> sessions;
    private final Counters counters;
    private final ChannelHandlerContext ctx;
    private final RecordPath records;
    private final HandshakeRunner runner;
    /** Sessions in state HANDSHAKING. */
    private int handshaking;

    HandshakeLifecycle(DtlsHandler handler, DtlsConfig config, boolean server, Map<InetSocketAddress, DtlsSession> sessions,
            Counters counters, ChannelHandlerContext ctx, RecordPath records) {
        this.handler = handler;
        this.config = config;
        this.server = server;
        this.sessions = sessions;
        this.counters = counters;
        this.ctx = ctx;
        this.records = records;
        this.runner = new HandshakeRunner(config.handshakeExecutor(), ctx.executor(), config.handshakeTimeoutMillis(),
                config.handshakeCapMillis(), this::handshakeDone, this::handshakeTimedOut);
    }

    /** Handshakes running now. */
    int running() {
        return handshaking;
    }

    /** Server: starts the handshake of a ClientHello that passed the cookie check. */
    void startServer(InetSocketAddress peer, byte[] clientRandom, DTLSRequest request) {
        DtlsSession s = newSession(peer);
        s.clientRandom(clientRandom);
        startHandshake(s, () -> new DTLSServerProtocol().accept(TlsPeers.server(config, s::keys), s.transport, request));
    }

    /** Client: a session handshaking with {@code to}, or null (and a failed completion event) when too many run. */
    DtlsSession startClient(InetSocketAddress to) {
        if (handshaking >= config.maxConcurrentHandshakes()) {
            counters.droppedQueueFull++;
            counters.handshakesFailed++;
            ctx.fireUserEventTriggered(new DtlsHandshakeCompletionEvent(to,
                    DtlsException.tooManyHandshakes(to, config.maxConcurrentHandshakes())));
            return null;
        }
        DtlsWarmup.start();
        DtlsSession s = newSession(to);
        startHandshake(s, () -> {
            DtlsWarmup.awaitBouncyCastle();
            return new DTLSClientProtocol().connect(TlsPeers.client(config, to, s::keys), s.transport);
        });
        return s;
    }

    private DtlsSession newSession(InetSocketAddress peer) {
        PeerTransport transport = new PeerTransport(peer, config.handshakeDatagramPlaintext() + DtlsHandler.RECORD_OVERHEAD,
                config.maxRecordPlaintext() + DtlsHandler.RECORD_OVERHEAD, records);
        DtlsSession s = new DtlsSession(peer, transport, System.nanoTime());
        transport.onNewFlight(() -> {
            try {
                ctx.executor().execute(() -> progressed(s));
            } catch (RejectedExecutionException loopGone) {
                // the channel is closing: the handshake fails with it
            }
        });
        sessions.put(peer, s);
        handshaking++;
        return s;
    }

    /**
     * On the event loop: the handshake with {@code s.peer} moved on (a datagram from the peer, or our
     * next flight after one, however long this side took to compute it). Silence counts from here: the
     * handshake timer's, and on a client the rudp connect deadline's ({@link DtlsHandshakeProgressEvent}).
     */
    void progressed(DtlsSession s) {
        if (sessions.get(s.peer) != s || s.state() != State.HANDSHAKING) {
            return;
        }
        s.touch(System.nanoTime());
        if (!server) {
            ctx.fireUserEventTriggered(new DtlsHandshakeProgressEvent(s.peer));
        }
    }

    private void startHandshake(DtlsSession s, HandshakeRunner.Handshake handshake) {
        try {
            runner.start(s, handshake);
        } catch (RejectedExecutionException e) {
            fail(s, DtlsException.tooManyHandshakes(s.peer, config.maxConcurrentHandshakes()));
        }
    }

    /** On the event loop, when the handshake thread finished. */
    private void handshakeDone(DtlsSession s, DTLSTransport dtls, Throwable failure) {
        if (sessions.get(s.peer) != s || s.state() != State.HANDSHAKING) {
            return; // timed out or aborted meanwhile; its transport is closed, so nothing more goes out
        }
        if (failure != null) {
            fail(s, DtlsException.fromHandshake(failure, s.peer, config.handshakeCapMillis(), timeoutHint()));
            handler.flushIfNeeded();
            return;
        }
        int limit;
        try {
            s.transport.useRecordLimit();
            limit = Math.min(dtls.getSendLimit(), config.maxRecordPlaintext());
        } catch (IOException e) {
            fail(s, DtlsException.handshakeFailed("DTLS handshake with " + s.peer + " failed: " + e, e));
            return;
        }
        handshaking--;
        s.established(dtls, limit, handler.datagramLimit(limit));
        takeOverRecords(s);
        s.touch(System.nanoTime());
        counters.handshakesSucceeded++;
        if (s.resumed()) {
            counters.handshakesResumed++;
        }
        LOG.debug("DTLS handshake with {} completed", s.peer);
        Pending p;
        while (s.state() == State.ESTABLISHED && (p = s.pollPending()) != null) {
            handler.protect(s, p.packet(), p.promise());
        }
        s.releasePending(DtlsException.closed(s.peer, "session ended before the write"));
        ctx.fireUserEventTriggered(new DtlsHandshakeCompletionEvent(s.peer, null));
        if (s.state() == State.ESTABLISHED) {
            handler.readRecords(s, null, 0, false, (InetSocketAddress) ctx.channel().localAddress());
        }
        handler.flushIfNeeded();
    }

    /**
     * Hands epoch 1's application records to the JDK path ({@link GcmRecords}) before any record of the
     * session is sent or read on the event loop; BouncyCastle keeps them when that path does not apply.
     */
    private void takeOverRecords(DtlsSession s) {
        RecordKeys keys = s.takeKeys();
        if (!config.jdkRecords()) {
            if (keys != null) {
                keys.destroy();
            }
            return;
        }
        GcmRecords gcm = GcmRecords.start(keys, s.transport.handover());
        if (gcm != null) {
            s.gcm(gcm);
        } else {
            LOG.debug("DTLS session with {} stays on BouncyCastle's record layer (not AES-GCM, or its keys were not proven)",
                    s.peer);
        }
    }

    private void handshakeTimedOut(DtlsSession s, long afterMillis) {
        if (sessions.get(s.peer) == s && s.state() == State.HANDSHAKING) {
            fail(s, DtlsException.handshakeTimeout(s.peer, afterMillis, timeoutHint()));
            handler.flushIfNeeded();
        }
    }

    private String timeoutHint() {
        if (!config.usesPsk()) {
            return null;
        }
        return server ? "a client holding a different pre-shared key for its identity fails this way"
                : "a server holding a different pre-shared key for this identity fails this way";
    }

    /** Ends a handshaking session: aborts it, releases its queue, fires the failed completion event. */
    void fail(DtlsSession s, DtlsException cause) {
        handshaking--;
        s.transitionTo(State.CLOSED);
        sessions.remove(s.peer, s);
        s.transport.abort();
        s.releasePending(cause);
        counters.handshakesFailed++;
        LOG.debug("DTLS handshake with {} failed: {}", s.peer, cause.getMessage());
        ctx.fireUserEventTriggered(new DtlsHandshakeCompletionEvent(s.peer, cause));
    }
}
