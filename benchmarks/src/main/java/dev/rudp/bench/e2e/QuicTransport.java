package dev.rudp.bench.e2e;

import dev.rudp.NativeTransport;
import dev.rudp.dtls.DtlsConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.quic.InsecureQuicTokenHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicConnectionStats;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Netty's QUIC codec (quiche + BoringSSL, native): one bidirectional stream carries the payload, the
 * server's certificate is the same self-signed EC certificate rudp+dtls uses and the client trusts
 * exactly it. {@code QuicCodecBuilder} defaults, except: UDP payloads of the run's datagram size, and
 * connection and stream flow-control limits of {@link #FLOW_CONTROL} bytes (generous: never the limit).
 * The datagram channels get what rudp's codec gives its own: 4 MiB socket buffers, and reads as large
 * as the datagram size (Netty reads 2048 bytes by default, which would cut larger datagrams short).
 * Under a simulated profile each datagram channel impairs what it sends, as for rudp.
 */
final class QuicTransport implements Transport {
    /** Initial connection and stream flow-control credit. */
    static final long FLOW_CONTROL = 64L << 20;
    private static final String ALPN = "rudp-bench";
    private static final int SOCKET_BUFFER = 4 << 20;

    private final DtlsConfig.KeyAndCertificate certificate;

    QuicTransport(DtlsConfig.KeyAndCertificate certificate) {
        this.certificate = certificate;
    }

    @Override
    public String name() {
        return "quic";
    }

    @Override
    public boolean supports(Profile profile) {
        return true;
    }

    @Override
    public Result transfer(Job job, Meter meter) throws Exception {
        QuicSslContext serverSsl = QuicSslContextBuilder.forServer(certificate.privateKey(), null, certificate.certificate())
                .applicationProtocols(ALPN).build();
        QuicSslContext clientSsl = QuicSslContextBuilder.forClient().trustManager(certificate.certificate())
                // Trust is the pinned certificate itself; its name is not 127.0.0.1, so no host name check.
                .endpointIdentificationAlgorithm(null)
                .applicationProtocols(ALPN).build();
        EventLoopGroup group = NativeTransport.newEventLoopGroup(2);
        Sink sink = new Sink(job.bytes(), meter);
        try {
            ChannelHandler serverCodec = new QuicServerCodecBuilder().sslContext(serverSsl)
                    .maxIdleTimeout(Math.max(30_000, job.timeoutMillis()), TimeUnit.MILLISECONDS)
                    .maxSendUdpPayloadSize(job.datagram()).maxRecvUdpPayloadSize(job.datagram())
                    .initialMaxData(FLOW_CONTROL).initialMaxStreamDataBidirectionalRemote(FLOW_CONTROL)
                    .initialMaxStreamDataBidirectionalLocal(FLOW_CONTROL).initialMaxStreamsBidirectional(4)
                    .tokenHandler(InsecureQuicTokenHandler.INSTANCE)
                    .handler(new ChannelInboundHandlerAdapter())
                    .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                        @Override
                        protected void initChannel(QuicStreamChannel ch) {
                            ch.pipeline().addLast(sink);
                        }
                    }).build();
            ChannelHandler clientCodec = new QuicClientCodecBuilder().sslContext(clientSsl)
                    .maxIdleTimeout(Math.max(30_000, job.timeoutMillis()), TimeUnit.MILLISECONDS)
                    .maxSendUdpPayloadSize(job.datagram()).maxRecvUdpPayloadSize(job.datagram())
                    .initialMaxData(FLOW_CONTROL).initialMaxStreamDataBidirectionalLocal(FLOW_CONTROL)
                    .initialMaxStreamDataBidirectionalRemote(FLOW_CONTROL).build();
            Channel serverChannel = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Math.max(2048, job.datagram())))
                    .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER).option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
                    .handler(Transport.impaired(job, job.seed(), serverCodec))
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            Channel clientChannel = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Math.max(2048, job.datagram())))
                    .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER).option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
                    .handler(Transport.impaired(job, job.seed() + 1, clientCodec))
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            meter.start();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(job.timeoutMillis());
            QuicChannel quic = QuicChannel.newBootstrap(clientChannel)
                    .handler(new ChannelInboundHandlerAdapter())
                    .streamHandler(new ChannelInboundHandlerAdapter())
                    .remoteAddress(serverChannel.localAddress())
                    .connect().get(job.timeoutMillis(), TimeUnit.MILLISECONDS);
            quic.createStream(QuicStreamType.BIDIRECTIONAL, new Pump(job.payload(), job.bytes(), job.message()))
                    .get(job.timeoutMillis(), TimeUnit.MILLISECONDS);
            boolean complete;
            try {
                sink.done.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                complete = true;
            } catch (TimeoutException e) {
                complete = false;
            }
            long retransmitted = -1;
            try {
                QuicConnectionStats stats = quic.collectStats().get(5, TimeUnit.SECONDS);
                retransmitted = stats.streamRetransBytes();
            } catch (Exception e) {
                // Stats are optional: the row then shows n/a.
                retransmitted = -1;
            }
            long crc = sink.crc();
            quic.close().await(2, TimeUnit.SECONDS);
            clientChannel.close().await(2, TimeUnit.SECONDS);
            serverChannel.close().await(2, TimeUnit.SECONDS);
            return new Result(sink.received(), complete, crc, retransmitted);
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }
}
