package dev.rudp.channel;

import dev.rudp.RudpChannel;
import dev.rudp.dtls.DtlsConfig;
import dev.rudp.wire.Handshake;
import dev.rudp.wire.PacketHeader;
import dev.rudp.wire.TransportParameters;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The handshake as a {@link RudpCodec} runs it: on a server, INITIAL packets (the stateless cookie before
 * any per-peer state, then the connection and its ACCEPT); on a client, the connect, its INITIAL resends
 * with backoff against the connect deadline, and the RETRY and ACCEPT packets that answer them. Its own
 * class because it is the part of the codec that runs before a connection has an engine, and none of it
 * is on the per-packet path of established connections. Event loop only; the codec owns one.
 */
final class Handshakes {
    private static final InternalLogger log = InternalLoggerFactory.getInstance(RudpCodec.class);

    private static final long INITIAL_RESEND_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long MAX_INITIAL_RESEND_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final RudpCodec codec;
    private final CodecSettings settings;
    private final Cookies cookies;
    private final ControlPackets control;
    private final ConnectionTable connections;
    /** The origin of cookie timestamps: this codec's start, or the router's when sockets share an address. */
    private long epochNanos;

    Handshakes(RudpCodec codec, CodecSettings settings, Cookies cookies, ControlPackets control,
            ConnectionTable connections) {
        this.codec = codec;
        this.settings = settings;
        this.cookies = cookies;
        this.control = control;
        this.connections = connections;
    }

    /** When the codec joins its pipeline. */
    void attach(long epochNanos) {
        this.epochNanos = epochNanos;
    }

    /** Server: an INITIAL from a client; answered with a RETRY until the client proves its address. */
    void onInitial(long clientId, ByteBuf buf, InetSocketAddress sender, int size) {
        if (size < control.minInitialPacket()) {
            codec.dropInvalid(sender, "short INITIAL", null);
            return;
        }
        buf.skipBytes(PacketHeader.SIZE);
        byte[] token = Handshake.decodeToken(buf);
        TransportParameters params = token == null ? null : TransportParameters.decode(buf);
        if (params == null) {
            codec.dropInvalid(sender, "INITIAL", null);
            return;
        }
        Connection existing = connections.byClient(clientId);
        if (existing != null && existing.remote.equals(sender)) {
            control.sendAccept(existing); // our ACCEPT was lost
            return;
        }
        // Cookies come back to the codec that issued them, so its monotonic clock is the right one.
        long seconds = TimeUnit.NANOSECONDS.toSeconds(codec.now() - epochNanos);
        // Under DTLS the peer's address was proven by DTLS's own cookie exchange already.
        boolean validated = settings.dtls() != null || token.length > 0 && cookies.verify(token, seconds, sender, clientId);
        if (!validated) {
            control.sendRetry(clientId, sender, cookies.issue(seconds, sender, clientId));
            return;
        }
        if (connections.size() >= settings.maxConnections()) {
            log.debug("refused a connection from {}: {} connections already", sender, connections.size());
            return;
        }
        long serverId = connections.newId();
        Connection c = new Connection(codec, serverId, sender, Connection.Phase.ESTABLISHED);
        c.peerId = clientId;
        c.peerParams = params;
        c.resetToken = cookies.resetToken(serverId);
        codec.announceLimit(c);
        connections.add(c, clientId);
        codec.establish(c, settings.childHandler());
        control.sendAccept(c);
        log.debug("{} accepted", c);
    }

    /** Client: the server asks for its cookie back in a new INITIAL. */
    void onRetry(long clientId, ByteBuf buf, InetSocketAddress sender) {
        Connection c = connections.get(clientId);
        if (c == null || c.phase != Connection.Phase.HANDSHAKING || !sender.equals(c.remote) || c.retriesSeen >= 3) {
            codec.dropInvalid(sender, "RETRY", null);
            return;
        }
        buf.skipBytes(PacketHeader.SIZE);
        byte[] token = Handshake.decodeToken(buf);
        if (token == null || token.length == 0) {
            codec.dropInvalid(sender, "RETRY token", null);
            return;
        }
        c.retriesSeen++;
        c.retryToken = token;
        c.deadline.heard(codec.now());
        control.sendInitial(c);
    }

    /** Client: the server accepted; the connection is established. */
    void onAccept(long clientId, ByteBuf buf, InetSocketAddress sender) {
        Connection c = connections.get(clientId);
        if (c == null || !sender.equals(c.remote)) {
            codec.dropInvalid(sender, "ACCEPT", null);
            return;
        }
        if (c.phase != Connection.Phase.HANDSHAKING) {
            return; // a repeated ACCEPT
        }
        buf.skipBytes(PacketHeader.SIZE);
        if (buf.readableBytes() < 8 + Handshake.RESET_TOKEN_SIZE) {
            codec.dropInvalid(sender, "ACCEPT", null);
            return;
        }
        long serverId = buf.readLong();
        byte[] resetToken = Handshake.decodeResetToken(buf);
        TransportParameters params = TransportParameters.decode(buf);
        if (params == null) {
            codec.dropInvalid(sender, "ACCEPT parameters", null);
            return;
        }
        c.peerId = serverId;
        c.peerParams = params;
        c.resetToken = resetToken;
        c.phase = Connection.Phase.ESTABLISHED;
        codec.establish(c, c.childHandler);
        c.connectPromise.trySuccess(c.child);
        log.debug("{} connected", c);
    }

    /** Client: starts a connection (the codec checked that it may). */
    void connect(InetSocketAddress remote, ChannelHandler handler, long timeoutMillis, Promise<RudpChannel> promise) {
        Connection c = new Connection(codec, connections.newId(), remote, Connection.Phase.HANDSHAKING);
        c.connectPromise = promise;
        c.childHandler = handler;
        long now = codec.now();
        c.deadline = new ConnectDeadline(timeoutMillis, settings.dtls() == null ? 1 : DtlsConfig.HANDSHAKE_CAP_FACTOR, now);
        c.nextInitialNanos = now + INITIAL_RESEND_NANOS;
        codec.announceLimit(c);
        connections.add(c);
        control.sendInitial(c);
        codec.scheduleTimer(c, Math.min(c.nextInitialNanos, c.deadline.nanos()));
    }

    /** Client: the timer of a connection still handshaking; fails it at its deadline, else resends INITIAL. */
    void onTimer(Connection c, long now) {
        if (c.deadline.passed(now)) {
            codec.remove(c);
            c.connectPromise.tryFailure(c.deadline.failure());
            return;
        }
        if (now >= c.nextInitialNanos) {
            control.sendInitial(c);
            long backoff = Math.min(MAX_INITIAL_RESEND_NANOS, INITIAL_RESEND_NANOS << Math.min(c.initialsSent, 8));
            c.nextInitialNanos = now + backoff;
        }
        codec.scheduleTimer(c, Math.min(c.nextInitialNanos, c.deadline.nanos()));
    }
}
