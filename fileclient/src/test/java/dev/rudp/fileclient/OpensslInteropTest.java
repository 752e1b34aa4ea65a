package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.connection.FileConnection;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The file server speaks standard DTLS 1.2: openssl s_client completes a handshake, then it is dropped cleanly. */
@Timeout(60)
class OpensslInteropTest {
    @TempDir
    Path tmp;

    private static String openssl() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "openssl");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    @Test
    void opensslCompletesADtlsHandshakeAndTheServerStillServesClients() throws Exception {
        String openssl = openssl();
        Assumptions.assumeTrue(openssl != null, "openssl not installed");
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Process p = new ProcessBuilder(List.of(openssl, "s_client", "-dtls1_2", "-connect",
                    "127.0.0.1:" + s.port())).redirectErrorStream(true).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                p.getOutputStream().close(); // end of input: s_client ends the session after the handshake
                Thread reader = new Thread(() -> {
                    try (InputStream in = p.getInputStream()) {
                        in.transferTo(out);
                    } catch (java.io.IOException e) {
                        // process ended
                    }
                }, "openssl-output");
                reader.setDaemon(true);
                reader.start();
                boolean exited = p.waitFor(20, TimeUnit.SECONDS);
                reader.join(5_000);
                String text;
                synchronized (out) {
                    text = out.toString(StandardCharsets.UTF_8);
                }
                assertTrue(exited, "openssl s_client did not exit:\n" + text);
                assertTrue(text.contains("BEGIN CERTIFICATE") || text.contains("Server certificate"), text);
                assertTrue(text.contains("Cipher is ECDHE-ECDSA-AES"), text);
            } finally {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            try (FileConnection c = s.login("alice", "secret-a")) {
                assertTrue(c.isOpen());
                assertTrue(c.fingerprint().equals(s.fingerprint()));
            }
        }
    }
}
