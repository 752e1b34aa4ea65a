package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.KnownHosts;
import dev.rudp.fileclient.connection.ServerTrust;
import dev.rudp.fileserver.protocol.Op;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command after the first resumes the DTLS session the first saved beside the known-hosts file: no
 * certificate shown, the pin checked against the saved session instead, owner-only files.
 */
@Timeout(90)
class ResumptionEndToEndTest {
    @TempDir
    Path tmp;

    /** A known-hosts file that pins {@code s}. */
    private Path pinned(TestServer s) throws Exception {
        Path kh = tmp.resolve("client/known_hosts");
        new KnownHosts(kh).add(KnownHosts.key("127.0.0.1", s.port()), s.fingerprint());
        return kh;
    }

    private static FileConnection connect(TestServer s, Path knownHosts) throws ClientException {
        return FileConnection.connect("127.0.0.1", s.port(), 5_000, null,
                ServerTrust.knownHosts(new KnownHosts(knownHosts), false));
    }

    @Test
    void theSecondConnectResumesAndLogsInAsUsual() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Path kh = pinned(s);
            try (FileConnection first = connect(s, kh)) {
                assertFalse(first.resumedSession());
                first.login("alice", "secret-a".toCharArray());
            }
            Path sessions = kh.resolveSibling("sessions");
            Path saved;
            try (var files = Files.list(sessions)) {
                saved = files.filter(p -> !p.getFileName().toString().startsWith(".")).findFirst().orElseThrow();
            }
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sessions)));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(saved)));
            List<String> lines = Files.readAllLines(saved, StandardCharsets.US_ASCII);
            assertEquals(List.of("fileclient-dtls-session 1", s.fingerprint()), lines.subList(0, 2));

            try (FileConnection second = connect(s, kh)) {
                assertTrue(second.resumedSession(), "the saved session was resumed");
                assertEquals(s.fingerprint(), second.fingerprint(), "the server is the pinned one");
                second.login("alice", "secret-a".toCharArray());
                second.call(Op.LS, List.of());
            }
            assertEquals(lines, Files.readAllLines(saved, StandardCharsets.US_ASCII), "a resumed session is not rewritten");
        }
    }

    /** The saved session belongs to the pin it was made under: once the pin changes it is not offered. */
    @Test
    void aChangedPinIsCheckedByAFullHandshake() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Path kh = pinned(s);
            String key = KnownHosts.key("127.0.0.1", s.port());
            try (FileConnection first = connect(s, kh)) {
                assertFalse(first.resumedSession());
            }
            new KnownHosts(kh).add(key, "SHA256:someOtherServerEntirely"); // the last line for a key wins
            ClientException e = org.junit.jupiter.api.Assertions.assertThrows(ClientException.class,
                    () -> connect(s, kh).close());
            assertEquals(ExitCode.UNTRUSTED, e.code());
            assertTrue(e.getMessage().contains("SERVER IDENTITY HAS CHANGED"), e.getMessage());
        }
    }

    /** A garbled session file costs only the full handshake, which saves a good one over it. */
    @Test
    void aGarbledSessionFileIsReplaced() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Path kh = pinned(s);
            String key = KnownHosts.key("127.0.0.1", s.port());
            Path sessions = Files.createDirectories(kh.resolveSibling("sessions"));
            Path saved = sessions.resolve(key.replaceAll("[^A-Za-z0-9._-]", "_"));
            Files.writeString(saved, "fileclient-dtls-session 1\n" + s.fingerprint() + "\nnot base64 at all!\n");
            try (FileConnection c = connect(s, kh)) {
                assertFalse(c.resumedSession());
                c.login("alice", "secret-a".toCharArray());
            }
            try (FileConnection c = connect(s, kh)) {
                assertTrue(c.resumedSession());
            }
        }
    }

    /** --fingerprint keeps nothing on disk. */
    @Test
    void aFingerprintPinKeepsNoSession() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            for (int i = 0; i < 2; i++) {
                try (FileConnection c = s.connect(5_000, null)) {
                    assertFalse(c.resumedSession());
                }
            }
        }
    }
}
