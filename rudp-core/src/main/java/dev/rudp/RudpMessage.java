package dev.rudp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A message written with an explicit {@link Delivery} mode, overriding the channel's
 * {@link RudpChannelOption#DELIVERY} for this one write. A plain {@link ByteBuf} write uses the
 * channel's mode. Received messages always arrive as plain {@code ByteBuf}s.
 */
public final class RudpMessage extends DefaultByteBufHolder {
    private final Delivery delivery;

    public RudpMessage(ByteBuf content, Delivery delivery) {
        super(content);
        this.delivery = delivery;
    }

    /** Shorthand for an {@link Delivery#UNORDERED} message. */
    public static RudpMessage unordered(ByteBuf content) {
        return new RudpMessage(content, Delivery.UNORDERED);
    }

    public Delivery delivery() {
        return delivery;
    }

    @Override
    public RudpMessage replace(ByteBuf content) {
        return new RudpMessage(content, delivery);
    }
}
