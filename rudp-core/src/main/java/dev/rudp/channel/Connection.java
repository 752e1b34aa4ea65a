package dev.rudp.channel;

import dev.rudp.RudpChannel;
import dev.rudp.RudpErrorCode;
import dev.rudp.RudpStats;
import dev.rudp.reliability.ReliableConnection;
import dev.rudp.wire.TransportParameters;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;

/**
 * The codec's record of one connection: addresses and IDs, handshake progress, the engine once
 * established, the child channel, and the connection's single timer. Touched only on the event loop.
 */
final class Connection implements ReliableConnection.Listener {
    /** Handshake and lifetime as the codec sees them. */
    enum Phase {
        /** Client: INITIAL sent, waiting for ACCEPT. */
        HANDSHAKING,
        /** Engine running. */
        ESTABLISHED,
        /** Removed from the codec. */
        GONE
    }

    final RudpCodec codec;
    final long localId;
    final InetSocketAddress remote;
    long peerId;
    Phase phase;
    ReliableConnection engine;
    RudpChildChannel child;
    TransportParameters peerParams;
    /** The largest datagram we told the peer it may send (our handshake's max datagram size). */
    int receiveLimit;
    /** Client: reset token the server gave in ACCEPT. Server: token for our own id. */
    byte[] resetToken;

    // client handshake
    byte[] retryToken = new byte[0];
    int initialsSent;
    int retriesSeen;
    ConnectDeadline deadline;
    long nextInitialNanos;
    Promise<RudpChannel> connectPromise;
    ChannelHandler childHandler;

    // timer
    ScheduledFuture<?> timer;
    long timerDeadlineNanos = Long.MAX_VALUE;
    boolean dirty;
    /** Several sockets on one address: this connection counts in its socket's claim on the peer address. */
    boolean peerClaimed;

    Connection(RudpCodec codec, long localId, InetSocketAddress remote, Phase phase) {
        this.codec = codec;
        this.localId = localId;
        this.remote = remote;
        this.phase = phase;
    }

    /** The engine's statistics with the socket's counters, which all connections on the codec share. */
    RudpStats stats() {
        return engine.stats(codec.now(), codec.socketReceiveDrops(), codec.socketErrors(), codec.socketReceiveBuffer(),
                codec.socketSendBuffer());
    }

    @Override
    public void onMessage(ByteBuf message, boolean ordered) {
        RudpChildChannel c = child;
        if (c == null) {
            engine.onConsumed(message.readableBytes());
            message.release();
            return;
        }
        c.onMessage(message);
    }

    @Override
    public void onClosed(RudpErrorCode code, String reason, boolean byPeer) {
        codec.onEngineClosed(this, code, reason, byPeer);
    }

    @Override
    public String toString() {
        return "rudp[" + Long.toHexString(localId) + "->" + remote + "]";
    }
}
