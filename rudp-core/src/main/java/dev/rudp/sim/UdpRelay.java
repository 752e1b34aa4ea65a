package dev.rudp.sim;

import dev.rudp.NativeTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A UDP relay that runs whole programs through the simulator: clients send to {@link #address()},
 * the relay forwards to a target through an {@link ImpairmentHandler}, and the target's replies
 * come back through it too, both directions impaired with the same profile (each with its own
 * derived seed). Like a NAT, it gives each client source address its own upstream socket, so
 * replies reach the right client; a mapping unused for 60 seconds is closed.
 *
 * <pre>{@code
 * try (UdpRelay relay = UdpRelay.start(new InetSocketAddress("127.0.0.1", 0), server, profile)) {
 *     client.connect(relay.address());
 * }
 * }</pre>
 *
 * <p>From the command line: {@code java -cp rudp-core.jar dev.rudp.sim.UdpRelay --help}.
 *
 * <p>One event loop thread carries every socket of a relay, so decisions follow the order in which
 * datagrams arrive.
 */
public final class UdpRelay implements AutoCloseable {
    /** How long a client mapping lives without traffic either way. */
    static final long IDLE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final EventLoopGroup group;
    private final Channel channel;
    private final ImpairmentHandler impairment;
    private final NatTable nat;
    private final InetSocketAddress address;
    private final AtomicBoolean closed = new AtomicBoolean();

    private UdpRelay(EventLoopGroup group, Channel channel, ImpairmentHandler impairment, NatTable nat) {
        this.group = group;
        this.channel = channel;
        this.impairment = impairment;
        this.nat = nat;
        this.address = (InetSocketAddress) channel.localAddress();
    }

    /**
     * Starts a relay.
     *
     * @param listen where clients send; port 0 picks a free port (see {@link #address()})
     * @param forward the target every client's datagrams go to
     * @param profile the impairment of each direction
     * @return the running relay; close it to release its sockets and thread
     * @throws UncheckedIOException if the listening socket cannot be bound
     * @throws IllegalArgumentException if {@code forward} is unresolved
     */
    public static UdpRelay start(InetSocketAddress listen, InetSocketAddress forward, ImpairmentProfile profile) {
        return start(listen, forward, profile, IDLE_TIMEOUT_NANOS);
    }

    static UdpRelay start(InetSocketAddress listen, InetSocketAddress forward, ImpairmentProfile profile,
            long idleNanos) {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(profile, "profile");
        if (forward.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve " + forward.getHostString());
        }
        ImpairmentHandler impairment = new ImpairmentHandler(profile, Direction.BOTH);
        NatTable nat = new NatTable(forward, idleNanos);
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        ChannelFuture bound = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(NatTable.MAX_DATAGRAM))
                .option(ChannelOption.SO_RCVBUF, NatTable.SOCKET_BUFFER)
                .option(ChannelOption.SO_SNDBUF, NatTable.SOCKET_BUFFER)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(impairment, nat);
                    }
                })
                .bind(listen).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
            Throwable cause = bound.cause();
            String message = "cannot listen on " + listen.getHostString() + ":" + listen.getPort() + ": "
                    + cause.getMessage();
            throw cause instanceof IOException ? new UncheckedIOException(message, (IOException) cause)
                    : new IllegalStateException(message, cause);
        }
        return new UdpRelay(group, bound.channel(), impairment, nat);
    }

    /** Where clients send: the bound address of the listening socket. */
    public InetSocketAddress address() {
        return address;
    }

    /** What the impairment did, both directions added up. */
    public ImpairmentStats stats() {
        return impairment.stats();
    }

    /**
     * What the impairment did one way: {@link Direction#INBOUND} is from clients towards the target,
     * {@link Direction#OUTBOUND} from the target back to clients.
     */
    public ImpairmentStats stats(Direction way) {
        return impairment.stats(way);
    }

    /** Clients with an open mapping (an upstream socket); 0 once closed. */
    public int clientCount() {
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            return nat.size();
        }
        try {
            return loop.submit(nat::size).get(10, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            return 0; // closed: the thread is gone with the mappings
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the relay's event loop did not answer", e);
        }
    }

    /** Client mappings open after {@code delay}, counted on the relay's thread after everything due before. */
    ScheduledFuture<Integer> clientCountAfter(long delay, TimeUnit unit) {
        return channel.eventLoop().schedule(nat::size, delay, unit);
    }

    /** Completes when the listening socket has closed. */
    Future<Void> closeFuture() {
        return channel.closeFuture();
    }

    /** Closes every socket, releases every datagram still held back and stops the thread; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            channel.close().awaitUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    /**
     * The command-line relay; {@code --help} lists the options. Exit codes: 0 done, 1 could not
     * start, 2 bad arguments.
     */
    public static void main(String[] args) {
        System.exit(RelayCommand.run(args, System.out, System.err));
    }
}
