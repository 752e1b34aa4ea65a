package dev.rudp.dtls;

import dev.rudp.dtls.DtlsSession.State;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DTLSRequest;

/**
 * DTLS 1.2 for a Netty datagram channel, beneath the rudp codec: put it in the
 * {@code DatagramChannel}'s pipeline before the codec. One instance per channel (not sharable); sessions
 * are keyed by the peer's {@link InetSocketAddress}.
 *
 * <h2>Contract with the handler after it (the rudp codec)</h2>
 * <ul>
 * <li><b>Reads</b>: one {@link DatagramPacket} per DTLS application-data record, its content the
 *     plaintext, its sender the peer; with {@link #wholeDatagrams()}, one per datagram, its content the
 *     plaintexts of the datagram's application records joined (a datagram with one record that fails is
 *     dropped whole). Handshake traffic, alerts, garbage, replayed and tampered records
 *     never come up; they are dropped and counted in {@link #stats()}.</li>
 * <li><b>Writes</b>: {@link DatagramPacket}s of plaintext addressed to the peer. Each becomes exactly one
 *     record in one datagram, {@link #RECORD_OVERHEAD} (37) bytes longer (with {@link #wholeDatagrams()},
 *     one datagram of as many records as the plaintext needs, {@link #overhead} bytes longer), so the
 *     plaintext must be at most {@link #plaintextLimit()} bytes; a larger one fails its promise with
 *     {@link DtlsException.Reason#RECORD_TOO_LARGE}. A client's first write to an address without a session
 *     starts a handshake; up to 64 datagrams written meanwhile are queued and sent when it completes,
 *     later ones are dropped (their promises succeed, as for a lost datagram: retransmit the plaintext,
 *     never a record, which would be dropped as a replay). A server cannot start a session: a write to a
 *     peer without one fails with {@link DtlsException.Reason#NO_SESSION}. Other messages pass through.</li>
 * <li><b>Events</b> (user events, on the event loop): {@link DtlsHandshakeCompletionEvent} when a handshake
 *     ends, with the {@link DtlsException} on failure (queued datagrams are then released and their
 *     promises failed with it); {@link DtlsSessionClosedEvent} when an established session ends; on a
 *     client, {@link DtlsHandshakeProgressEvent} for each handshake datagram taken from the server.</li>
 * <li><b>Rekeying</b>: DTLS 1.2 has no key update. After {@link DtlsConfig#MAX_RECORDS_PER_KEY} records sent
 *     on one session the handler closes it (close_notify, a DEBUG log line, a
 *     {@link DtlsSessionClosedEvent} with {@link DtlsException.Reason#KEY_LIMIT_REACHED}); on a client the
 *     next write then starts a new handshake. {@link #recordsSent(InetSocketAddress)} shows the count.</li>
 * <li><b>Idle</b>: a session from which no authenticated record arrived for
 *     {@link DtlsConfig#idleTimeoutMillis()} is closed. A layer above that gives up on a peer should call
 *     {@link #closeSession(InetSocketAddress)} so that its next attempt starts a fresh handshake.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * The stateless cookie exchange ({@link CookieVerifier}) and record protection and unprotection
 * ({@link RecordPath}) run on the event loop and never block. The blocking BouncyCastle handshake runs on
 * {@link DtlsConfig#handshakeExecutor()} ({@link HandshakeRunner}, started and ended by {@link HandshakeLifecycle}),
 * fed through a bounded per-peer inbox
 * ({@link PeerTransport}). Before any datagram reaches BouncyCastle, {@link RecordGuard} drops non-DTLS datagrams and epoch-0 handshake fragments
 * declaring more than 32 KiB (bctls 1.84 lacks that bound, CVE-2026-59646).
 *
 * <p>Reference counting: this handler releases every {@link DatagramPacket} it reads or is asked to
 * write; the plaintext packets it fires and the record packets it writes belong to the next handler.
 */
public final class DtlsHandler extends ChannelDuplexHandler {
    /**
     * Bytes a record adds to its plaintext with the AES-GCM suites used here: 13 header + 8 explicit
     * nonce + 16 tag = 37.
     */
    public static final int RECORD_OVERHEAD = 13 + 8 + 16;
    /** Largest UDP payload over IPv4 (65 535 - 20 IP - 8 UDP): the ceiling of a whole datagram. */
    static final int MAX_UDP_PAYLOAD = 65_507;

    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(DtlsHandler.class);

