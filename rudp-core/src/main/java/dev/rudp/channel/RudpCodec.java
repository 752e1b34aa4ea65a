package dev.rudp.channel;

import dev.rudp.RudpChannel;
import dev.rudp.RudpErrorCode;
import dev.rudp.RudpException;
import dev.rudp.dtls.DtlsException;
import dev.rudp.dtls.DtlsHandshakeCompletionEvent;
import dev.rudp.dtls.DtlsHandshakeProgressEvent;
import dev.rudp.reliability.EngineConfig;
import dev.rudp.reliability.ReliableConnection;
import dev.rudp.wire.Handshake;
import dev.rudp.wire.PacketHeader;
import dev.rudp.wire.PacketType;
import dev.rudp.wire.TransportParameters;
import dev.rudp.wire.WireReader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The rudp codec on a datagram channel: validates every datagram, runs the handshake ({@link Handshakes}:
 * stateless cookie before any per-peer state), routes packets to connections by connection ID, drives each
 * connection's timer and sends its packets in batches (many writes, one flush). Bad datagrams are
 * dropped and counted, never thrown and never logged above DEBUG.
 *
 * <p>Internal: build one with {@code RudpServerCodecBuilder} or {@code RudpClientCodecBuilder}.
 * One instance serves one datagram channel; connections share that channel's event loop.
 */
public final class RudpCodec extends ChannelDuplexHandler {
    private static final InternalLogger log = InternalLoggerFactory.getInstance(RudpCodec.class);
    private static final InternalLogger trace = InternalLoggerFactory.getInstance("dev.rudp.trace");

    /**
     * Packets one connection sends per flush before it yields to the event loop's I/O (reading
     * acknowledgements). The pacer usually stops a burst well before this.
     */
    private static final int PACKETS_PER_TURN = 256;

    private final CodecSettings settings;
    private final SecureRandom random = new SecureRandom();
    private final Cookies cookies;
    private final ControlPackets control;
    private final Handshakes handshakes;
    private final InterfaceMtu interfaceMtu = new InterfaceMtu();
    private ReadSizing reads;
    private ModeratedReads moderation;
    private SocketBuffers buffers;
    private final ConnectionTable connections;
    private final RoutedSocket routes;
    private final ArrayList<Connection> dirty = new ArrayList<>();
    private ChannelHandlerContext ctx;
    private PacketWriter writer;
    private boolean inRead;

    private long invalidDatagrams;
    private long socketErrors;
    private final SocketDrops socketDrops = new SocketDrops();
    /** The cursor each received DATA packet's frames are decoded through (event loop only). */
    private final WireReader reader = new WireReader();

    private RudpCodec(CodecSettings settings, RoutedSocket routes) {
        this.settings = settings;
        this.routes = routes;
        this.connections = new ConnectionTable(routes);
        this.cookies = routes == null ? new Cookies(random, settings.resetKey()) : routes.router().newCookies();
        this.control = new ControlPackets(settings);
        this.handshakes = new Handshakes(this, settings, cookies, control, connections);
    }

    /** Internal factory used by the public builders: the codec of a socket alone on its address. */
    public static RudpCodec create(CodecSettings settings) {
        return new RudpCodec(settings, null);
    }

    /** A codec of one of several sockets on one address, routed by {@code routes}. */
    static RudpCodec create(CodecSettings settings, RoutedSocket routes) {
        return new RudpCodec(settings, routes);
    }

    /** Datagrams dropped as malformed, corrupt or unexpected. */
    public long invalidDatagrams() {
        return invalidDatagrams;
    }

    /**
     * Datagrams the kernel dropped at this codec's socket before they were read (receive buffer full),
     * since the socket opened; -1 where that is unknown (not Linux, no {@code /proc}). Read on demand,
     * at most every 200 ms. Event loop only.
     */
    public long socketReceiveDrops() {
        return socketDrops.drops(ctx.channel(), now());
    }

    /** Reads asked for while reads were paused ({@link ReadModeration}); for tests. Event loop only. */
    long moderatedReads() {
        return moderation.moderatedReads();
    }

