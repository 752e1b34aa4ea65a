package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.ServerTrust;
import dev.rudp.fileclient.keys.Identity;
import dev.rudp.fileserver.auth.AuthorizedKeys;
import dev.rudp.fileserver.protocol.KeyLogin;
import dev.rudp.fileserver.protocol.Op;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key login against a real server on loopback: offered first with no password anywhere, fallback
 * to the password for a key the server does not know, lockout, replay, add-key, plaintext.
 */
@Timeout(90)
class KeyLoginEndToEndTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    /** {@code fileclient --identity KEY ... 127.0.0.1} as alice, with {@code password} in the environment (or none). */
    static Run client(TestServer s, Path key, String password, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of("--port", String.valueOf(s.port()), "--user", "alice",
                "--connect-timeout", "5", "--identity", key.toString()));
        if (s.server.identity() != null) {
            argv.addAll(List.of("--fingerprint", s.fingerprint()));
        } else {
            argv.add("--plaintext");
        }
        argv.addAll(List.of(args));
        argv.add("127.0.0.1");
        int code = ClientMain.run(argv.toArray(String[]::new), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                password == null ? Map.of() : Map.of("FILECLIENT_PASSWORD", password), null);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path keyPair(String name) throws Exception {
        Path key = tmp.resolve("keys").resolve(name);
        Identity.generate(name + "@test").save(key, false);
        return key;
    }

    private static void register(TestServer s, String user, Path key) throws Exception {
        AuthorizedKeys.open(s.data).add(user, Identity.load(key).publicKey());
    }

    @Test
    void aRegisteredKeyLogsInWithNoPasswordAnywhere() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Path key = keyPair("alice");
            register(s, "alice", key); // as `fileserver addkey` does, while the server runs
            Run r = client(s, key, null, "-q", "-c", "pwd");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("~\n"), r.out());
            assertEquals("", r.err(), "no prompt, no warning");
        }
    }

    @Test
    void anUnregisteredKeyFallsBackToThePasswordSilentlyAndCountsNowhere() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"), cfg -> cfg.maxFailures(2).perAccountPerMinute(4))) {
            Path stranger = keyPair("stranger");
            for (int i = 0; i < 6; i++) {
                Run r = client(s, stranger, "secret-a", "-q", "-c", "pwd");
                assertEquals(0, r.code(), "attempt " + i + ": " + r.err());
                assertEquals("", r.err());
            }
            Run noPassword = client(s, stranger, null, "-q", "-c", "pwd");
            assertEquals(ExitCode.USAGE.code(), noPassword.code(), "falls back to the password path, which has none");
            assertTrue(noPassword.err().contains("no password"), noPassword.err());
            Run wrong = client(s, stranger, "wrong", "-q", "-c", "pwd");
            assertEquals(ExitCode.AUTH.code(), wrong.code(), "exit codes as before");
        }
    }

    @Test
    void aTamperedSignatureIsRefusedAndCountsTowardsTheLockWhichThenRefusesTheKey() throws Exception {
        AtomicLong clock = new AtomicLong();
        try (TestServer s = TestServer.start(tmp.resolve("data"), cfg -> cfg.clock(clock::get).maxFailures(3));
                FileConnection c = s.connect(5_000, null)) {
            Path key = keyPair("alice");
            register(s, "alice", key);
            Identity id = Identity.load(key);
            for (int i = 1; i <= 2; i++) {
                ClientException e = assertThrows(ClientException.class, () -> c.loginWithKey("alice", id.publicKey(),
                        data -> {
                            byte[] sig = id.sign(data);
                            sig[5] ^= 0x40;
                            return sig;
                        }));
                assertEquals(ExitCode.AUTH, e.code(), e.getMessage());
                assertTrue(e.getMessage().contains("signature does not verify"), e.getMessage());
            }
            ClientException third = assertThrows(ClientException.class, () -> c.login("alice", "bad".toCharArray()));
            assertEquals(ExitCode.LOCKED, third.code(), "2 bad signatures + 1 bad password = 3 failures: locked");
            ClientException keyWhileLocked = assertThrows(ClientException.class,
                    () -> c.loginWithKey("alice", id.publicKey(), id::sign));
            assertEquals(ExitCode.LOCKED, keyWhileLocked.code(), "a locked account refuses key logins too");
            Run batch = client(s, key, "secret-a", "-q", "-c", "pwd");
            assertEquals(ExitCode.LOCKED.code(), batch.code(), "batch exit code 7, no password tried: " + batch.err());
            clock.addAndGet(11_000_000_000L); // past the 10 s lock
            assertEquals("~", c.loginWithKey("alice", id.publicKey(), id::sign).get(0), "after the lock expires");
        }
    }

    @Test
    void aSignatureFromAnotherConnectionIsRefused() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"));
                FileConnection first = s.connect(5_000, null);
                FileConnection second = s.connect(5_000, null)) {
            Path key = keyPair("alice");
            register(s, "alice", key);
            Identity id = Identity.load(key);
            byte[][] captured = new byte[1][];
            // the first connection's login, recorded by an eavesdropper (or a malicious server)
            first.loginWithKey("alice", id.publicKey(), data -> captured[0] = id.sign(data));
            ClientException replay = assertThrows(ClientException.class, () -> second.loginWithKey("alice",
                    id.publicKey(), data -> captured[0]));
            assertEquals(ExitCode.AUTH, replay.code(), replay.getMessage());
            // nor on the same connection: the challenge is used up by each attempt
            ClientException noChallenge = assertThrows(ClientException.class, () -> second.call(Op.KEY_LOGIN,
                    List.of("alice", id.publicKey().keyText(), Base64.getEncoder().encodeToString(captured[0]))));
            assertEquals(ExitCode.REMOTE_ERROR, noChallenge.code(), noChallenge.getMessage());
            // a signature bound to another server's identity is refused as well
            ClientException otherServer = assertThrows(ClientException.class, () -> {
                String challenge = second.call(Op.KEY_CHALLENGE, List.of()).lines().get(0);
                byte[] sig = id.sign(KeyLogin.signedData("alice", "SHA256:someOtherServer", id.publicKey().keyText(),
                        Base64.getDecoder().decode(challenge)));
                second.call(Op.KEY_LOGIN, List.of("alice", id.publicKey().keyText(),
                        Base64.getEncoder().encodeToString(sig)));
            });
            assertEquals(ExitCode.AUTH, otherServer.code());
            assertEquals("~", second.loginWithKey("alice", id.publicKey(), id::sign).get(0), "the honest login works");
        }
    }

    @Test
    void addKeyInTheShellThenAKeyOnlyLogin() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Path key = tmp.resolve("home").resolve(".fileclient").resolve("id_ed25519");
            Run first = client(s, key, "secret-a", "-c", "add-key; keys");
            assertEquals(0, first.code(), first.err());
            assertTrue(first.err().contains("no such identity file"), "warned, then the password: " + first.err());
            assertTrue(first.out().contains("created a key pair: " + key), first.out());
            assertTrue(Files.isRegularFile(key) && Files.isRegularFile(Identity.publicFile(key)));
            String fp = Identity.load(key).publicKey().fingerprint();
            assertTrue(first.out().contains("registered " + fp), first.out());
            assertTrue(first.out().contains("fileclient> keys\n" + fp), first.out());

            Run keyOnly = client(s, key, null, "-c", "pwd; add-key");
            assertEquals(0, keyOnly.code(), keyOnly.err());
            assertTrue(keyOnly.out().contains("already registered: " + fp), keyOnly.out());

            Run other = client(s, key, null, "-c", "del-key " + fp + "; keys");
            assertEquals(0, other.code(), other.err());
            assertTrue(other.out().contains("no keys registered"), other.out());
            assertEquals(ExitCode.USAGE.code(), client(s, key, null, "-q", "-c", "pwd").code(),
                    "removed: back to needing a password");
        }
    }

    @Test
    void addKeyInAnInteractiveShellThenAKeyOnlyLogin() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Path key = tmp.resolve("shell-home").resolve(".fileclient").resolve("id_ed25519");
            PipedOutputStream typed = new PipedOutputStream();
            PipedInputStream in = new PipedInputStream(typed, 1 << 16);
            ShellTest.Screen screen = new ShellTest.Screen();
            Terminal t = new DumbTerminal("test", Terminal.TYPE_DUMB, in, screen, StandardCharsets.UTF_8);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CompletableFuture<Integer> shell = CompletableFuture.supplyAsync(() -> ClientMain.run(new String[] {
                "--port", String.valueOf(s.port()), "--user", "alice", "--fingerprint", s.fingerprint(),
                "--identity", key.toString(), "127.0.0.1"}, new ByteArrayInputStream(new byte[0]),
                    new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8),
                    Map.of("FILECLIENT_PASSWORD", "secret-a"), t));
            screen.await("alice@127.0.0.1:~> ", 30_000);
            typed.write("add-key\n".getBytes(StandardCharsets.UTF_8));
            typed.flush();
            screen.await("logins from here on offer it first", 30_000);
            typed.close();
            assertEquals(0, shell.get(30, TimeUnit.SECONDS), err.toString(StandardCharsets.UTF_8));
            t.close();
            assertTrue(screen.text().contains("created a key pair: " + key), screen.text());

            Run keyOnly = client(s, key, null, "-q", "-c", "pwd");
            assertEquals(0, keyOnly.code(), keyOnly.err());
            assertEquals("", keyOnly.err(), "no password needed, none asked for");
        }
    }

    @Test
    void keysAreManagedPerAccountAndMalformedOnesAreRefused() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"));
                FileConnection alice = s.login("alice", "secret-a");
                FileConnection bob = s.login("bob", "secret-b")) {
            Identity k = Identity.generate("k");
            alice.call(Op.KEY_ADD, List.of(k.publicKey().line()));
            assertEquals(List.of(k.publicKey().line()), alice.call(Op.KEY_LIST, List.of()).lines());
            assertEquals(List.of(), bob.call(Op.KEY_LIST, List.of()).lines(), "bob sees only his own");
            ClientException notHis = assertThrows(ClientException.class,
                    () -> bob.call(Op.KEY_REMOVE, List.of(k.publicKey().fingerprint())));
            assertEquals(ExitCode.NOT_FOUND, notHis.code());
            ClientException bad = assertThrows(ClientException.class,
                    () -> alice.call(Op.KEY_ADD, List.of("ed25519 not-a-key")));
            assertTrue(bad.getMessage().startsWith("add-key: "), bad.getMessage());
            try (FileConnection c = s.connect(5_000, null)) {
                ClientException before = assertThrows(ClientException.class,
                        () -> c.call(Op.KEY_LIST, List.of()));
                assertEquals("not logged in: log in first", before.getMessage());
                assertEquals("~", c.loginWithKey("alice", k.publicKey(), k::sign).get(0));
                assertFalse(c.call(Op.KEY_LIST, List.of()).lines().isEmpty());
            }
        }
    }

    @Test
    void plaintextConnectionsMayLogInByKey() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"), cfg -> cfg.plaintext(true))) {
            Path key = keyPair("alice");
            register(s, "alice", key);
            try (FileConnection c = FileConnection.connect("127.0.0.1", s.port(), 5_000, null,
                    ServerTrust.plaintext())) {
                Identity id = Identity.load(key);
                assertEquals("~", c.loginWithKey("alice", id.publicKey(), id::sign).get(0));
            }
            Run r = client(s, key, null, "-q", "-c", "pwd");
            assertEquals(0, r.code(), r.err());
        }
    }
}
