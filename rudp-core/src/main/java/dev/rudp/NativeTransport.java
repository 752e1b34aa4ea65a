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
    private NativeTransport() {
    }

    /** The choice, made when first asked: loading the native library is Netty's slowest class initialiser. */
    private static final class Choice {
        static final boolean EPOLL = !"nio".equalsIgnoreCase(System.getProperty("rudp.transport"))
                && Epoll.isAvailable();
    }

    /**
     * Makes the choice (loads the native library) on a thread of its own, so that a new JVM that
     * calls this first thing does it beside its own start rather than on its way to the first socket.
     * Returns at once.
     */
    public static void chooseAside() {
        // a class rather than a lambda: a JVM's first lambda sets up the lambda machinery, 5 ms here
        Thread t = new Thread("rudp-transport-choice") {
            @Override
            public void run() {
                try {
                    isEpoll();
                } catch (LinkageError e) {
                    // the first socket meets it again, on the thread that reports it
                }
            }
        };
        t.setDaemon(true);
        t.start();
    }

    /** Whether epoll is in use. */
    public static boolean isEpoll() {
        return Choice.EPOLL;
    }

    /** An event loop group of {@code threads} threads (0: Netty's default) for the chosen transport. */
    public static EventLoopGroup newEventLoopGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads,
                Choice.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** The datagram channel class matching {@link #newEventLoopGroup}. */
    public static Class<? extends DatagramChannel> datagramChannelClass() {
        return Choice.EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /** "epoll" or "nio". */
    public static String name() {
        return Choice.EPOLL ? "epoll" : "nio";
    }
}