    /** I/O errors the datagram channel reported (mostly refused sends), since it opened. */
    public long socketErrors() {
        return socketErrors;
    }

    /** Connections currently known to this codec (handshaking, open or closing). */
    public int connectionCount() {
        return connections.size();
    }

    long now() {
        return ctx.executor().ticker().nanoTime();
    }

    // ---- channel events ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.control.attach(ctx);
        handshakes.attach(routes == null ? now() : routes.router().epochNanos()); // cookies cross sockets
        this.buffers = new SocketBuffers(ctx.channel(), settings.server());
        ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(1 << 20, 2 << 20));
        boolean offload = settings.offload() && Gso.available(ctx.channel());
        if (offload) {
            // GRO: one read takes a run the kernel coalesced (up to 64 KiB); Netty splits it back
            // into datagrams before the pipeline sees them.
            ctx.channel().config().setOption(EpollChannelOption.UDP_GRO, true);
        }
        this.reads = new ReadSizing(ctx.channel(), offload ? Gso.MAX_COALESCED_BYTES : 0, routes);
        this.moderation = new ModeratedReads(ctx, reads, connections::smallestMinRtt,
                TimeUnit.MILLISECONDS.toNanos(settings.maxAckDelayMillis()));
        // GSO sends runs of equal datagrams; under DTLS each datagram is its own record, so never there.
        this.writer = new PacketWriter(ctx, control, settings, offload && settings.dtls() == null);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            ctx.fireChannelRead(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        inRead = true;
        moderation.onDatagram();
        try {
            onDatagram(packet.content(), packet.sender());
        } catch (RuntimeException e) {
            // A bug must not kill the endpoint; the datagram is dropped.
            invalidDatagrams++;
            log.debug("dropped a datagram from {} after an internal error", packet.sender(), e);
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        long nextTimer = flushDirty();
        moderation.onReadComplete(now(), nextTimer);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            for (Connection c : connections.snapshot()) {
                if (c.phase == Connection.Phase.ESTABLISHED) {
                    flush(c);
                }
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof DtlsHandshakeCompletionEvent && !((DtlsHandshakeCompletionEvent) evt).isSuccess()) {
            // Fail the connects waiting on that peer with the precise reason (wrong key, changed
            // fingerprint, timeout) instead of letting them run into a bare connect timeout.
            DtlsHandshakeCompletionEvent e = (DtlsHandshakeCompletionEvent) evt;
            for (Connection c : connections.handshaking(e.peer())) {
                remove(c);
                c.connectPromise.tryFailure(RudpException.handshakeFailed(e.cause()));
            }
        } else if (evt instanceof DtlsHandshakeCompletionEvent || evt instanceof DtlsHandshakeProgressEvent) {
            InetSocketAddress peer = evt instanceof DtlsHandshakeProgressEvent ? ((DtlsHandshakeProgressEvent) evt).peer()
                    : ((DtlsHandshakeCompletionEvent) evt).peer();
            connections.heardDuringHandshake(peer, now());
        }
        // Other events, including DtlsSessionClosedEvent, need nothing: a client's next packet to that
        // peer starts a new DTLS session (that is how keys are renewed), and rudp retransmits what was
        // lost meanwhile; a peer that is really gone runs into the idle timeout.
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DtlsException) {
            // A datagram the DTLS layer could not send (no session yet or any more): as good as lost.
            log.debug("datagram not sent: {}", cause.getMessage());
            return;
        }
        if (cause instanceof java.io.IOException) {
            socketErrors++; // a failed send, reported through the void promise, or a failed receive
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        // Tell every peer before the socket goes, so they end at once instead of at their idle timeout.
        long now = now();
        for (Connection c : connections.snapshot()) {
            if (c.phase == Connection.Phase.ESTABLISHED) {
                c.engine.close(RudpErrorCode.ENDPOINT_CLOSED, "the peer's endpoint closed", now);
                flush(c);
            }
        }
        ctx.close(promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        closeAll();
    }

    private void closeAll() {
        if (moderation != null) {
            moderation.stop();
        }
        long now = now();
        for (Connection c : connections.snapshot()) {
            if (c.phase == Connection.Phase.ESTABLISHED) {
                c.engine.abort(RudpErrorCode.ENDPOINT_CLOSED, "datagram channel closed", now);
            } else if (c.phase == Connection.Phase.HANDSHAKING) {
                c.connectPromise.tryFailure(RudpException.closed(RudpErrorCode.ENDPOINT_CLOSED, "datagram channel closed"));
            }
            remove(c);
        }
    }

    // ---- inbound datagrams ----

    private void onDatagram(ByteBuf buf, InetSocketAddress sender) {
        int size = buf.readableBytes();
        if (!control.open(buf)) {
            dropInvalid(sender, "checksum", buf);
            return;
        }
        PacketType type = PacketHeader.peekType(buf);
        if (type == null) {
            dropInvalid(sender, "header", null);
            return;
        }
        long dcid = PacketHeader.peekDestinationId(buf);
        switch (type) {
            case DATA:
                onData(dcid, buf, sender, size);
                break;
            case INITIAL:
                if (settings.server()) {
                    handshakes.onInitial(dcid, buf, sender, size);
                } else {
                    dropInvalid(sender, "INITIAL at a client", null);
                }
                break;
            case RETRY:
            case ACCEPT:
            case RESET:
                if (settings.server()) {
                    dropInvalid(sender, type + " at a server", null);
                } else if (type == PacketType.RETRY) {
                    handshakes.onRetry(dcid, buf, sender);
                } else if (type == PacketType.ACCEPT) {
                    handshakes.onAccept(dcid, buf, sender);
                } else {
                    onReset(dcid, buf, sender);
                }
                break;
            default:
                dropInvalid(sender, "type", null);
        }
    }

    void dropInvalid(InetSocketAddress sender, String why, ByteBuf buf) {
        invalidDatagrams++;
        if (buf != null && buf.readableBytes() >= PacketHeader.SIZE && PacketHeader.peekType(buf) == PacketType.DATA) {
            Connection c = connections.get(PacketHeader.peekDestinationId(buf));
            if (c != null && c.engine != null && sender.equals(c.remote)) {
                c.engine.onInvalidPacket();
            }
        }
        if (log.isDebugEnabled()) {
            log.debug("dropped a datagram from {}: bad {}", sender, why);
        }
    }

    private void onData(long dcid, ByteBuf buf, InetSocketAddress sender, int size) {
        Connection c = connections.get(dcid);
        if (c == null) {
            if (settings.server()) {
                control.maybeSendReset(dcid, cookies::resetToken, sender, size, now());
            }
            invalidDatagrams++;
            return;
        }
        if (c.phase != Connection.Phase.ESTABLISHED || !sender.equals(c.remote)
                || buf.readableBytes() < PacketHeader.DATA_HEADER_SIZE + 1) {
            dropInvalid(sender, "DATA for " + c, null);
            return;
        }
        WireReader frames = reader.reset(buf);
        frames.skipBytes(PacketHeader.SIZE);
        long pn = frames.readBigEndian(8);
        if (settings.trace() && trace.isDebugEnabled()) {
            trace.debug("{} recv pn={} size={}", c, pn, size);
        }
        c.engine.onPacket(pn, frames, size, now());
        markDirty(c);
    }

    private void onReset(long unknownId, ByteBuf buf, InetSocketAddress sender) {
        buf.skipBytes(PacketHeader.SIZE);
        byte[] token = Handshake.decodeResetToken(buf);
        if (token == null) {
            dropInvalid(sender, "RESET", null);
            return;
        }
        for (Connection c : connections.snapshot()) {
            if (c.phase == Connection.Phase.ESTABLISHED && c.peerId == unknownId && c.remote.equals(sender)
                    && MessageDigest.isEqual(token, c.resetToken)) {
                log.debug("{} reset by peer", c);
                c.engine.abort(RudpErrorCode.RESET, "the peer has no such connection", now());
                return;
            }
        }
        dropInvalid(sender, "RESET token", null);
    }

    // ---- connections ----

    /** Starts a client connection; runs on the event loop. */
    public void connect(InetSocketAddress remote, ChannelHandler handler, long timeoutMillis,
            Promise<RudpChannel> promise) {
        if (settings.server()) {
            promise.setFailure(new IllegalStateException("a server codec cannot open connections"));
            return;
        }
        if (ctx == null || !ctx.channel().isActive()) {
            promise.setFailure(RudpException.closed(RudpErrorCode.ENDPOINT_CLOSED, "datagram channel not active"));
            return;
        }
        handshakes.connect(remote, handler, timeoutMillis, promise);
    }

    /**
     * Fixes the largest datagram {@code c}'s peer may send us, before the handshake packet that
     * announces it goes out: our own limit, within what the interface toward the peer carries.
     */
    void announceLimit(Connection c) {
        // Never below the floor every path carries: the peer would refuse the parameters.
        c.receiveLimit = Math.max(Handshake.MIN_DATAGRAM_SIZE,
                Math.min(settings.maxDatagramSize(), interfaceMtu.payloadLimit(c.remote, now())));
        reads.add(c.receiveLimit);
        moderation.onConnectionsChanged();
    }

    void establish(Connection c, ChannelHandler handler) {
        TransportParameters peer = c.peerParams;
        int ceiling = control.packetCeiling(peer, c.receiveLimit);
        long idle = settings.idleTimeoutMillis();
        if (peer.idleTimeoutMillis() > 0) {
            idle = idle == 0 ? peer.idleTimeoutMillis() : Math.min(idle, peer.idleTimeoutMillis());
        }
        EngineConfig config = new EngineConfig(ceiling, TimeUnit.MILLISECONDS.toNanos(settings.maxAckDelayMillis()),
                TimeUnit.MILLISECONDS.toNanos(settings.initialRttMillis()), TimeUnit.MILLISECONDS.toNanos(idle),
                TimeUnit.MILLISECONDS.toNanos(Math.min(settings.keepaliveMillis(), idle > 0 ? idle / 2 : Long.MAX_VALUE)),
                settings.initialWindow(), settings.maxWindow(), settings.maxMessageSize(), 65_536,
                peer.initialMaxData(), peer.maxMessageSize(), Math.min(control.packetBase(), ceiling));
        c.engine = new ReliableConnection(config, settings.congestionControl().create(config.baseDatagramSize()),
                ctx.alloc(), c, now());
        if (peer.ackFrequency()) {
            c.engine.peerAppliesAckFrequency();
        }
        RudpChildChannel child = new RudpChildChannel(ctx.channel(), c, settings);
        c.child = child;
        if (!child.config().setOptions(settings.childOptions())) {
            log.warn("unknown child option among {}", settings.childOptions().keySet());
        }
        if (handler != null) {
            child.pipeline().addLast(handler);
        }
        ctx.channel().eventLoop().register(child).addListener(f -> {
            if (!f.isSuccess()) {
                log.warn("could not register {}", c, f.cause());
                c.engine.abort(RudpErrorCode.INTERNAL_ERROR, "child registration failed", now());
            }
        });
        updateTimer(c);
    }

    void onChildClosed(Connection c) {
        if (c.phase == Connection.Phase.ESTABLISHED && c.engine.state() == ReliableConnection.State.OPEN) {
            c.engine.close(RudpErrorCode.NO_ERROR, "", now());
            requestFlush(c);
        }
    }

    void onEngineClosed(Connection c, RudpErrorCode code, String reason, boolean byPeer) {
        if (code != RudpErrorCode.NO_ERROR) {
            log.debug("{} closed: {} {} (by {})", c, code, reason, byPeer ? "peer" : "us");
        }
        if (c.child != null) {
            c.child.closeFromTransport(code);
        }
        markDirty(c); // flush(): removes it once the engine is CLOSED, after a last CLOSE went out
    }

    void remove(Connection c) {
        if (c.phase == Connection.Phase.GONE) {
            return;
        }
        c.phase = Connection.Phase.GONE;
        connections.remove(c);
        reads.remove(c.receiveLimit);
        moderation.onConnectionsChanged();
        if (c.timer != null) {
            c.timer.cancel(false);
            c.timer = null;
        }
        if (c.child != null) {
            c.child.closeFromTransport(RudpErrorCode.ENDPOINT_CLOSED);
        }
    }

    // ---- sending and timers ----

    /** A connection has something to send: now, or at the end of the current read batch. */
    void requestFlush(Connection c) {
        if (inRead) {
            markDirty(c);
        } else {
            flush(c);
        }
    }

    private void markDirty(Connection c) {
        if (!c.dirty) {
            c.dirty = true;
            dirty.add(c);
        }
    }

    /** Ends a read batch: ACKs and data of every connection that took part; returns their earliest timer. */
    private long flushDirty() {
        long now = now();
        long nextTimer = Long.MAX_VALUE;
        if (buffers.reviewDue(now)) {
            connections.reviewBuffers(buffers, now);
        }
        for (int i = 0; i < dirty.size(); i++) {
            Connection c = dirty.get(i);
            c.dirty = false;
            if (c.phase == Connection.Phase.ESTABLISHED) {
                c.engine.onReadBatchEnd();
            }
            if (c.child != null) {
                c.child.fireReadComplete();
            }
            flush(c);
            if (c.timer != null) {
                nextTimer = Math.min(nextTimer, c.timerDeadlineNanos);
            }
        }
        dirty.clear();
        return nextTimer;
    }

    /** The socket's receive and send buffers as the kernel granted them (Linux reports twice the size). */
    int socketReceiveBuffer() {
        return buffers.receiveGranted();
    }

    int socketSendBuffer() {
        return buffers.sendGranted();
    }

    private void flush(Connection c) {
        if (c.phase != Connection.Phase.ESTABLISHED) {
            return;
        }
        ReliableConnection engine = c.engine;
        long now = now();
        int sent = writer.write(c, PACKETS_PER_TURN, now);
        boolean more = sent >= PACKETS_PER_TURN;
        if (sent > 0) {
            ctx.flush();
        }
        if (!ctx.channel().isWritable()) {
            engine.onSocketBlocked(now);
        }
        if (engine.state() == ReliableConnection.State.CLOSED) {
            remove(c);
            return;
        }
        if (c.child != null) {
            c.child.updateWritability();
        }
        if (more) {
            // Continue from the timer, not from a task: Netty runs tasks for up to a second
            // before polling I/O again, and acknowledgements must keep flowing in.
            scheduleTimer(c, now);
        }
        updateTimer(c);
    }

    private void updateTimer(Connection c) {
        if (c.phase == Connection.Phase.ESTABLISHED) {
            long deadline = c.engine.nextTimeout();
            if (deadline != Long.MAX_VALUE) {
                scheduleTimer(c, deadline);
            }
        }
    }

    /** Makes sure the connection's timer fires no later than {@code deadline}. */
    void scheduleTimer(Connection c, long deadline) {
        if (c.timer != null && c.timerDeadlineNanos <= deadline) {
            return; // fires early enough; it re-arms itself for the rest
        }
        if (c.timer != null) {
            c.timer.cancel(false);
        }
        c.timerDeadlineNanos = deadline;
        long delay = Math.max(0, deadline - now());
        c.timer = ctx.executor().schedule(() -> onTimer(c), delay, TimeUnit.NANOSECONDS);
    }

    private void onTimer(Connection c) {
        c.timer = null;
        c.timerDeadlineNanos = Long.MAX_VALUE;
        long now = now();
        moderation.onTimerWake(now);
        if (c.phase == Connection.Phase.HANDSHAKING) {
            handshakes.onTimer(c, now);
            return;
        }
        if (c.phase != Connection.Phase.ESTABLISHED) {
            return;
        }
        c.engine.onTimeout(now);
        flush(c);
    }
}
