package dev.rudp.bench;

import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.RudpClientCodecBuilder;
import dev.rudp.RudpServerCodecBuilder;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Moves N bytes memory to memory over loopback through rudp and through a plain TCP socket in
 * the same JVM and run, and prints MB/s for each and their ratio. Not a test: a measurement.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar loopback [--bytes 1g] [--message 65536] [--datagram 1452] [--runs 3]</pre>
 */
public final class LoopbackThroughput {
    private LoopbackThroughput() {
    }

    static long parseSize(String s) {
        return Sizes.parse(s);
    }

    public static void main(String[] args) throws Exception {
        long bytes = 1L << 30;
        int message = 64 << 10;
        int datagram = 1452;
        int runs = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bytes" -> bytes = parseSize(args[++i]);
                case "--message" -> message = (int) parseSize(args[++i]);
                case "--datagram" -> datagram = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: LoopbackThroughput [--bytes N[kmg]] [--message N] [--datagram N] [--runs N]");
                    System.exit(2);
                }
            }
        }
        System.out.printf("loopback, %s transport, %d MiB per run, %d-byte messages, %d-byte datagrams, JDK %s%n",
                NativeTransport.name(), bytes >> 20, message, datagram, System.getProperty("java.version"));
        // Warm both paths up so the JIT has compiled them before anything is timed.
        rudp(64L << 20, message, datagram);
        tcp(64L << 20);
        double bestRudp = 0;
        double bestTcp = 0;
        for (int r = 1; r <= runs; r++) {
            double u = rudp(bytes, message, datagram);
            double t = tcp(bytes);
            bestRudp = Math.max(bestRudp, u);
            bestTcp = Math.max(bestTcp, t);
            System.out.printf("run %d: rudp %.1f MB/s, tcp %.1f MB/s, ratio %.3f%n", r, u, t, u / t);
        }
        System.out.printf("best: rudp %.1f MB/s, tcp %.1f MB/s, rudp/tcp %.3f%n", bestRudp, bestTcp, bestRudp / bestTcp);
    }

    /** Counts bytes until {@code total} arrived. */
    private static final class Counter extends ChannelInboundHandlerAdapter {
        final long total;
        long received;
        final CompletableFuture<Long> done = new CompletableFuture<>();

        Counter(long total) {
            this.total = total;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            received += b.readableBytes();
            b.release();
            if (received >= total) {
                done.complete(System.nanoTime());
            }
        }
    }

    /** Writes {@code total} bytes as fast as writability allows. */
    private static final class Pump extends ChannelInboundHandlerAdapter {
        final long total;
        final ByteBuf block;
        long sent;

        Pump(long total, int message) {
            this.total = total;
            this.block = Unpooled.directBuffer(message).writeZero(message);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            pump(ctx);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            pump(ctx);
        }

        private void pump(ChannelHandlerContext ctx) {
            while (sent < total && ctx.channel().isWritable()) {
                int n = (int) Math.min(block.readableBytes(), total - sent);
                ctx.write(block.retainedSlice(0, n));
                sent += n;
            }
            ctx.flush();
        }
    }

    static double rudp(long bytes, int message, int datagram) throws Exception {
        EventLoopGroup group = NativeTransport.newEventLoopGroup(2);
        try {
            Counter counter = new Counter(bytes);
            Channel server = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                    .handler(new RudpServerCodecBuilder()
                            .option(RudpChannelOption.MAX_DATAGRAM_SIZE, datagram)
                            .option(RudpChannelOption.INITIAL_WINDOW, 16L << 20)
                            .handler(new ChannelInitializer<RudpChannel>() {
                                @Override
                                protected void initChannel(RudpChannel ch) {
                                    ch.pipeline().addLast(counter);
                                }
                            }).build())
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            Channel socket = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                    .handler(new RudpClientCodecBuilder().option(RudpChannelOption.MAX_DATAGRAM_SIZE, datagram).build())
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            Pump pump = new Pump(bytes, message);
            long start = System.nanoTime();
            RudpChannel conn = RudpChannel.newBootstrap(socket).handler(pump)
                    .remoteAddress((InetSocketAddress) server.localAddress()).connect().get(10, TimeUnit.SECONDS);
            long end = counter.done.get(10, TimeUnit.MINUTES);
            dev.rudp.RudpStats st = conn.stats();
            System.out.printf("  rudp sender: %d packets, %d lost, %d MB retransmitted, %d spurious, srtt %d us, cwnd %d KB%n",
                    st.packetsSent(), st.packetsLost(), st.bytesRetransmitted() >> 20, st.spuriousRetransmits(),
                    st.smoothedRttNanos() / 1000, st.congestionWindow() >> 10);
            dev.rudp.RudpStats.LimitedBy lim = st.limitedBy();
            System.out.printf("  rudp sender limited by (ms): sending %d, cwnd %d, pacing %d, receiver window %d,"
                    + " application %d, socket %d; sender socket drops %d, errors %d; receiver socket drops %d%n",
                    lim.sendingNanos() / 1_000_000, lim.congestionWindowNanos() / 1_000_000, lim.pacingNanos() / 1_000_000,
                    lim.receiverWindowNanos() / 1_000_000, lim.applicationNanos() / 1_000_000,
                    lim.socketNanos() / 1_000_000, st.socketReceiveDrops(), st.socketErrors(),
                    server.eventLoop().submit(() -> server.pipeline().get(dev.rudp.channel.RudpCodec.class)
                            .socketReceiveDrops()).get(5, TimeUnit.SECONDS));
            conn.close().sync();
            pump.block.release();
            socket.close().sync();
            server.close().sync();
            return bytes / 1e6 / ((end - start) / 1e9);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    static double tcp(long bytes) throws IOException, InterruptedException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            CompletableFuture<Long> done = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (SocketChannel in = listener.accept()) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
                    long got = 0;
                    while (got < bytes) {
                        int n = in.read(buf);
                        if (n < 0) {
                            break;
                        }
                        got += n;
                        buf.clear();
                    }
                    done.complete(System.nanoTime());
                } catch (IOException e) {
                    done.completeExceptionally(e);
                }
            }, "tcp-reader");
            reader.start();
            long start = System.nanoTime();
            try (SocketChannel out = SocketChannel.open(listener.getLocalAddress())) {
                ByteBuffer block = ByteBuffer.allocateDirect(1 << 20);
                long sent = 0;
                while (sent < bytes) {
                    block.clear();
                    block.limit((int) Math.min(block.capacity(), bytes - sent));
                    sent += out.write(block);
                }
            }
            long end;
            try {
                end = done.get(10, TimeUnit.MINUTES);
            } catch (Exception e) {
                throw new IOException("tcp reader failed", e);
            }
            reader.join();
            return bytes / 1e6 / ((end - start) / 1e9);
        }
    }
}
