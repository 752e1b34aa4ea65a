package dev.rudp.dtls;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.sim.Direction;
import dev.rudp.sim.ImpairmentHandler;
import dev.rudp.sim.ImpairmentProfile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Handshakes complete through 30% loss in both directions (the simulator's {@link ImpairmentHandler}
 * first in each client's pipeline) within a 30 s handshake timeout, set on both sides: a server that gives
 * up first leaves its client retransmitting into the void.
 *
 * <p>Why a share of handshakes and not each one: BouncyCastle retransmits a flight after 1 s, doubling
 * each time (RFC 6347), so a run of losses soon costs 1 + 2 + 4 + 8 + 16 s, and no DTLS 1.2 stack can
 * promise to finish in bounded time at 30% loss. Which datagram a seed drops also depends on how the
 * two sides' retransmission timers interleave, so a seed does not pin the outcome. Measured over seeds 1 to
 * 30 with flights packed into one datagram each (see {@link PeerTransport}): 24 of 30 handshakes finished
 * within the default 10 s, 29 within 30 s. So ten handshakes run at once, each with its own seed, and at
 * least eight must succeed (with a 1-in-30 failure rate, three or more failures happen about once in 250
 * runs). Every outcome is printed with its seed, time and losses.
 */
@Timeout(120)
class HandshakeUnderLossTest {
    private static final long TIMEOUT_MILLIS = 30_000;
    private static final int CLIENTS_PER_KIND = 5;
    /** Seeds 11 to 20; seed 8, for one, drops the ClientHello five times running and cannot finish in 30 s. */
    private static final int FIRST_SEED = 11;

    private static final class Attempt {
        final String kind;
        final long seed;
        final ImpairmentHandler impairment;
        final DtlsLoopback.Client client;
        final long startNanos = System.nanoTime();

        Attempt(String kind, long seed, ImpairmentHandler impairment, DtlsLoopback.Client client) {
            this.kind = kind;
            this.seed = seed;
            this.impairment = impairment;
            this.client = client;
        }
    }

    @Test
    void handshakesCompleteThrough30PercentLossBothWays() throws Exception {
        DtlsConfig certificateServer = DtlsConfig.serverCertificate(DtlsHandshakeTest.SERVER.privateKey(),
                DtlsHandshakeTest.SERVER.certificate()).handshakeTimeoutMillis(TIMEOUT_MILLIS).build();
        DtlsConfig pskServer = DtlsConfig.serverPsk(id -> DtlsHandshakeTest.PSK.clone())
                .handshakeTimeoutMillis(TIMEOUT_MILLIS).build();
        String pin = DtlsConfig.fingerprint(DtlsHandshakeTest.SERVER.certificate());
        DtlsConfig certificateClient = DtlsConfig.clientCertificateVerifier((chain, peer) -> {
            if (!DtlsConfig.fingerprint(chain[0]).equals(pin)) {
                throw DtlsException.certificateRejected("server certificate fingerprint mismatch");
            }
        }).handshakeTimeoutMillis(TIMEOUT_MILLIS).build();
        DtlsConfig pskClient = DtlsConfig.clientPsk(DtlsHandshakeTest.PSK_ID, DtlsHandshakeTest.PSK)
                .handshakeTimeoutMillis(TIMEOUT_MILLIS).build();
        try (DtlsLoopback certificates = DtlsLoopback.start(certificateServer);
                DtlsLoopback psk = DtlsLoopback.start(pskServer)) {
            List<Attempt> attempts = new ArrayList<>();
            for (int i = FIRST_SEED; i < FIRST_SEED + 2 * CLIENTS_PER_KIND; i++) {
                boolean useCertificate = i < FIRST_SEED + CLIENTS_PER_KIND;
                ImpairmentHandler impairment = new ImpairmentHandler(
                        ImpairmentProfile.builder().loss(0.30).seed(i).build(), Direction.BOTH);
                DtlsLoopback.Client client = useCertificate ? certificates.client(certificateClient, impairment)
                        : psk.client(pskClient, impairment);
                attempts.add(new Attempt(useCertificate ? "certificate" : "PSK", i, impairment, client));
                client.send("first".getBytes(StandardCharsets.UTF_8));
            }
            int succeeded = 0;
            StringBuilder report = new StringBuilder();
            for (Attempt a : attempts) {
                DtlsHandshakeCompletionEvent done = a.client.handshake();
                long millis = (a.client.recorder.handshakeDoneNanos - a.startNanos) / 1_000_000;
                succeeded += done.isSuccess() ? 1 : 0;
                report.append(String.format("seed %2d, %-11s: %-7s after %5d ms, %s%n", a.seed, a.kind,
                        done.isSuccess() ? "success" : "FAILED", millis, a.impairment.stats()));
            }
            System.out.print(report);
            assertTrue(succeeded >= 8, succeeded + " of 10 handshakes completed through 30% loss:\n" + report);
            for (Attempt a : attempts) {
                a.client.close();
            }
        }
    }
}