    private final DtlsConfig config;
    private final boolean server;
    private final Map<InetSocketAddress, DtlsSession> sessions = new ConcurrentHashMap<>();
    private final RecordGuard guard = new RecordGuard();
    /**
     * Each received datagram is copied here first (event loop only), so that its records are walked and
     * opened through array reads ({@link dev.rudp.wire.WireReader}) rather than Netty's calls on a slice
     * of a pooled direct buffer. The copy costs nothing new: the cipher needs the record in an array
     * anyway, and now takes it from this one. Nothing keeps it past the read: records go up in arrays of
     * their own, and BouncyCastle and the handshake copy what they keep.
     */
    private final ByteBuf flat = Unpooled.buffer(MAX_UDP_PAYLOAD, MAX_UDP_PAYLOAD);
    private final Counters counters = new Counters();
    private ChannelHandlerContext ctx;
    private CookieVerifier cookies;
    private HandshakeLifecycle handshakes;
    private ScheduledFuture<?> ticker;
    private RecordPath records;
    private boolean wholeDatagrams;

    private DtlsHandler(DtlsConfig config, boolean server) {
        this.config = config;
        this.server = server;
    }

    /** A handler accepting DTLS clients; {@code config} must come from a server factory of {@link DtlsConfig}. */
    public static DtlsHandler server(DtlsConfig config) {
        if (!config.isServer()) {
            throw new IllegalArgumentException("a client DtlsConfig given to DtlsHandler.server");
        }
        return new DtlsHandler(config, true);
    }

    /** A handler connecting to DTLS servers; {@code config} must come from a client factory of {@link DtlsConfig}. */
    public static DtlsHandler client(DtlsConfig config) {
        if (config.isServer()) {
            throw new IllegalArgumentException("a server DtlsConfig given to DtlsHandler.client");
        }
        return new DtlsHandler(config, false);
    }

    /**
     * Sets this handler, before it joins a pipeline, to treat each datagram as one message, for a peer
     * that is a handler in the same mode: a plaintext larger than one record leaves as several records in
     * one datagram (RFC 6347 section 4.1.1 lets a datagram carry several records), and the application
     * records of a received datagram come up joined, as one plaintext. Where datagrams may be larger than a
     * record (loopback's 64 KiB), a datagram then costs the kernel and the layer above a quarter of what
     * 16 KiB records in datagrams of their own do. Off by default: each record is a message, as OpenSSL and
     * other DTLS peers expect. The rudp codec sets it, and sends datagrams larger than one record only to
     * peers that announced they read them this way.
     *
     * @return this handler
     * @throws IllegalStateException when the handler is already in a pipeline
     */
    public DtlsHandler wholeDatagrams() {
        if (ctx != null) {
            throw new IllegalStateException("wholeDatagrams() must be set before the handler joins a pipeline");
        }
        wholeDatagrams = true;
        return this;
    }

    /** Bytes a record adds to a plaintext datagram: {@value #RECORD_OVERHEAD}. */
    public static int recordOverhead() {
        return RECORD_OVERHEAD;
    }

    /**
     * Bytes the records add to a plaintext of {@code length} sent whole ({@link #wholeDatagrams()}):
     * {@value #RECORD_OVERHEAD} per record of at most {@code recordPlaintext} bytes, at least one record.
     */
    public static int overhead(int length, int recordPlaintext) {
        return Math.max(1, (length + recordPlaintext - 1) / recordPlaintext) * RECORD_OVERHEAD;
    }

    /**
     * Largest plaintext datagram: what one record carries, {@link DtlsConfig#maxRecordPlaintext()} (default
     * 16 384), or with {@link #wholeDatagrams()} what fits a UDP datagram in as many records as it takes.
     */
    public int plaintextLimit() {
        return wholeDatagrams ? wholeLimit(config.maxRecordPlaintext()) : config.maxRecordPlaintext();
    }

