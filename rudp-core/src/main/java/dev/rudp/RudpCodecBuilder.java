package dev.rudp;

import dev.rudp.channel.CodecSettings;
import dev.rudp.channel.RudpCodec;
import dev.rudp.dtls.DtlsConfig;
import dev.rudp.dtls.DtlsHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import dev.rudp.wire.Handshake;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Shared part of {@link RudpServerCodecBuilder} and {@link RudpClientCodecBuilder}: transport
 * options and the child channels' options.
 *
 * @param <B> the concrete builder
 */
public abstract class RudpCodecBuilder<B extends RudpCodecBuilder<B>> {
    private final Map<ChannelOption<?>, Object> options = new LinkedHashMap<>();
    private final Map<ChannelOption<?>, Object> childOptions = new LinkedHashMap<>();
    byte[] resetKey;
    DtlsConfig dtls;

    RudpCodecBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** Sets a transport option ({@link RudpChannelOption}); {@code null} restores the default. */
    public <T> B option(ChannelOption<T> option, T value) {
        Objects.requireNonNull(option, "option");
        if (value == null) {
            options.remove(option);
        } else {
            options.put(option, value);
        }
        return self();
    }

    /** Sets an option on every connection's child channel, such as {@code AUTO_READ} or write buffer marks. */
    public <T> B childOption(ChannelOption<T> option, T value) {
        Objects.requireNonNull(option, "option");
        if (value == null) {
            childOptions.remove(option);
        } else {
            childOptions.put(option, value);
        }
        return self();
    }

    @SuppressWarnings("unchecked")
    private <T> T get(ChannelOption<T> option, T defaultValue) {
        Object v = options.get(option);
        return v == null ? defaultValue : (T) v;
    }

    CodecSettings settings(boolean server, ChannelHandler childHandler) {
        int datagram = get(RudpChannelOption.MAX_DATAGRAM_SIZE, 65_507);
        if (datagram < Handshake.MIN_DATAGRAM_SIZE || datagram > 65507) {
            throw new IllegalArgumentException("MAX_DATAGRAM_SIZE must be within [1200, 65507]: " + datagram);
        }
        long window = get(RudpChannelOption.INITIAL_WINDOW, 4L << 20);
        long maxWindow = get(RudpChannelOption.MAX_WINDOW, 64L << 20);
        int maxMessage = get(RudpChannelOption.MAX_MESSAGE_SIZE, 1 << 20);
        if (maxMessage < 0 || maxMessage > window) {
            throw new IllegalArgumentException("MAX_MESSAGE_SIZE must be within [0, INITIAL_WINDOW]: " + maxMessage);
        }
        long idle = get(RudpChannelOption.IDLE_TIMEOUT_MILLIS, 30_000L);
        long keepalive = get(RudpChannelOption.KEEPALIVE_INTERVAL_MILLIS, 10_000L);
        long ackDelay = get(RudpChannelOption.MAX_ACK_DELAY_MILLIS, 5L);
        long initialRtt = get(RudpChannelOption.INITIAL_RTT_MILLIS, 333L);
        if (idle < 0 || keepalive < 0 || ackDelay < 1 || initialRtt < 1 || maxWindow < window) {
            throw new IllegalArgumentException("timeouts must be positive and MAX_WINDOW >= INITIAL_WINDOW");
        }
        int maxConnections = get(RudpChannelOption.MAX_CONNECTIONS, 10_000);
        return new CodecSettings(server, datagram, idle, keepalive, ackDelay, initialRtt, window, maxWindow,
                maxMessage, get(RudpChannelOption.CONGESTION_CONTROL, CongestionControl.NEW_RENO),
                get(RudpChannelOption.DELIVERY, Delivery.ORDERED), maxConnections,
                get(RudpChannelOption.TRACE, false), childHandler, Map.copyOf(childOptions),
                resetKey == null ? null : resetKey.clone(), dtls, get(RudpChannelOption.UDP_OFFLOAD, false));
    }

    /**
     * Protects every datagram with DTLS 1.2 (BouncyCastle, AES-GCM): {@code config} says how this side
     * authenticates (a server certificate or PSK; on a client, how it verifies the server). Without
     * it, packets travel in plaintext with a CRC32C checksum. The handler built then is an
     * initializer that puts a {@link DtlsHandler} in front of the codec.
     */
    @SuppressWarnings("unchecked")
    public B dtls(DtlsConfig config) {
        this.dtls = config;
        return (B) this;
    }

    static ChannelHandler codec(CodecSettings settings) {
        RudpCodec codec = RudpCodec.create(settings);
        if (settings.dtls() == null) {
            return codec;
        }
        DtlsConfig config = settings.dtls();
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                DtlsHandler dtls = settings.server() ? DtlsHandler.server(config) : DtlsHandler.client(config);
                ch.pipeline().addLast(dtls.wholeDatagrams(), codec);
            }
        };
    }
}
