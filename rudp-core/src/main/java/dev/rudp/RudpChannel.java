package dev.rudp;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * One rudp connection, a child of the datagram channel that carries it. Its pipeline sees the
 * application's messages: write {@code ByteBuf}s (or {@link RudpMessage}s for a per-message
 * delivery mode) and read {@code ByteBuf}s, one per message, boundaries kept.
 *
 * <p>Writes complete when the connection has taken the message; {@link #isWritable()} turns false
 * while more than the write-buffer high water mark waits to be sent, so a handler that honours
 * writability never buffers without bound. {@code close()} is graceful: everything already written
 * is still delivered before the connection ends. The remote side sees {@code channelInactive} when
 * the connection closes, and within the idle timeout when the peer dies.
 */
public interface RudpChannel extends Channel {

    @Override
    InetSocketAddress remoteAddress();

    @Override
    InetSocketAddress localAddress();

    /** A snapshot of this connection's statistics. */
    RudpStats stats();

    /** Why the connection ended, or null while it is open. */
    RudpErrorCode closeCode();

    /** A bootstrap that opens client connections over {@code datagramChannel}, which must carry a client codec. */
    static RudpChannelBootstrap newBootstrap(Channel datagramChannel) {
        return new RudpChannelBootstrap(datagramChannel);
    }
}
