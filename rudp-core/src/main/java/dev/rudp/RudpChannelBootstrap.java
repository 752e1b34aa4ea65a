package dev.rudp;

import dev.rudp.channel.RudpCodec;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Opens a client connection over a datagram channel that carries a codec from
 * {@link RudpClientCodecBuilder}:
 *
 * <pre>{@code
 * RudpChannel conn = RudpChannel.newBootstrap(datagramChannel)
 *         .handler(myHandler)
 *         .remoteAddress(new InetSocketAddress("127.0.0.1", 7777))
 *         .connect().get();
 * }</pre>
 */
public final class RudpChannelBootstrap {
    private final Channel datagramChannel;
    private ChannelHandler handler;
    private InetSocketAddress remote;
    private long connectTimeoutMillis = 10_000;

    RudpChannelBootstrap(Channel datagramChannel) {
        this.datagramChannel = Objects.requireNonNull(datagramChannel, "datagramChannel");
    }

    /** The handler added to the connection's pipeline. */
    public RudpChannelBootstrap handler(ChannelHandler handler) {
        this.handler = handler;
        return this;
    }

    public RudpChannelBootstrap remoteAddress(InetSocketAddress remote) {
        this.remote = Objects.requireNonNull(remote, "remote");
        return this;
    }

    /** How long to wait for the server before failing with {@link RudpErrorCode#CONNECT_TIMEOUT}; default 10 s. */
    public RudpChannelBootstrap connectTimeoutMillis(long millis) {
        if (millis <= 0) {
            throw new IllegalArgumentException("connect timeout must be positive");
        }
        this.connectTimeoutMillis = millis;
        return this;
    }

    /** Starts the handshake; the future completes with the active connection or a {@link RudpException}. */
    public Future<RudpChannel> connect() {
        if (remote == null) {
            throw new IllegalStateException("remoteAddress(...) is required");
        }
        RudpCodec codec = datagramChannel.pipeline().get(RudpCodec.class);
        if (codec == null) {
            throw new IllegalStateException("the datagram channel has no rudp client codec in its pipeline");
        }
        Promise<RudpChannel> promise = datagramChannel.eventLoop().newPromise();
        datagramChannel.eventLoop().execute(() -> codec.connect(remote, handler, connectTimeoutMillis, promise));
        return promise;
    }
}
