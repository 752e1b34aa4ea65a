package dev.rudp.dtls;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.NativeTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A DTLS server and client on loopback datagram channels (port 0): the server's {@link DtlsHandler} is
 * followed by a plaintext echo, the client's by a {@link Recorder}. Extra handlers go first in a pipeline
 * (beneath DTLS), as a meddler or the impairment simulator would.
 */
final class DtlsLoopback implements AutoCloseable {
    static final long WAIT_SECONDS = 40;

    final EventLoopGroup group;
    final Channel server;
    final DtlsHandler serverDtls;
    private final Recorder echo;

    private DtlsLoopback(EventLoopGroup group, Channel server, DtlsHandler serverDtls, Recorder echo) {
        this.group = group;
        this.server = server;
        this.serverDtls = serverDtls;
        this.echo = echo;
    }

    /** Starts a server with {@code config}, {@code beneath} first in its pipeline. */
    static DtlsLoopback start(DtlsConfig config, ChannelHandler... beneath) throws InterruptedException {
        return start(config, false, beneath);
    }

    /** Starts a server with {@code config}, its handler in {@link DtlsHandler#wholeDatagrams()} mode when {@code whole}. */
    static DtlsLoopback start(DtlsConfig config, boolean whole, ChannelHandler... beneath) throws InterruptedException {
        EventLoopGroup group = NativeTransport.newEventLoopGroup(2);
        DtlsHandler dtls = whole ? DtlsHandler.server(config).wholeDatagrams() : DtlsHandler.server(config);
        Recorder echo = new Recorder(true);
        return new DtlsLoopback(group, bind(group, beneath, dtls, echo), dtls, echo);
    }

    /** The next event of {@code type} the server's DtlsHandler fired; fails the test when none comes in time. */
    <T> T nextServerEvent(Class<T> type) throws InterruptedException {
        return echo.next(type);
    }

    InetSocketAddress serverAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    /** A client channel on the same group with its own DtlsHandler. */
    Client client(DtlsConfig config, ChannelHandler... beneath) throws InterruptedException {
        return client(config, false, beneath);
    }

    /** A client whose handler is in {@link DtlsHandler#wholeDatagrams()} mode when {@code whole}. */
    Client client(DtlsConfig config, boolean whole, ChannelHandler... beneath) throws InterruptedException {
        DtlsHandler dtls = whole ? DtlsHandler.client(config).wholeDatagrams() : DtlsHandler.client(config);
        Recorder recorder = new Recorder(false);
        return new Client(bind(group, beneath, dtls, recorder), dtls, recorder, serverAddress());
    }

    private static Channel bind(EventLoopGroup group, ChannelHandler[] beneath, DtlsHandler dtls, Recorder top)
            throws InterruptedException {
        // Echo tests keep 16 records of up to 16 KiB in flight and count on loopback losing none: the
        // default 208 KiB receive buffer would overflow.
        return new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                .option(io.netty.channel.ChannelOption.SO_RCVBUF, 2 << 20)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(beneath).addLast(dtls, top);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A client channel and what it received. */
    static final class Client {
        final Channel channel;
        final DtlsHandler dtls;
        final Recorder recorder;
        final InetSocketAddress server;

        Client(Channel channel, DtlsHandler dtls, Recorder recorder, InetSocketAddress server) {
            this.channel = channel;
            this.dtls = dtls;
            this.recorder = recorder;
            this.server = server;
        }

        InetSocketAddress address() {
            return (InetSocketAddress) channel.localAddress();
        }

        ChannelFuture send(byte[] plaintext) {
            return channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(plaintext), server));
        }

        /** The next handshake completion event, failing the test when none comes in time. */
        DtlsHandshakeCompletionEvent handshake() throws InterruptedException {
            return recorder.next(DtlsHandshakeCompletionEvent.class);
        }

        /** Sends {@code plaintext} and waits for its echo. */
        void echo(byte[] plaintext) throws InterruptedException {
            send(plaintext);
            byte[] got = recorder.received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(got, "no echo within " + WAIT_SECONDS + " s");
            assertTrue(java.util.Arrays.equals(plaintext, got), "echo differs");
        }

        void close() throws InterruptedException {
            channel.close().sync();
        }
    }

    /** Records plaintext datagrams and user events; the server's echoes each datagram back to its sender. */
    static final class Recorder extends ChannelInboundHandlerAdapter {
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        private final boolean echo;

        Recorder(boolean echo) {
            this.echo = echo;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            if (echo) {
                ctx.writeAndFlush(new DatagramPacket(p.content(), p.sender()));
                return;
            }
            try {
                received.add(ByteBufUtil.getBytes(p.content()));
            } finally {
                p.release();
            }
        }

        /** When the last handshake completion event came, in {@link System#nanoTime()} terms. */
        volatile long handshakeDoneNanos;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof DtlsHandshakeCompletionEvent) {
                handshakeDoneNanos = System.nanoTime();
            }
            events.add(evt);
        }

        /** The next event of {@code type}, skipping others; fails the test when none comes in time. */
        <T> T next(Class<T> type) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            for (long left = WAIT_SECONDS * 1000; left > 0;
                    left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
                Object e = events.poll(left, TimeUnit.MILLISECONDS);
                if (type.isInstance(e)) {
                    return type.cast(e);
                }
            }
            throw new AssertionError("no " + type.getSimpleName() + " within " + WAIT_SECONDS + " s");
        }
    }
}
