package dev.rudp.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.dtls.DtlsConfig.KeyAndCertificate;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability with OpenSSL's DTLS 1.2: {@code openssl s_client} against the Java server, and the
 * Java client against {@code openssl s_server}. Skipped when {@code openssl} is not on the PATH.
 */
@Timeout(90)
class OpenSslInteropTest {
    private static final long WAIT_SECONDS = 20;

    @BeforeAll
    static void needsOpenSsl() {
        Assumptions.assumeTrue(onPath("openssl"), "openssl is not on the PATH");
    }

    @Test
    void opensslClientHandshakesWithTheJavaServerAndGetsAnEcho(@TempDir Path dir) throws Exception {
        KeyAndCertificate id = DtlsHandshakeTest.SERVER;
        Path ca = Files.writeString(dir.resolve("server.pem"), id.certificatePem());
        try (DtlsLoopback lo = DtlsLoopback.start(DtlsHandshakeTest.certificateServer())) {
            Process openssl = new ProcessBuilder("openssl", "s_client", "-dtls1_2", "-connect",
                    "127.0.0.1:" + lo.serverAddress().getPort(), "-CAfile", ca.toString(), "-mtu", "1400")
                    .redirectErrorStream(true).start();
            try {
                Lines out = new Lines(openssl);
                out.await("Cipher is ");
                DtlsHandshakeCompletionEvent atServer = lo.nextServerEvent(DtlsHandshakeCompletionEvent.class);
                assertTrue(atServer.isSuccess(), atServer.toString());
                out.await("Verify return code: 0 (ok)");
                OutputStream in = openssl.getOutputStream();
                in.write("ping from openssl\n".getBytes(StandardCharsets.US_ASCII));
                in.flush();
                out.await("ping from openssl");
                assertEquals(1, lo.serverDtls.stats().handshakesSucceeded());
            } finally {
                openssl.destroyForcibly().waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            DtlsLoopback.Client java = lo.client(DtlsHandshakeTest.pinnedClient(DtlsConfig.fingerprint(id.certificate())));
            java.echo("the server is still healthy".getBytes(StandardCharsets.UTF_8));
            java.close();
        }
    }

    @Test
    void javaClientHandshakesWithOpensslServer(@TempDir Path dir) throws Exception {
        KeyAndCertificate id = DtlsConfig.selfSigned("openssl server");
        Path cert = Files.writeString(dir.resolve("cert.pem"), id.certificatePem());
        Path key = Files.writeString(dir.resolve("key.pem"), id.privateKeyPem());
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Process openssl = new ProcessBuilder("openssl", "s_server", "-dtls1_2", "-accept", "127.0.0.1:" + port,
                "-cert", cert.toString(), "-key", key.toString(), "-mtu", "1400")
                .redirectErrorStream(true).start();
        try {
            Lines out = new Lines(openssl);
            out.await("ACCEPT");
            try (DtlsLoopback lo = DtlsLoopback.start(DtlsHandshakeTest.pskServer())) {
                DtlsLoopback.Client client = lo.client(DtlsHandshakeTest.pinnedClient(DtlsConfig.fingerprint(id.certificate())));
                DtlsLoopback.Client toOpenssl = new DtlsLoopback.Client(client.channel, client.dtls, client.recorder,
                        new java.net.InetSocketAddress("127.0.0.1", port));
                toOpenssl.send("hello from java\n".getBytes(StandardCharsets.US_ASCII));
                DtlsHandshakeCompletionEvent done = toOpenssl.handshake();
                assertTrue(done.isSuccess(), done.toString());
                out.await("hello from java");
                client.close();
            }
        } finally {
            openssl.destroyForcibly().waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** A process's output lines, read on a daemon thread. */
    private static final class Lines {
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final List<String> seen = new ArrayList<>();

        Lines(Process process) {
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("(output ended: " + e + ")");
                }
            }, "openssl-output");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for a line containing {@code text}; fails with everything seen when none comes in time. */
        void await(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
                if (line == null) {
                    throw new AssertionError("openssl never printed '" + text + "'; it printed:\n"
                            + String.join("\n", seen));
                }
                seen.add(line);
                if (line.contains(text)) {
                    return;
                }
            }
        }
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
