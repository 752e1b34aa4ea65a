package dev.rudp;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;

/**
 * Picks Linux epoll when its native library loads and NIO otherwise, for applications that do not
 * want to choose. {@code -Drudp.transport=nio} forces NIO.
 */
public final class NativeTransport {
    private static final boolean EPOLL = !"nio".equalsIgnoreCase(System.getProperty("rudp.transport"))
            && Epoll.isAvailable();

    private NativeTransport() {
    }

    /** Whether epoll is in use. */
    public static boolean isEpoll() {
        return EPOLL;
    }

    /** An event loop group of {@code threads} threads (0: Netty's default) for the chosen transport. */
    public static EventLoopGroup newEventLoopGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads,
                EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** The datagram channel class matching {@link #newEventLoopGroup}. */
    public static Class<? extends DatagramChannel> datagramChannelClass() {
        return EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /** "epoll" or "nio". */
    public static String name() {
        return EPOLL ? "epoll" : "nio";
    }
}
