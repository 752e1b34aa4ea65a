package dev.rudp.bench.e2e;

import dev.rudp.CongestionControl;
import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.RudpClientCodecBuilder;
import dev.rudp.RudpServerCodecBuilder;
import dev.rudp.dtls.DtlsConfig;
import dev.rudp.dtls.DtlsException;
import dev.rudp.sim.ImpairmentHandler;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * rudp over UDP, in plaintext (CRC32C trailer) or over DTLS 1.2 with a self-signed server certificate
 * that the client pins by fingerprint. Under a simulated profile each datagram channel has an
 * {@link ImpairmentHandler} first in its pipeline impairing what it sends, so both directions are
 * impaired once.
 */
final class RudpTransport implements Transport {
    /** Flow-control window granted at first, as in the first loopback runs. */
    static final long INITIAL_WINDOW = 16L << 20;

    private final boolean dtls;
    private final DtlsConfig.Crypto crypto;
    private final DtlsConfig.KeyAndCertificate certificate;
    private final CongestionControl cc;
    /** rudp's UDP_OFFLOAD (GSO sends, GRO receives), for A/B runs; off by default as in the library. */
    private final boolean offload;

    RudpTransport(boolean dtls, DtlsConfig.Crypto crypto, DtlsConfig.KeyAndCertificate certificate,
            CongestionControl cc, boolean offload) {
        this.dtls = dtls;
        this.crypto = crypto;
        this.certificate = certificate;
        this.cc = cc;
        this.offload = offload;
    }

    @Override
    public String name() {
        return !dtls ? "rudp" : crypto == DtlsConfig.Crypto.JCA ? "rudp+dtls" : "rudp+dtls-bc";
    }

    @Override
    public boolean supports(Profile profile) {
        return true;
    }

    @Override
    public Result transfer(Job job, Meter meter) throws Exception {
        EventLoopGroup group = NativeTransport.newEventLoopGroup(2);
        Sink sink = new Sink(job.bytes(), meter);
        try {
            RudpServerCodecBuilder server = new RudpServerCodecBuilder()
                    .option(RudpChannelOption.UDP_OFFLOAD, offload)
                    .option(RudpChannelOption.MAX_DATAGRAM_SIZE, job.datagram())
                    .option(RudpChannelOption.INITIAL_WINDOW, INITIAL_WINDOW)
                    .option(RudpChannelOption.CONGESTION_CONTROL, cc)
                    .handler(new ChannelInitializer<RudpChannel>() {
                        @Override
                        protected void initChannel(RudpChannel ch) {
                            ch.pipeline().addLast(sink);
                        }
                    });
            RudpClientCodecBuilder client = new RudpClientCodecBuilder()
                    .option(RudpChannelOption.UDP_OFFLOAD, offload)
                    .option(RudpChannelOption.MAX_DATAGRAM_SIZE, job.datagram())
                    .option(RudpChannelOption.INITIAL_WINDOW, INITIAL_WINDOW)
                    .option(RudpChannelOption.CONGESTION_CONTROL, cc);
            if (dtls) {
                String pinned = DtlsConfig.fingerprint(certificate.certificate());
                server.dtls(DtlsConfig.serverCertificate(certificate.privateKey(), certificate.certificate())
                        .crypto(crypto).build());
                client.dtls(DtlsConfig.clientCertificateVerifier((chain, peer) -> {
                    if (!DtlsConfig.fingerprint(chain[0]).equals(pinned)) {
                        throw DtlsException.certificateRejected("server certificate is not the pinned one");
                    }
                }).crypto(crypto).build());
            }
            Channel serverChannel = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                    .handler(Transport.impaired(job, job.seed(), server.build()))
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            Channel clientChannel = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                    .handler(Transport.impaired(job, job.seed() + 1, client.build()))
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            meter.start();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(job.timeoutMillis());
            RudpChannel conn = RudpChannel.newBootstrap(clientChannel)
                    .handler(new Pump(job.payload(), job.bytes(), job.message()))
                    .connectTimeoutMillis(Math.max(1, job.timeoutMillis()))
                    .remoteAddress((InetSocketAddress) serverChannel.localAddress())
                    .connect().get(job.timeoutMillis(), TimeUnit.MILLISECONDS);
            boolean complete;
            try {
                sink.done.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                complete = true;
            } catch (TimeoutException e) {
                complete = false;
            }
            // Read the stats on the connection's loop: they are a snapshot of single-threaded state.
            long retransmitted = conn.eventLoop().submit(() -> conn.stats().bytesRetransmitted()).get(5, TimeUnit.SECONDS);
            long crc = serverChannel.eventLoop().submit(sink::crc).get(5, TimeUnit.SECONDS);
            conn.close().await(2, TimeUnit.SECONDS);
            clientChannel.close().await(2, TimeUnit.SECONDS);
            serverChannel.close().await(2, TimeUnit.SECONDS);
            return new Result(sink.received(), complete, crc, retransmitted);
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }
}
