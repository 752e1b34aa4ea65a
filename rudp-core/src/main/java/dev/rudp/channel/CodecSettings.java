package dev.rudp.channel;

import dev.rudp.CongestionControl;
import dev.rudp.Delivery;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import java.util.Map;

/**
 * Validated settings of one codec, built by the public codec builders. Internal: embedders use
 * {@code RudpServerCodecBuilder} and {@code RudpClientCodecBuilder}.
 */
public record CodecSettings(boolean server, int maxDatagramSize, long idleTimeoutMillis, long keepaliveMillis,
        long maxAckDelayMillis, long initialRttMillis, long initialWindow, long maxWindow, int maxMessageSize,
        CongestionControl congestionControl, Delivery delivery, int maxConnections, boolean trace,
        ChannelHandler childHandler, Map<ChannelOption<?>, Object> childOptions, byte[] resetKey) {
}
