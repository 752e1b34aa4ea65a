package dev.rudp.sim;

import dev.rudp.NativeTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The relay's address translation, last in the listening channel's pipeline: each client source
 * address gets its own upstream socket (an ephemeral port) towards the target, so the target's
 * replies on that socket go back to that client, from the listening socket. Any datagram arriving
 * on an upstream socket is relayed, whatever its source (a full-cone NAT). Mappings unused either
 * way for the idle timeout are closed.
 *
 * <p>Everything runs on the listening channel's event loop; upstream sockets share it.
 *
 * <p>Reference counting: a datagram read here is handed on, its content unchanged, to the socket
 * that sends it on; the next write owns it. Datagrams for an upstream socket that failed to bind
 * are released.
 */
final class NatTable extends ChannelInboundHandlerAdapter {
    private static final InternalLogger log = InternalLoggerFactory.getInstance(NatTable.class);
    /** Largest UDP payload: a datagram larger than the receive buffer would be silently truncated. */
    static final int MAX_DATAGRAM = 65_536;
    /** Socket buffers large enough that the kernel, not the simulator, rarely decides a loss. */
    static final int SOCKET_BUFFER = 4 << 20;

    private final InetSocketAddress target;
    private final long idleNanos;
    private final Map<InetSocketAddress, Mapping> mappings = new HashMap<>();
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> sweeper;

    NatTable(InetSocketAddress target, long idleNanos) {
        this.target = target;
        this.idleNanos = idleNanos;
    }

    /** Client mappings open; call on the event loop. */
    int size() {
        return mappings.size();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        // Checking four times per timeout closes a mapping at most a quarter of the timeout late.
        long period = Math.max(1, idleNanos / 4);
        sweeper = ctx.executor().scheduleAtFixedRate(this::expireIdle, period, period, TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        closeAll();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            ctx.fireChannelRead(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        Mapping m = mappings.get(packet.sender());
        if (m == null) {
            m = open(packet.sender());
            mappings.put(packet.sender(), m);
        }
        m.lastUsedNanos = now();
        // The new envelope takes over the packet's reference to its content.
        m.send(new DatagramPacket(packet.content(), target));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("relay socket error", cause);
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    private Mapping open(InetSocketAddress client) {
        Mapping m = new Mapping(client);
        m.bound = new Bootstrap().group(ctx.channel().eventLoop()).channel(NativeTransport.datagramChannelClass())
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
                .handler(new Upstream(m))
                .bind(new InetSocketAddress(0));
        m.bound.addListener(f -> {
            if (!f.isSuccess()) {
                log.debug("no upstream socket for {}", client, f.cause());
                mappings.remove(client, m);
            }
        });
        return m;
    }

    private void expireIdle() {
        long now = now();
        for (Iterator<Mapping> it = mappings.values().iterator(); it.hasNext();) {
            Mapping m = it.next();
            if (now - m.lastUsedNanos >= idleNanos) {
                it.remove();
                m.bound.channel().close();
                log.debug("mapping for {} expired", m.client);
            }
        }
    }

    private void closeAll() {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        for (Mapping m : mappings.values()) {
            m.bound.channel().close();
        }
        mappings.clear();
    }

    /** One client's upstream socket. */
    private static final class Mapping {
        final InetSocketAddress client;
        ChannelFuture bound;
        long lastUsedNanos;

        Mapping(InetSocketAddress client) {
            this.client = client;
        }

        void send(DatagramPacket packet) {
            if (bound.isSuccess()) {
                bound.channel().writeAndFlush(packet);
            } else {
                bound.addListener(f -> {
                    if (f.isSuccess()) {
                        bound.channel().writeAndFlush(packet);
                    } else {
                        packet.release();
                    }
                });
            }
        }
    }

    /** Relays what the target sends to one client's upstream socket back to that client. */
    private final class Upstream extends ChannelInboundHandlerAdapter {
        private final Mapping mapping;

        Upstream(Mapping mapping) {
            this.mapping = mapping;
        }

        @Override
        public void channelRead(ChannelHandlerContext upstream, Object msg) {
            if (!(msg instanceof DatagramPacket)) {
                upstream.fireChannelRead(msg);
                return;
            }
            DatagramPacket packet = (DatagramPacket) msg;
            mapping.lastUsedNanos = now();
            // Written from the NAT table's place in the listening pipeline, so it passes the impairment on its way.
            ctx.writeAndFlush(new DatagramPacket(packet.content(), mapping.client));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext upstream, Throwable cause) {
            log.debug("upstream socket error for {}", mapping.client, cause);
        }
    }
}
