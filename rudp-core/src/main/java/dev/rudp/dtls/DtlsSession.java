package dev.rudp.dtls;

import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.bouncycastle.tls.DTLSTransport;

/**
 * One peer's DTLS state, owned by a {@link DtlsHandler} and touched only on its event loop (the handshake
 * thread sees only the {@link PeerTransport}). States move
 * {@code HANDSHAKING -> ESTABLISHED -> CLOSED} or {@code HANDSHAKING -> CLOSED}, through
 * {@link #transitionTo}.
 *
 * <p>Reference counting: datagrams in the pending-write queue are owned by the session until they are
 * taken with {@link #pollPending()} or released by {@link #releasePending(Throwable)}.
 */
final class DtlsSession {
    /** Plaintext datagrams a client holds while its handshake runs; beyond this they are dropped. */
    static final int PENDING_CAPACITY = 64;

    enum State {
        HANDSHAKING, ESTABLISHED, CLOSED;

        boolean canMoveTo(State next) {
            switch (this) {
                case HANDSHAKING:
                    return next == ESTABLISHED || next == CLOSED;
                case ESTABLISHED:
                    return next == CLOSED;
                default:
                    return false;
            }
        }
    }

    /** A plaintext datagram waiting for the handshake, with its write promise. */
    record Pending(DatagramPacket packet, ChannelPromise promise) {
    }

    final InetSocketAddress peer;
    final PeerTransport transport;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private volatile State state = State.HANDSHAKING;
    private DTLSTransport dtls;
    private int sendLimit;
    private int datagramLimit;
    /** Written on the event loop only; volatile so that {@link DtlsHandler#recordsSent} reads it anywhere. */
    private volatile long recordsSent;
    private long lastActivityNanos;
    private ScheduledFuture<?> handshakeTimer;
    /** Server: the random of the ClientHello that started this session. */
    private byte[] clientRandom;
    /** Set by the handshake thread when BouncyCastle completed the handshake; taken once on the event loop. */
    private volatile RecordKeys keys;
    private volatile boolean resumed;
    /** Server keeping sessions: the values bound to the DTLS session (shared by every connection resuming it). */
    private volatile java.util.concurrent.ConcurrentMap<String, Object> values;
    /** The JDK record path, once it took over epoch 1's application records; null: BouncyCastle's path. */
    private volatile GcmRecords gcm;

    DtlsSession(InetSocketAddress peer, PeerTransport transport, long nowNanos) {
        this.peer = peer;
        this.transport = transport;
        this.lastActivityNanos = nowNanos;
    }

    State state() {
        return state;
    }

    void transitionTo(State next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("DTLS session with " + peer + ": " + state + " -> " + next);
        }
        state = next;
        if (next != State.HANDSHAKING && handshakeTimer != null) {
            handshakeTimer.cancel(false);
            handshakeTimer = null;
        }
    }

    byte[] clientRandom() {
        return clientRandom;
    }

    void clientRandom(byte[] random) {
        this.clientRandom = random;
    }

    void handshakeTimer(ScheduledFuture<?> timer) {
        this.handshakeTimer = timer;
    }

    /**
     * Moves to ESTABLISHED with the transport BouncyCastle returned, the plaintext one record carries and
     * the largest plaintext datagram ({@link DtlsHandler#datagramLimit}, computed once, not per write).
     */
    void established(DTLSTransport established, int limit, int datagramLimit) {
        transitionTo(State.ESTABLISHED);
        this.dtls = established;
        this.sendLimit = limit;
        this.datagramLimit = datagramLimit;
        transport.enterEventLoopMode();
    }

    /**
     * Handshake thread: the record keys of the handshake that just completed (null: not usable), and
     * whether it resumed a session, and the values bound to that session (null: none kept).
     */
    void keys(RecordKeys derived, boolean resumedSession, java.util.concurrent.ConcurrentMap<String, Object> bound) {
        this.keys = derived;
        this.resumed = resumedSession;
        this.values = bound;
    }

    /** The values bound to the session (null: not a server keeping sessions). */
    java.util.concurrent.ConcurrentMap<String, Object> values() {
        return values;
    }

    /** Whether the handshake resumed an earlier session (read once the handshake thread finished). */
    boolean resumed() {
        return resumed;
    }

    /** The record keys, once; later calls return null. */
    RecordKeys takeKeys() {
        RecordKeys k = keys;
        keys = null;
        return k;
    }

    void gcm(GcmRecords records) {
        this.gcm = records;
        transport.useGcmRecords(records);
    }

    /** The JDK record path, or null while (or when) BouncyCastle's path carries the records. */
    GcmRecords gcm() {
        return gcm;
    }

    DTLSTransport dtls() {
        return dtls;
    }

    /** Plaintext bytes one record carries, once established. */
    int sendLimit() {
        return sendLimit;
    }

    /** Largest plaintext datagram a write may hand over, once established. */
    int datagramLimit() {
        return datagramLimit;
    }

    long recordsSent() {
        return recordsSent;
    }

    void recordSent() {
        recordsSent++;
    }

    void touch(long nowNanos) {
        lastActivityNanos = nowNanos;
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    /** Queues a datagram for after the handshake; false (nothing queued) when full. */
    boolean queue(DatagramPacket packet, ChannelPromise promise) {
        if (pending.size() >= PENDING_CAPACITY) {
            return false;
        }
        pending.add(new Pending(packet, promise));
        return true;
    }

    Pending pollPending() {
        return pending.poll();
    }

    /** Releases every queued datagram and fails its promise with {@code cause}. */
    void releasePending(Throwable cause) {
        Pending p;
        while ((p = pending.poll()) != null) {
            p.packet().release();
            p.promise().tryFailure(cause);
        }
    }
}
