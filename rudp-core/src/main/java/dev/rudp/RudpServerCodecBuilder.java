package dev.rudp;

import dev.rudp.channel.LoopRouter;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Builds the server side: a handler for a bound datagram channel that accepts connections and
 * gives each a child {@link RudpChannel} initialised by {@link #handler}.
 *
 * <pre>{@code
 * ChannelHandler codec = new RudpServerCodecBuilder()
 *         .option(RudpChannelOption.IDLE_TIMEOUT_MILLIS, 10_000L)
 *         .handler(new ChannelInitializer<RudpChannel>() { ... })
 *         .build();
 * new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec).bind(7777);
 * }</pre>
 *
 * Each built handler serves one datagram channel. {@link #bind} binds the sockets itself, and with
 * {@link #loops(int)} serves one address from several event loops.
 */
public final class RudpServerCodecBuilder extends RudpCodecBuilder<RudpServerCodecBuilder> {
    private ChannelHandler childHandler;
    private int loops = 1;

    /** The handler added to every new connection's pipeline (usually a {@code ChannelInitializer}). Required. */
    public RudpServerCodecBuilder handler(ChannelHandler childHandler) {
        this.childHandler = Objects.requireNonNull(childHandler, "childHandler");
        return this;
    }

    /**
     * The secret behind stateless reset tokens (at least 32 bytes). A server that keeps the same key
     * across restarts can tell clients of connections it lost that they are gone, so they fail at
     * once instead of after the idle timeout. Default: a random key per codec.
     */
    public RudpServerCodecBuilder statelessResetKey(byte[] key) {
        if (key == null || key.length < 32) {
            throw new IllegalArgumentException("the stateless reset key needs at least 32 bytes");
        }
        this.resetKey = key.clone();
        return this;
    }

    /**
     * Event loops (and SO_REUSEPORT sockets) {@link #bind} serves the address with; default 1. More than
     * one needs the epoll transport; on NIO {@code bind} logs a warning and uses one. Each socket has its
     * own codec, so {@link RudpChannelOption#MAX_CONNECTIONS} applies per socket.
     */
    public RudpServerCodecBuilder loops(int loops) {
        if (loops < 1 || loops > 1024) {
            throw new IllegalArgumentException("loops must be within [1, 1024]: " + loops);
        }
        this.loops = loops;
        return this;
    }

    /** A new codec handler for one datagram channel. */
    public ChannelHandler build() {
        return codec(checkedSettings());
    }

    /**
     * Binds {@code address} with the transport {@link NativeTransport} chose, on {@link #loops(int)}
     * distinct event loops of {@code group} (made by {@link NativeTransport#newEventLoopGroup}); with
     * port 0, every socket shares the port the first one got.
     *
     * @throws IllegalArgumentException if {@code group} has fewer event loops than asked for
     */
    public RudpServerSockets bind(EventLoopGroup group, InetSocketAddress address) throws InterruptedException {
        checkedSettings();
        return RudpServerSockets.bind(this, group, address, loops);
    }

    /** The routing table of one address's sockets. */
    LoopRouter router() {
        return new LoopRouter(checkedSettings());
    }

    private dev.rudp.channel.CodecSettings checkedSettings() {
        if (childHandler == null) {
            throw new IllegalStateException("handler(...) is required");
        }
        if (dtls != null && !dtls.isServer()) {
            throw new IllegalStateException("a client DtlsConfig given to the server builder");
        }
        return settings(true, childHandler);
    }
}
