package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.RudpChannel;
import dev.rudp.dtls.DtlsConfig;
import dev.rudp.dtls.DtlsConfig.KeyAndCertificate;
import dev.rudp.dtls.DtlsException;
import dev.rudp.sim.Direction;
import dev.rudp.sim.ImpairmentHandler;
import dev.rudp.sim.ImpairmentProfile;
import dev.rudp.testing.Loopback;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A busy server answers every step of the handshake, each one late, so the whole handshake takes
 * longer than the client's connect timeout while no single silence does (issue 16, "a burst of users
 * slows down, never fails"). The server's handshake executor starts each handshake {@value #LATE_START_MILLIS}
 * ms late (its threads busy with others' handshakes and scrypt), the client's own handshake starts
 * {@value #CLIENT_LATE_START_MILLIS} ms late (a cold JVM among many starting at once: longer than the
 * connect timeout by itself), and the link delays every datagram {@value #LINK_DELAY_MILLIS} ms each
 * way. The connect must succeed: the connect deadline counts the server's silence after it was asked,
 * not the time since connect.
 *
 * <p>The lower bound of the handshake's length does not depend on the machine's load: the cookie
 * exchange (one round trip), the late start and the server's first flight (one round trip), the
 * client's flight and the server's Finished (one round trip), the rudp INITIAL and ACCEPT (one round
 * trip), after the client's late start: at least {@code CLIENT_LATE_START + LATE_START + 8 x LINK_DELAY}
 * = 9000 ms, over twice the 4000 ms connect timeout. The server's longest silence is
 * {@code LATE_START + 2 x LINK_DELAY} = 3000 ms plus the handshake's computing. On
 * the commit before the fix (a deadline from connect) this test fails with "no answer from the server
 * within 4000 ms".
 */
@Timeout(90)
class SlowHandshakeConnectTest {
    private static final KeyAndCertificate SERVER = DtlsConfig.selfSigned("rudp slow handshake test");
    private static final long CONNECT_TIMEOUT_MILLIS = 4_000;
    private static final long LATE_START_MILLIS = 2_500;
    private static final long LINK_DELAY_MILLIS = 250;
    /** The client's own DTLS stack starts late too (a cold JVM among many): longer than the timeout. */
    private static final long CLIENT_LATE_START_MILLIS = 4_500;

    /** Notes when each datagram from the server reached the client (before any delay on the way up). */
    private static final class Arrivals extends ChannelInboundHandlerAdapter {
        final List<Long> nanos = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof DatagramPacket) {
                nanos.add(System.nanoTime());
            }
            ctx.fireChannelRead(msg);
        }
    }

    @Test
    void aHandshakeLongerThanTheConnectTimeoutWithShortSilencesConnects() throws Exception {
        ScheduledExecutorService late = Executors.newScheduledThreadPool(2);
        ExecutorService handshakes = Executors.newCachedThreadPool();
        DtlsConfig server = DtlsConfig.serverCertificate(SERVER.privateKey(), SERVER.certificate())
                .handshakeExecutor(r -> late.schedule(() -> handshakes.execute(r), LATE_START_MILLIS,
                        TimeUnit.MILLISECONDS))
                .build();
        String pin = DtlsConfig.fingerprint(SERVER.certificate());
        DtlsConfig client = DtlsConfig.clientCertificateVerifier((chain, peer) -> {
            if (!DtlsConfig.fingerprint(chain[0]).equals(pin)) {
                throw DtlsException.certificateRejected("server certificate fingerprint mismatch");
            }
        }).handshakeTimeoutMillis(CONNECT_TIMEOUT_MILLIS)
                .handshakeExecutor(r -> late.schedule(() -> handshakes.execute(r), CLIENT_LATE_START_MILLIS,
                        TimeUnit.MILLISECONDS))
                .build();
        try (Loopback lo = Loopback.start(new ChannelInboundHandlerAdapter(), b -> b.dtls(server), b -> b.dtls(client))) {
            Arrivals arrivals = new Arrivals();
            // Delay first, then note: arrivals are what the client's DTLS layer saw, and when.
            lo.clientChannel.pipeline().addFirst(arrivals);
            lo.clientChannel.pipeline().addFirst(new ImpairmentHandler(
                    ImpairmentProfile.builder().delay(LINK_DELAY_MILLIS).seed(16).build(), Direction.BOTH));
            long start = System.nanoTime();
            RudpChannel ch = RudpChannel.newBootstrap(lo.clientChannel).handler(new ChannelInboundHandlerAdapter())
                    .remoteAddress(lo.serverAddress()).connectTimeoutMillis(CONNECT_TIMEOUT_MILLIS).connect()
                    .get(60, TimeUnit.SECONDS);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            long longestSilence = longestSilence(start, arrivals);
            System.out.printf("connected after %d ms; longest silence %d ms; %d datagrams from the server%n",
                    tookMillis, longestSilence, arrivals.nanos.size());
            assertTrue(tookMillis > CONNECT_TIMEOUT_MILLIS,
                    "the handshake took " + tookMillis + " ms: not longer than the connect timeout, so it proves nothing");
            ch.close().sync();
        } finally {
            late.shutdownNow();
            handshakes.shutdownNow();
        }
    }

    private static long longestSilence(long startNanos, Arrivals arrivals) {
        // The event loop completed the connect after the last arrival it noted, so they are all visible here.
        List<Long> copy = new ArrayList<>(arrivals.nanos);
        long longest = 0;
        long last = startNanos;
        for (long t : copy) {
            longest = Math.max(longest, t - last);
            last = t;
        }
        return TimeUnit.NANOSECONDS.toMillis(longest);
    }
}