    /**
     * Largest plaintext datagram for a session whose records carry {@code recordLimit} bytes; fixed when
     * its handshake completes ({@link DtlsSession#datagramLimit()}).
     */
    int datagramLimit(int recordLimit) {
        return wholeDatagrams ? wholeLimit(recordLimit) : recordLimit;
    }

    /** Largest plaintext that fits one UDP datagram with its records' overhead. */
    private static int wholeLimit(int recordPlaintext) {
        int length = MAX_UDP_PAYLOAD - overhead(MAX_UDP_PAYLOAD, recordPlaintext);
        while (length + overhead(length + 1, recordPlaintext) < MAX_UDP_PAYLOAD) {
            length++;
        }
        return length;
    }

    /** Counters since this handler was created; callable from any thread. */
    public DtlsStats stats() {
        return counters.snapshot(sessions.size(), cookies == null ? 0 : cookies.helloVerifyRequestsSent());
    }

    /** Application records sent on the current session with {@code peer}, or -1 without an established one. */
    public long recordsSent(InetSocketAddress peer) {
        DtlsSession s = sessions.get(peer);
        return s == null || s.state() != State.ESTABLISHED ? -1 : s.recordsSent();
    }

    /** Whether a session with {@code peer} is established. Callable from any thread. */
    public boolean isEstablished(InetSocketAddress peer) {
        DtlsSession s = sessions.get(peer);
        return s != null && s.state() == State.ESTABLISHED;
    }

    /**
     * A server's application values bound to the DTLS session established with {@code peer}, shared
     * with every later connection that resumes that session, as JSSE's {@code SSLSession.putValue}: say,
     * who logged in on it. Null without an established session, on a client, or on a server that keeps
     * no sessions ({@link DtlsConfig.Builder#resumableSessions}). The values go when the session can no
     * longer be resumed (expired, or dropped from the cache); whatever they grant must still be checked
     * when used. Callable from any thread.
     */
    public java.util.concurrent.ConcurrentMap<String, Object> sessionValues(InetSocketAddress peer) {
        DtlsSession s = sessions.get(peer);
        return s == null || s.state() != State.ESTABLISHED ? null : s.values();
    }

    /** Whether a session with {@code peer} exists, handshaking or established. Callable from any thread. */
    public boolean hasSession(InetSocketAddress peer) {
        return sessions.containsKey(peer);
    }

