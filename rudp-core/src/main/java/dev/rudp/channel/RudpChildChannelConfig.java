package dev.rudp.channel;

import dev.rudp.Delivery;
import dev.rudp.RudpChannelOption;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.WriteBufferWaterMark;
import java.util.Map;

/**
 * Config of a connection's child channel: the live {@link RudpChannelOption#DELIVERY} mode plus
 * read-only views of the transport options the connection runs with.
 */
final class RudpChildChannelConfig extends DefaultChannelConfig {
    /** Default marks: unsent bytes above 1 MiB make the channel unwritable, below 512 KiB writable again. */
    static final WriteBufferWaterMark DEFAULT_WATER_MARK = new WriteBufferWaterMark(512 << 10, 1 << 20);

    private final CodecSettings settings;
    private volatile Delivery delivery;

    RudpChildChannelConfig(Channel channel, CodecSettings settings) {
        super(channel);
        this.settings = settings;
        this.delivery = settings.delivery();
        setWriteBufferWaterMark(DEFAULT_WATER_MARK);
    }

    Delivery delivery() {
        return delivery;
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), RudpChannelOption.DELIVERY, RudpChannelOption.MAX_DATAGRAM_SIZE,
                RudpChannelOption.IDLE_TIMEOUT_MILLIS, RudpChannelOption.KEEPALIVE_INTERVAL_MILLIS,
                RudpChannelOption.INITIAL_WINDOW, RudpChannelOption.MAX_WINDOW, RudpChannelOption.MAX_MESSAGE_SIZE,
                RudpChannelOption.CONGESTION_CONTROL);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(ChannelOption<T> option) {
        Object v;
        if (option == RudpChannelOption.DELIVERY) {
            v = delivery;
        } else if (option == RudpChannelOption.MAX_DATAGRAM_SIZE) {
            v = settings.maxDatagramSize();
        } else if (option == RudpChannelOption.IDLE_TIMEOUT_MILLIS) {
            v = settings.idleTimeoutMillis();
        } else if (option == RudpChannelOption.KEEPALIVE_INTERVAL_MILLIS) {
            v = settings.keepaliveMillis();
        } else if (option == RudpChannelOption.INITIAL_WINDOW) {
            v = settings.initialWindow();
        } else if (option == RudpChannelOption.MAX_WINDOW) {
            v = settings.maxWindow();
        } else if (option == RudpChannelOption.MAX_MESSAGE_SIZE) {
            v = settings.maxMessageSize();
        } else if (option == RudpChannelOption.CONGESTION_CONTROL) {
            v = settings.congestionControl();
        } else {
            return super.getOption(option);
        }
        return (T) v;
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == RudpChannelOption.DELIVERY) {
            delivery = (Delivery) value;
            return true;
        }
        return super.setOption(option, value);
    }
}
