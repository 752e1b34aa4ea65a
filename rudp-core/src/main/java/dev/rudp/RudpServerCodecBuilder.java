package dev.rudp;

import io.netty.channel.ChannelHandler;
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
 * Each built handler serves one datagram channel.
 */
public final class RudpServerCodecBuilder extends RudpCodecBuilder<RudpServerCodecBuilder> {
    private ChannelHandler childHandler;

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

    /** A new codec handler for one datagram channel. */
    public ChannelHandler build() {
        if (childHandler == null) {
            throw new IllegalStateException("handler(...) is required");
        }
        if (dtls != null && !dtls.isServer()) {
            throw new IllegalStateException("a client DtlsConfig given to the server builder");
        }
        return codec(settings(true, childHandler));
    }
}
