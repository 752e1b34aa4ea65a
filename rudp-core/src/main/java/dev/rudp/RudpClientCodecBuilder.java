package dev.rudp;

import io.netty.channel.ChannelHandler;

/**
 * Builds the client side: a handler for a datagram channel bound to any local port, over which
 * {@link RudpChannel#newBootstrap} opens connections (one or many) to servers.
 */
public final class RudpClientCodecBuilder extends RudpCodecBuilder<RudpClientCodecBuilder> {

    /** A new codec handler for one datagram channel. */
    public ChannelHandler build() {
        if (dtls != null && dtls.isServer()) {
            throw new IllegalStateException("a server DtlsConfig given to the client builder");
        }
        return codec(settings(false, null));
    }
}
