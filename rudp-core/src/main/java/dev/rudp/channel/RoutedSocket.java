package dev.rudp.channel;

import dev.rudp.channel.LoopRouter.PeerClaim;
import dev.rudp.dtls.DtlsHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The first handler of one socket of a {@link LoopRouter}: passes on the datagrams this socket owns (or
 * that nobody owns yet), collects the others during a read burst and, at its end, hands each owner its
 * batch in one task on the owner's event loop, which reads them into its own pipeline followed by one
 * read-complete (so the owner's codec acknowledges them together). Also this socket's side of the
 * router's tables for its codec ({@link ConnectionTable.Routes}). Event loop only, except
 * {@link #receive}, which any loop may call.
 */
final class RoutedSocket extends ChannelInboundHandlerAdapter implements ConnectionTable.Routes, ReadSizing.Shared {
    private static final InternalLogger log = InternalLoggerFactory.getInstance(RoutedSocket.class);
    private static final long SWEEP_MILLIS = 1000;

    private final LoopRouter router;
    private final Map<RoutedSocket, List<DatagramPacket>> handOver = new IdentityHashMap<>();
    private volatile ChannelHandlerContext ctx;
    private DtlsHandler dtls;
    private ScheduledFuture<?> sweep;
    private ReadSizing reads;

    RoutedSocket(LoopRouter router) {
        this.router = router;
    }

    LoopRouter router() {
        return router;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        dtls = ctx.pipeline().get(DtlsHandler.class);
        if (dtls != null) {
            sweep = ctx.executor().scheduleAtFixedRate(this::sweepClaims, SWEEP_MILLIS, SWEEP_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            ctx.fireChannelRead(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        InetSocketAddress sender = packet.sender();
        RoutedSocket owner = router.owner(packet.content(), sender);
        if (owner == null || owner == this) {
            ctx.fireChannelRead(packet);
            if (owner == null && dtls != null && dtls.hasSession(sender)) {
                // the datagram opened a DTLS session here: the peer's later datagrams belong to this socket
                router.byPeer.putIfAbsent(sender, new PeerClaim(this));
            }
            return;
        }
        handOver.computeIfAbsent(owner, o -> new ArrayList<>()).add(packet);
        router.countRerouted();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!handOver.isEmpty()) {
            for (Map.Entry<RoutedSocket, List<DatagramPacket>> e : handOver.entrySet()) {
                e.getKey().receive(e.getValue());
            }
            handOver.clear();
        }
        ctx.fireChannelReadComplete();
    }

    /** Takes {@code batch} (owned by this socket, read by another) into this socket's pipeline. Any thread. */
    private void receive(List<DatagramPacket> batch) {
        ChannelHandlerContext c = ctx;
        try {
            c.executor().execute(() -> deliver(batch));
        } catch (RejectedExecutionException e) {
            release(batch); // our loop is shutting down: as good as lost on the wire
        }
    }

    private void deliver(List<DatagramPacket> batch) {
        ChannelHandlerContext c = ctx;
        if (!c.channel().isActive()) {
            release(batch);
            return;
        }
        for (DatagramPacket p : batch) {
            c.fireChannelRead(p);
        }
        c.fireChannelReadComplete();
    }

    private static void release(List<DatagramPacket> batch) {
        for (DatagramPacket p : batch) {
            ReferenceCountUtil.release(p);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        leave();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        leave();
    }

    /** This socket is gone: nothing may be routed to it any more, and what it collected is dropped. */
    private void leave() {
        if (sweep != null) {
            sweep.cancel(false);
        }
        router.sockets.remove(this);
        router.byId.values().removeIf(s -> s == this);
        router.byPeer.values().removeIf(c -> c.owner == this);
        for (List<DatagramPacket> batch : handOver.values()) {
            release(batch);
        }
        handOver.clear();
    }

    /** DTLS: drops this socket's claims on peers with neither a connection nor a session here any more. */
    private void sweepClaims() {
        router.byPeer.entrySet().removeIf(e -> e.getValue().owner == this && e.getValue().connections == 0
                && !dtls.hasSession(e.getKey()));
    }

    // ---- ReadSizing.Shared: one slot size for the address ----

    @Override
    public void attach(ReadSizing reads) {
        this.reads = reads;
        router.sockets.add(this); // before reading the slot: a raise from now on reaches this socket
        int slot = router.slot();
        if (slot > 0) {
            reads.raiseFloor(slot);
        }
    }

    @Override
    public void announced(int limit) {
        router.announced(limit);
    }

    /** Another socket announced {@code size}: this one reads slots that large too (on its own loop). */
    void raiseSlot(int size) {
        try {
            ctx.executor().execute(() -> reads.raiseFloor(size));
        } catch (RejectedExecutionException e) {
            // shutting down: no more reads
        }
    }

    // ---- ConnectionTable.Routes: this socket's codec's connections ----

    @Override
    public boolean reserve(long id) {
        return router.byId.putIfAbsent(id, this) == null;
    }

    @Override
    public void opened(Connection c) {
        PeerClaim claim = router.byPeer.get(c.remote);
        if (claim == null) {
            PeerClaim mine = new PeerClaim(this);
            claim = router.byPeer.putIfAbsent(c.remote, mine);
            if (claim == null) {
                claim = mine;
            }
        }
        if (claim.owner == this) {
            claim.connections++;
            c.peerClaimed = true;
        } else {
            // Two sockets took a first datagram from the peer at once: this connection still gets its
            // DATA by ID; only a repeated INITIAL would go to the other socket.
            log.debug("{} served by a socket that does not own its peer", c);
        }
    }

    @Override
    public void closed(Connection c) {
        router.byId.remove(c.localId, this);
        if (!c.peerClaimed) {
            return;
        }
        c.peerClaimed = false;
        PeerClaim claim = router.byPeer.get(c.remote);
        if (claim != null && claim.owner == this && --claim.connections == 0 && dtls == null) {
            router.byPeer.remove(c.remote, claim); // under DTLS the sweep drops it once the session is gone too
        }
    }
}
