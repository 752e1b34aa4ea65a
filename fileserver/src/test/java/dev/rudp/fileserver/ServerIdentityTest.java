package dev.rudp.fileserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.server.FileServer;
import dev.rudp.fileserver.server.ServerConfig;
import dev.rudp.fileserver.server.ServerIdentity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The server's DTLS identity: created on the first start, reused later, private key owner-only. */
@Timeout(60)
class ServerIdentityTest {
    @TempDir
    Path tmp;

    private static FileServer start(ServerConfig cfg) throws Exception {
        return FileServer.start(cfg.bind(new InetSocketAddress("127.0.0.1", 0)));
    }

    @Test
    void createdOnFirstStartReusedOnTheSecondKeyOwnerOnly() throws Exception {
        Path data = tmp.resolve("data");
        String first;
        try (FileServer s = start(new ServerConfig(data))) {
            assertTrue(s.identity().created());
            first = s.identity().fingerprint();
            assertTrue(first.startsWith("SHA256:"), first);
        }
        Path key = data.resolve(ServerIdentity.KEY_FILE);
        assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertTrue(Files.readString(data.resolve(ServerIdentity.CERT_FILE)).startsWith("-----BEGIN CERTIFICATE-----"));
        if (key.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        }
        try (FileServer s = start(new ServerConfig(data))) {
            assertFalse(s.identity().created());
            assertEquals(first, s.identity().fingerprint());
        }
    }

    @Test
    void fingerprintCommandPrintsOnlyTheFingerprintAndCreatesTheIdentityIfMissing() throws Exception {
        Path data = tmp.resolve("data");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, ServerMain.run(new String[] {"fingerprint", "--root", data.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.matches("SHA256:[A-Za-z0-9+/]{43}\n"), printed);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("created a new server identity"));
        try (FileServer s = start(new ServerConfig(data))) {
            assertEquals(printed.trim(), s.identity().fingerprint());
        }
        out.reset();
        assertEquals(0, ServerMain.run(new String[] {"fingerprint", "--root", data.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream())));
        assertEquals(printed, out.toString(StandardCharsets.UTF_8), "stable");
    }

    @Test
    void plaintextServerHasNoIdentityAndAHalfIdentityIsRefused() throws Exception {
        Path data = tmp.resolve("plain");
        java.util.List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("dev.rudp.fileserver");
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(h);
        try (FileServer s = start(new ServerConfig(data).plaintext(true))) {
            assertNull(s.identity());
        } finally {
            jul.removeHandler(h);
        }
        assertTrue(warnings.stream().anyMatch(w -> w.contains("--plaintext") && w.contains("OFF")), warnings.toString());
        assertFalse(Files.exists(data.resolve(ServerIdentity.KEY_FILE)));
        ServerIdentity.loadOrCreate(data);
        Files.delete(data.resolve(ServerIdentity.CERT_FILE));
        IOException e = assertThrows(IOException.class, () -> ServerIdentity.loadOrCreate(data));
        assertTrue(e.getMessage().contains(ServerIdentity.CERT_FILE + " is missing"), e.getMessage());
    }
}