    /**
     * Closes the session with {@code peer}, if any: an established one with a close_notify (then a
     * {@link DtlsSessionClosedEvent}), a handshaking one by aborting it (then a failed
     * {@link DtlsHandshakeCompletionEvent}). Runs on the event loop; callable from any thread.
     */
    public void closeSession(InetSocketAddress peer) {
        if (ctx == null) {
            return;
        }
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(() -> closeSession(peer));
            return;
        }
        DtlsSession s = sessions.get(peer);
        if (s == null) {
            return;
        }
        DtlsException why = DtlsException.closed(peer, "closed by this side");
        if (s.state() == State.HANDSHAKING) {
            handshakes.fail(s, why);
        } else {
            endSession(s, why, true);
        }
        flushIfNeeded();
    }

    // ---- lifecycle ---------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.records = new RecordPath(ctx, config.maxRecordPlaintext(), wholeDatagrams);
        int largestRecord = wholeDatagrams ? MAX_UDP_PAYLOAD : config.maxRecordPlaintext() + RECORD_OVERHEAD;
        RecvByteBufAllocator reads = ctx.channel().config().getRecvByteBufAllocator();
        if (reads.newHandle().guess() < largestRecord) {
            // Netty's datagram default reads 2048 bytes: a larger record would arrive cut short.
            ctx.channel().config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(largestRecord));
        }
        if (ctx.channel().isRegistered()) {
            start();
        }
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelRegistered();
    }

    /** Once the channel is registered: the cookie verifier, the handshakes' lifecycle and the idle ticker. */
    private void start() {
        if (ticker != null) {
            return;
        }
        if (server) {
            cookies = new CookieVerifier(config.tlsCrypto(), config.handshakeDatagramPlaintext() + RECORD_OVERHEAD,
                    records::write, System.nanoTime());
        }
        handshakes = new HandshakeLifecycle(this, config, server, sessions, counters, ctx, records);
        long period = Math.max(10, Math.min(config.idleTimeoutMillis() / 4, 10_000));
        ticker = ctx.executor().scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        closeAll(true);
        ctx.flush();
        ctx.close(promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeAll(false);
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        closeAll(false);
        records.release();
    }

    /** Ends every session: established ones with a close_notify when {@code notify}, handshakes as failed. */
    private void closeAll(boolean notify) {
        if (ticker != null) {
            ticker.cancel(false);
        }
        for (DtlsSession s : new ArrayList<>(sessions.values())) {
            DtlsException why = DtlsException.closed(s.peer, "channel closed");
            if (s.state() == State.HANDSHAKING) {
                handshakes.fail(s, why);
            } else {
                closeQuietly(s, notify);
                s.transitionTo(State.CLOSED);
                sessions.remove(s.peer, s);
            }
        }
    }

    /** Periodic, on the event loop: evicts idle sessions and rotates the cookie secret. */
    private void tick() {
        long now = System.nanoTime();
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMillis());
        for (DtlsSession s : new ArrayList<>(sessions.values())) {
            if (s.state() == State.ESTABLISHED && now - s.lastActivityNanos() >= idleNanos) {
                LOG.debug("DTLS session with {} idle for {} ms: closing", s.peer, config.idleTimeoutMillis());
                endSession(s, DtlsException.idle(s.peer, config.idleTimeoutMillis()), true);
            }
        }
        if (cookies != null) {
            cookies.rotateIfDue(now);
        }
        flushIfNeeded();
    }

    // ---- inbound -----------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            ctx.fireChannelRead(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            read(packet.content(), packet.sender(), packet.recipient());
        } finally {
            packet.release();
        }
    }

    private void read(ByteBuf received, InetSocketAddress sender, InetSocketAddress recipient) {
        ByteBuf content = flatten(received);
        switch (guard.scan(content)) {
            case GARBAGE:
                counters.droppedGarbage++;
                LOG.debug("dropped a non-DTLS datagram of {} bytes from {}", content.readableBytes(), sender);
                return;
            case TOO_LONG_FRAGMENT:
                counters.droppedTooLongFragment++;
                LOG.debug("dropped a handshake fragment declaring over {} bytes from {}",
                        RecordGuard.MAX_HANDSHAKE_MESSAGE, sender);
                return;
            default:
                break;
        }
        DtlsSession s = sessions.get(sender);
        boolean newHello = server && guard.isClientHello() && (s == null || s.state() == State.ESTABLISHED);
        if (newHello) {
            acceptClientHello(content, sender, s);
        } else if (s == null) {
            counters.droppedUnknownPeer++;
        } else if (s.state() == State.HANDSHAKING) {
            if (!s.transport.offer(ByteBufUtil.getBytes(content))) {
                counters.droppedQueueFull++;
                return;
            }
            handshakes.progressed(s); // the peer is answering: its silence counts from here
        } else {
            readRecords(s, content, guard.applicationRecords(), guard.records() == 1, recipient);
        }
    }

    /** {@code received}'s readable bytes in {@link #flat}, or {@code received} itself when it has an array already. */
    private ByteBuf flatten(ByteBuf received) {
        int n = received.readableBytes();
        if (received.hasArray() || n > flat.capacity()) {
            return received;
        }
        received.getBytes(received.readerIndex(), flat.array(), flat.arrayOffset(), n);
        return flat.setIndex(0, n);
    }

    /** Server: a ClientHello from a peer without a session (or restarting one) goes through the cookie check. */
    private void acceptClientHello(ByteBuf content, InetSocketAddress sender, DtlsSession existing) {
        byte[] random = CookieVerifier.clientRandom(content);
        if (existing != null && Arrays.equals(random, existing.clientRandom())) {
            LOG.debug("ignored a late copy of the ClientHello that started the session with {}", sender);
            return;
        }
        DTLSRequest request = cookies.verify(content, sender);
        if (request == null) {
            return; // answered with a HelloVerifyRequest, or not a well-formed ClientHello
        }
        if (handshakes.running() >= config.maxConcurrentHandshakes()) {
            counters.droppedQueueFull++;
            LOG.debug("dropped a ClientHello from {}: {} handshakes running", sender, handshakes.running());
            return;
        }
        if (existing != null) {
            endSession(existing, DtlsException.closedByPeer(sender, null), false);
        }
        handshakes.startServer(sender, random, request);
    }

    /** Established: unprotects the datagram's records (and any left from the handshake) and fires them. */
    void readRecords(DtlsSession s, ByteBuf content, int applicationRecords, boolean oneRecord,
            InetSocketAddress recipient) {
        int delivered = 0;
        try {
            delivered = records.unprotect(s, content, oneRecord, recipient);
        } catch (IOException e) {
            LOG.debug("DTLS session with {} failed: {}", s.peer, e.toString());
            endSession(s, DtlsException.closedByPeer(s.peer, e), false);
        }
        if (applicationRecords > delivered) {
            counters.droppedReplayOrTampered += applicationRecords - delivered;
        }
        if (s.state() == State.ESTABLISHED && s.transport.isClosed()) {
            LOG.debug("DTLS session with {} closed by the peer", s.peer);
            endSession(s, DtlsException.closedByPeer(s.peer, null), false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushIfNeeded();
        ctx.fireChannelReadComplete();
    }

    // ---- outbound ----------------------------------------------------------------------------------

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof DatagramPacket)) {
            ctx.write(msg, promise);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        InetSocketAddress to = packet.recipient();
        DtlsSession s = sessions.get(to);
        if (s != null && s.state() == State.ESTABLISHED && s.recordsSent() >= config.maxRecordsPerKey()) {
            LOG.debug("DTLS session with {} sent {} records on one key: closing it so that a new handshake rekeys",
                    to, s.recordsSent());
            endSession(s, DtlsException.keyLimitReached(to, s.recordsSent()), true);
            s = null;
        }
        if (s == null) {
            if (server) {
                packet.release();
                promise.tryFailure(DtlsException.noSession(to));
                return;
            }
            s = handshakes.startClient(to);
            if (s == null) {
                packet.release();
                promise.tryFailure(DtlsException.tooManyHandshakes(to, config.maxConcurrentHandshakes()));
                return;
            }
        }
        if (s.state() == State.HANDSHAKING) {
            if (!s.queue(packet, promise)) {
                counters.droppedQueueFull++;
                packet.release();
                promise.trySuccess();
            }
            return;
        }
        protect(s, packet, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        records.flushed();
        ctx.flush();
    }

    /** Sends one plaintext datagram as one record; releases it. */
    void protect(DtlsSession s, DatagramPacket packet, ChannelPromise promise) {
        try {
            int len = packet.content().readableBytes();
            int limit = s.datagramLimit();
            if (len > limit) {
                promise.tryFailure(DtlsException.recordTooLarge(len, limit));
                return;
            }
            records.protect(s, packet.content(), promise);
        } catch (IOException e) {
            LOG.debug("DTLS session with {} failed to send: {}", s.peer, e.toString());
            promise.tryFailure(e);
            endSession(s, DtlsException.closed(s.peer, "send failed: " + e), false);
        } finally {
            packet.release();
        }
    }

    void flushIfNeeded() {
        records.flushIfNeeded();
    }

    /** Whether the session with {@code peer} seals and opens its application records with the JDK (tests). */
    boolean usesJdkRecords(InetSocketAddress peer) {
        DtlsSession s = sessions.get(peer);
        return s != null && s.gcm() != null;
    }

    // ---- session ends (a handshake's start and end: HandshakeLifecycle) ----------------------------

    /** Ends an established session, with a close_notify when {@code notify}, and fires the closed event. */
    private void endSession(DtlsSession s, DtlsException why, boolean notify) {
        if (s.state() != State.ESTABLISHED) {
            return;
        }
        closeQuietly(s, notify);
        s.transitionTo(State.CLOSED);
        sessions.remove(s.peer, s);
        ctx.fireUserEventTriggered(new DtlsSessionClosedEvent(s.peer, why));
    }

    private static void closeQuietly(DtlsSession s, boolean notify) {
        if (notify && !s.transport.isClosed() && s.dtls() != null) {
            try {
                s.dtls().close(); // sends close_notify through the transport, then closes it
            } catch (IOException | RuntimeException e) {
                LOG.debug("close_notify to {} failed: {}", s.peer, e.toString());
            }
        }
        s.transport.abort();
    }
}
