package dev.rudp.bench.netns;

import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.RudpClientCodecBuilder;
import dev.rudp.RudpServerCodecBuilder;
import dev.rudp.bench.e2e.Payload;
import dev.rudp.bench.e2e.Pump;
import dev.rudp.dtls.DtlsConfig;
import dev.rudp.dtls.DtlsException;
import dev.rudp.sim.ImpairmentHandler;
import dev.rudp.sim.ImpairmentProfile;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32C;

/**
 * rudp ends of a namespace transfer, set up as in the e2e runner: {@code MAX_DATAGRAM_SIZE} from the
 * settings, 64 KiB messages, {@link #INITIAL_WINDOW} of credit, optionally DTLS 1.2 with a self-signed
 * certificate the sender pins by the fingerprint the receiver printed.
 */
final class RudpPeer {
    /** Flow-control credit granted at first, as in the e2e runner. */
    static final long INITIAL_WINDOW = 16L << 20;
    /** Application write size. */
    static final int MESSAGE = 64 << 10;

    private RudpPeer() {
    }

    static Peer.Receiving receive(Peer.Settings s, Payload payload, String bindHost) throws Exception {
        return receive(s, payload, bindHost, null, true);
    }

    /**
     * As {@link #receive(Peer.Settings, Payload, String)}; {@code sim}, if set, impairs what the receiver sends,
     * and {@code report} prints the receiver's CPU line (and profiles the transfer when asked to, see {@link Profiling}).
     */
    static Peer.Receiving receive(Peer.Settings s, Payload payload, String bindHost, ImpairmentProfile sim,
            boolean report) throws Exception {
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        try {
            Sink sink = new Sink(s.bytes());
            RudpServerCodecBuilder server = new RudpServerCodecBuilder()
                    .option(RudpChannelOption.MAX_DATAGRAM_SIZE, s.datagram())
                    .option(RudpChannelOption.INITIAL_WINDOW, INITIAL_WINDOW)
                    .option(RudpChannelOption.CONGESTION_CONTROL, s.cc())
                    .option(RudpChannelOption.UDP_OFFLOAD, s.offload())
                    .handler(new ChannelInitializer<RudpChannel>() {
                        @Override
                        protected void initChannel(RudpChannel ch) {
                            ch.pipeline().addLast(sink);
                        }
                    });
            String fingerprint = "-";
            if (s.dtls()) {
                DtlsConfig.KeyAndCertificate cert = DtlsConfig.selfSigned("rudp-netns-bench");
                fingerprint = DtlsConfig.fingerprint(cert.certificate());
                server.dtls(DtlsConfig.serverCertificate(cert.privateKey(), cert.certificate()).build());
            }
            Channel channel = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                    .handler(sim == null ? server.build() : ImpairmentHandler.impairingSendsOf(server.build(), sim)).bind(new InetSocketAddress(bindHost, 0)).sync().channel();
            String fp = fingerprint;
            return new Peer.Receiving() {
                @Override
                public int port() {
                    return ((InetSocketAddress) channel.localAddress()).getPort();
                }

                @Override
                public String fingerprint() {
                    return fp;
                }

                @Override
                public Peer.Outcome await(long acceptMillis) throws Exception {
                    ChannelHandlerContext ctx = sink.connected.get(acceptMillis, TimeUnit.MILLISECONDS);
                    if (!report) {
                        return awaitTransfer(ctx);
                    }
                    Profiling.start();
                    ThreadCpu cpu0 = ThreadCpu.snapshot();
                    try {
                        return awaitTransfer(ctx);
                    } finally {
                        Profiling.stop("receiver");
                        report(ctx, cpu0);
                    }
                }

                /** The per-packet figures of this end, on the runner's console. */
                private void report(ChannelHandlerContext ctx, ThreadCpu cpu0) {
                    double[] cpu = ThreadCpu.snapshot().since(cpu0);
                    dev.rudp.RudpStats st = ((RudpChannel) ctx.channel()).stats();
                    System.out.println("STATS " + ThreadCpu.report("receiver", cpu,
                            Math.max(st.packetsSent(), st.packetsReceived()), st.packetsSent(), st.packetsReceived(),
                            sink.received));
                }

                private Peer.Outcome awaitTransfer(ChannelHandlerContext ctx) throws Exception {
                    long deadline = sink.startNanos + TimeUnit.MILLISECONDS.toNanos(s.timeoutMillis());
                    try {
                        sink.done.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                        return new Peer.Outcome(sink.received, true,
                                sink.crc.getValue() == payload.expectedCrc(sink.received),
                                (sink.endNanos - sink.startNanos) / 1e9);
                    } catch (TimeoutException e) {
                        // Snapshot count and checksum together on the loop that updates them.
                        long[] snap = ctx.executor().submit(() -> new long[] {sink.received, sink.crc.getValue()})
                                .get(5, TimeUnit.SECONDS);
                        return new Peer.Outcome(snap[0], false, snap[1] == payload.expectedCrc(snap[0]),
                                s.timeoutMillis() / 1e3);
                    }
                }

                @Override
                public void close() {
                    channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
                    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
                }
            };
        } catch (Exception | Error e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    static long send(Peer.Settings s, Payload payload, InetSocketAddress to, String fingerprint, long timeoutMillis,
            CompletableFuture<?> receiverDone) throws Exception {
        return send(s, payload, to, fingerprint, timeoutMillis, receiverDone, null, true);
    }

    /**
     * As {@link #send(Peer.Settings, Payload, InetSocketAddress, String, long, CompletableFuture)}; {@code sim}
     * impairs what it sends, and {@code report} prints the sender's STATS line for the runner's console.
     */
    static long send(Peer.Settings s, Payload payload, InetSocketAddress to, String fingerprint, long timeoutMillis,
            CompletableFuture<?> receiverDone, ImpairmentProfile sim, boolean report) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        try {
            RudpClientCodecBuilder client = new RudpClientCodecBuilder()
                    .option(RudpChannelOption.MAX_DATAGRAM_SIZE, s.datagram())
                    .option(RudpChannelOption.INITIAL_WINDOW, INITIAL_WINDOW)
                    .option(RudpChannelOption.CONGESTION_CONTROL, s.cc())
                    .option(RudpChannelOption.UDP_OFFLOAD, s.offload());
            if (s.dtls()) {
                client.dtls(DtlsConfig.clientCertificateVerifier((chain, peer) -> {
                    if (!DtlsConfig.fingerprint(chain[0]).equals(fingerprint)) {
                        throw DtlsException.certificateRejected("server certificate is not the one the receiver printed");
                    }
                }).build());
            }
            if (report) {
                Profiling.start();
            }
            ThreadCpu cpu0 = report ? ThreadCpu.snapshot() : null;
            Channel channel = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                    .handler(sim == null ? client.build() : ImpairmentHandler.impairingSendsOf(client.build(), sim)).bind(new InetSocketAddress("0.0.0.0", 0)).sync().channel();
            RudpChannel conn = RudpChannel.newBootstrap(channel)
                    .handler(new Pump(payload, s.bytes(), MESSAGE))
                    .connectTimeoutMillis(Math.max(1, timeoutMillis))
                    .remoteAddress(to)
                    .connect().get(timeoutMillis, TimeUnit.MILLISECONDS);
            try {
                receiverDone.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // report what we have; the runner's own bound decides the outcome
            }
            if (report) {
                Profiling.stop("sender");
            }
            dev.rudp.RudpStats st = conn.stats();
            long retransmitted = st.bytesRetransmitted();
            if (report) {
                // One diagnostic line for the runner's console: what held the sender back.
                dev.rudp.RudpStats.LimitedBy lim = st.limitedBy();
                System.out.printf("STATS %d packets, %d lost, srtt %d us, cwnd %d KiB, datagram %d B;"
                        + " limited by (ms) sending %d, cwnd %d, pacing %d, receiver window %d, application %d,"
                        + " socket %d; sender socket drops %d%n",
                        st.packetsSent(), st.packetsLost(), st.smoothedRttNanos() / 1000, st.congestionWindow() >> 10,
                        st.datagramSize(), lim.sendingNanos() / 1_000_000, lim.congestionWindowNanos() / 1_000_000,
                        lim.pacingNanos() / 1_000_000, lim.receiverWindowNanos() / 1_000_000,
                        lim.applicationNanos() / 1_000_000, lim.socketNanos() / 1_000_000, st.socketReceiveDrops());
                System.out.println("STATS " + ThreadCpu.report("sender", ThreadCpu.snapshot().since(cpu0),
                        Math.max(st.packetsSent(), st.packetsReceived()), st.packetsSent(), st.packetsReceived(),
                        s.bytes()));
            }
            conn.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            return retransmitted;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Counts and checksums what arrives on the one connection, and times it from its start to the last byte. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class Sink extends ChannelInboundHandlerAdapter {
        private final long total;
        final CRC32C crc = new CRC32C();
        final CompletableFuture<ChannelHandlerContext> connected = new CompletableFuture<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        // Written on the loop before the futures complete; read after them (happens-before via the futures).
        long received;
        long startNanos;
        long endNanos;

        Sink(long total) {
            this.total = total;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (!connected.isDone()) {
                startNanos = System.nanoTime();
                connected.complete(ctx);
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf b)) {
                ctx.fireChannelRead(msg);
                return;
            }
            try {
                int n = b.readableBytes();
                for (ByteBuffer nio : b.nioBuffers(b.readerIndex(), n)) {
                    crc.update(nio);
                }
                received += n;
            } finally {
                b.release();
            }
            if (received >= total && !done.isDone()) {
                endNanos = System.nanoTime();
                done.complete(null);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
        }
    }
}
