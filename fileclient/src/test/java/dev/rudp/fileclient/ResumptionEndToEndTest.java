package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.KnownHosts;
import dev.rudp.fileclient.connection.ServerTrust;
import dev.rudp.fileclient.keys.Identity;
import dev.rudp.fileclient.keys.KeyFirstLogin;
import dev.rudp.fileserver.auth.AuthorizedKeys;
import dev.rudp.fileserver.protocol.Op;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command after the first resumes the DTLS session the first saved beside the known-hosts file: no
 * certificate shown, the pin checked against the saved session instead, owner-only files; and a key
 * login on a session is carried to the connections that resume it while the key stays registered.
 */
@Timeout(90)
class ResumptionEndToEndTest {
    @TempDir
    Path tmp;

    /** The server's login lines ({@code login alice@... key SHA256:..., resumed session}). */
    private ServerLogLines logins;

    @BeforeEach
    void watchLog() {
        logins = ServerLogLines.starting("login ");
    }

    @AfterEach
    void stopWatching() {
        logins.close();
    }

    private Identity registeredKey(TestServer s, String name) throws Exception {
        Path file = tmp.resolve("keys").resolve(name);
        Identity.generate(name + "@test").save(file, false);
        Identity id = Identity.load(file);
        AuthorizedKeys.open(s.data).add("alice", id.publicKey());
        return id;
    }

    private static List<String> loginWithKey(FileConnection c, Identity id) throws ClientException {
        return c.loginWithKey("alice", id.publicKey(), id::sign);
    }

    @Test
    void aResumedSessionCarriesTheKeyLoginWhileTheKeyIsRegistered() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Path kh = pinned(s);
            Identity id = registeredKey(s, "alice");
            Identity other = registeredKey(s, "other");
            try (FileConnection first = connect(s, kh)) {
                assertFalse(first.resumedSession());
                ClientException none = assertThrows(ClientException.class,
                        () -> first.loginResumed("alice", id.publicKey()));
                assertEquals(ExitCode.AUTH, none.code(), "nothing bound to a new session");
                loginWithKey(first, id);
            }
            try (FileConnection second = connect(s, kh)) {
                assertTrue(second.resumedSession());
                for (String[] wrong : new String[][] {{"bob", "alice"}, {"alice", "other"}}) {
                    ClientException e = assertThrows(ClientException.class,
                            () -> second.loginResumed(wrong[0], (wrong[1].equals("alice") ? id : other).publicKey()));
                    assertEquals(ExitCode.AUTH, e.code(), "only the user and key that logged in on it: " + e.getMessage());
                }
                assertEquals("~", second.loginResumed("alice", id.publicKey()).get(0));
                second.call(Op.LS, List.of());
            }
            assertTrue(logins.all().get(logins.all().size() - 1).matches("login alice@127\\.0\\.0\\.1 key "
                    + java.util.regex.Pattern.quote(id.publicKey().fingerprint()) + ", resumed session"), logins.all().toString());

            // the key removed from the account: the session's login goes with it; the key login then fails
            // too and the password is the way in, as for any unregistered key
            AuthorizedKeys.open(s.data).remove("alice", id.publicKey().fingerprint());
            try (FileConnection third = connect(s, kh)) {
                assertTrue(third.resumedSession());
                ClientException e = assertThrows(ClientException.class,
                        () -> third.loginResumed("alice", id.publicKey()));
                assertEquals(ExitCode.AUTH, e.code());
                assertEquals("~", KeyFirstLogin.login(third, "alice", id, () -> "secret-a".toCharArray()).get(0));
            }
        }
    }

    /** A password login binds nothing; a locked account refuses the session's key login as any other. */
    @Test
    void aPasswordLoginBindsNothingAndALockRefusesTheResumedLogin() throws Exception {
        AtomicLong clock = new AtomicLong();
        try (TestServer s = TestServer.start(tmp.resolve("data"), cfg -> cfg.clock(clock::get).maxFailures(2))) {
            Path kh = pinned(s);
            Identity id = registeredKey(s, "alice");
            try (FileConnection first = connect(s, kh)) {
                first.login("alice", "secret-a".toCharArray());
            }
            try (FileConnection second = connect(s, kh)) {
                assertTrue(second.resumedSession());
                ClientException e = assertThrows(ClientException.class,
                        () -> second.loginResumed("alice", id.publicKey()));
                assertEquals(ExitCode.AUTH, e.code(), "a password login is not carried");
                loginWithKey(second, id); // binds the key login to the (resumed) session
            }
            try (FileConnection third = connect(s, kh)) {
                for (int i = 0; i < 2; i++) {
                    assertThrows(ClientException.class,
                            () -> third.login("alice", "wrong".toCharArray()));
                }
            }
            try (FileConnection fourth = connect(s, kh)) {
                assertTrue(fourth.resumedSession());
                ClientException locked = assertThrows(ClientException.class,
                        () -> fourth.loginResumed("alice", id.publicKey()));
                assertEquals(ExitCode.LOCKED, locked.code(), locked.getMessage());
                clock.addAndGet(11_000_000_000L); // past the 10 s lock
                assertEquals("~", fourth.loginResumed("alice", id.publicKey()).get(0));
            }
        }
    }

    /** Two one-shot commands as users run them: the second resumes the session and its key login. */
    @Test
    void aSecondCommandLogsInWithTheSessionsKeyLogin() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Path keyFile = tmp.resolve("keys/alice");
            Identity.generate("alice@test").save(keyFile, false);
            AuthorizedKeys.open(s.data).add("alice", Identity.load(keyFile).publicKey());
            Path kh = tmp.resolve("client/known_hosts");
            for (int i = 0; i < 2; i++) {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
                int code = ClientMain.run(new String[] {"--port", String.valueOf(s.port()), "--user", "alice",
                    "--identity", keyFile.toString(), "--known-hosts", kh.toString(), "--trust-new", "--no-agent", "-q",
                    "-c", "pwd", "127.0.0.1"}, new java.io.ByteArrayInputStream(new byte[0]),
                        new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                        new java.io.PrintStream(err, true, StandardCharsets.UTF_8), java.util.Map.of(), null);
                assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
                assertTrue(out.toString(StandardCharsets.UTF_8).endsWith("~\n"), out.toString(StandardCharsets.UTF_8));
            }
            assertEquals(2, logins.all().size(), logins.all().toString());
            assertFalse(logins.all().get(0).endsWith("resumed session"), logins.all().get(0));
            assertTrue(logins.all().get(1).endsWith(", resumed session"), logins.all().get(1));
        }
    }

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
            ClientException e = assertThrows(ClientException.class,
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
