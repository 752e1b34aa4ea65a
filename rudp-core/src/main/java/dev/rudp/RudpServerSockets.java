package dev.rudp;

import dev.rudp.channel.LoopRouter;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A server's datagram sockets on one address, from {@link RudpServerCodecBuilder#bind}: one socket
 * on one event loop, or, with {@link RudpServerCodecBuilder#loops(int) loops(n)} on epoll, n sockets
 * bound with SO_REUSEPORT, each on its own event loop with its own codec, so one process uses n
 * cores. The kernel spreads new clients over the sockets; every later datagram of a connection is
 * read by the loop that owns the connection, wherever the kernel put it (the others hand it over and
 * count it in {@link #rerouted()}).
 */
public final class RudpServerSockets {
    private static final InternalLogger log = InternalLoggerFactory.getInstance(RudpServerSockets.class);

    private final ChannelGroup channels = new DefaultChannelGroup("rudp-server", GlobalEventExecutor.INSTANCE);
    private final List<Channel> ordered = new ArrayList<>();
    private final LoopRouter router;
    private final InetSocketAddress address;

    private RudpServerSockets(LoopRouter router, InetSocketAddress address) {
        this.router = router;
        this.address = address;
    }

    static RudpServerSockets bind(RudpServerCodecBuilder builder, EventLoopGroup group, InetSocketAddress address,
            int loops) throws InterruptedException {
        if (loops > 1 && !NativeTransport.isEpoll()) {
            log.warn("{} event loops need SO_REUSEPORT on the epoll transport; serving {} with one event loop on {}",
                    loops, address, NativeTransport.name());
            loops = 1;
        }
        List<EventLoop> distinct = distinctLoops(group, loops);
        if (loops == 1) {
            // exactly the single-socket path: no router in the pipeline
            Channel ch = socket(distinct.get(0), builder.build(), false).bind(address).sync().channel();
            RudpServerSockets s = new RudpServerSockets(null, (InetSocketAddress) ch.localAddress());
            s.add(ch);
            return s;
        }
        LoopRouter router = builder.router();
        Channel first = socket(distinct.get(0), router.newSocketHandler(), true).bind(address).sync().channel();
        RudpServerSockets s = new RudpServerSockets(router, (InetSocketAddress) first.localAddress());
        s.add(first);
        try {
            for (int i = 1; i < loops; i++) {
                s.addSocket(distinct.get(i));
            }
        } catch (InterruptedException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** The first {@code n} distinct event loops of {@code group}. */
    private static List<EventLoop> distinctLoops(EventLoopGroup group, int n) {
        Set<EventLoop> loops = new LinkedHashSet<>();
        for (EventExecutor e : group) {
            if (e instanceof EventLoop) {
                loops.add((EventLoop) e);
            }
        }
        if (loops.size() < n) {
            throw new IllegalArgumentException("the event loop group has " + loops.size() + " loops; " + n
                    + " were asked for");
        }
        return new ArrayList<>(loops).subList(0, n);
    }

    private static Bootstrap socket(EventLoop loop, ChannelHandler handler, boolean reusePort) {
        Bootstrap b = new Bootstrap().group(loop).channel(NativeTransport.datagramChannelClass()).handler(handler);
        return reusePort ? b.option(EpollChannelOption.SO_REUSEPORT, true) : b;
    }

    private void add(Channel ch) {
        synchronized (ordered) {
            ordered.add(ch);
        }
        channels.add(ch);
    }

    /**
     * Binds one more socket of this address on {@code loop}. The kernel then moves some clients' datagrams
     * to it; they are handed back to their owners. Package-private: tests change the socket set with it.
     */
    Channel addSocket(EventLoop loop) throws InterruptedException {
        if (router == null) {
            throw new IllegalStateException("a single-loop server has no SO_REUSEPORT sockets");
        }
        Channel ch = socket(loop, router.newSocketHandler(), true).bind(address).sync().channel();
        add(ch);
        return ch;
    }

    /** The address every socket is bound to. */
    public InetSocketAddress localAddress() {
        return address;
    }

    /** The sockets, in the order they were bound. */
    public List<Channel> channels() {
        synchronized (ordered) {
            return List.copyOf(ordered);
        }
    }

    /** Datagrams read by a socket whose loop does not own their connection and handed to the owner; 0 with one loop. */
    public long rerouted() {
        return router == null ? 0 : router.rerouted();
    }

    /** Closes every socket; each codec first tells its peers that the endpoint is closing. */
    public ChannelGroupFuture close() {
        return channels.close();
    }
}
