package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.KnownHosts;
import dev.rudp.fileclient.connection.ServerTrust;
import dev.rudp.fileserver.ServerMain;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** DTLS by default: trust on first use with a known-hosts file, --fingerprint, --plaintext, exit code 8. */
@Timeout(90)
class DtlsEndToEndTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run client(int port, String password, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of("--port", String.valueOf(port), "--user", "alice",
                "--connect-timeout", "5"));
        argv.addAll(List.of(args));
        if (!argv.contains("192.0.2.1")) {
            argv.add("127.0.0.1");
        }
        int code = ClientMain.run(argv.toArray(String[]::new), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("FILECLIENT_PASSWORD", password), null);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void trustNewPinsThenTheSecondConnectUsesThePinSilentlyAndFilesArriveIntact() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Path kh = tmp.resolve("kh/known_hosts");
            byte[] content = new byte[300_000];
            new java.util.Random(7).nextBytes(content);
            Path f = Files.write(tmp.resolve("f.bin"), content);
            Run first = client(s.port(), "secret-a", "--known-hosts", kh.toString(), "--trust-new", "-q", "-c",
                    "put " + f + "; get f.bin " + tmp.resolve("back.bin"));
            assertEquals(0, first.code(), first.err());
            assertTrue(first.err().isEmpty(), first.err());
            assertTrue(java.util.Arrays.equals(content, Files.readAllBytes(s.home("alice").resolve("f.bin"))));
            assertTrue(java.util.Arrays.equals(content, Files.readAllBytes(tmp.resolve("back.bin"))));
            assertEquals(List.of("127.0.0.1:" + s.port() + " " + s.fingerprint()), Files.readAllLines(kh));

            Run second = client(s.port(), "secret-a", "--known-hosts", kh.toString(), "-q", "-c", "ls");
            assertEquals(0, second.code(), second.err());
            assertTrue(second.err().isEmpty(), second.err());
            assertTrue(second.out().contains("f.bin"), second.out());
            assertEquals(1, Files.readAllLines(kh).size(), "pinned once");
        }
    }

    @Test
    void fingerprintCommandMatchesWhatTheClientSees() throws Exception {
        Path data = tmp.resolve("data");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, ServerMain.run(new String[] {"fingerprint", "--root", data.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream())));
        String printed = out.toString(StandardCharsets.UTF_8).trim();
        try (TestServer s = TestServer.start(data);
                FileConnection c = FileConnection.connect("127.0.0.1", s.port(), 5_000, null,
                        ServerTrust.knownHosts(new KnownHosts(tmp.resolve("kh")), true))) {
            assertEquals(printed, c.fingerprint());
            c.login("alice", "secret-a".toCharArray());
        }
    }

    @Test
    void aChangedServerIdentityIsRefusedNamingBothFingerprints() throws Exception {
        try (TestServer a = TestServer.start(tmp.resolve("a")); TestServer b = TestServer.start(tmp.resolve("b"))) {
            Path kh = Files.writeString(tmp.resolve("known_hosts"), "# pinned earlier\n127.0.0.1:" + b.port() + " "
                    + a.fingerprint() + "\n");
            Run r = client(b.port(), "secret-a", "--known-hosts", kh.toString(), "--trust-new", "-c", "ls");
            assertEquals(8, r.code(), r.err());
            assertTrue(r.err().contains("CHANGED"), r.err());
            assertTrue(r.err().contains(a.fingerprint()), r.err());
            assertTrue(r.err().contains(b.fingerprint()), r.err());
            assertEquals(2, Files.readAllLines(kh).size(), "the pin is not replaced");
        }
    }

    @Test
    void fingerprintMismatchAndUnknownServerInBatchModeExitEight() throws Exception {
        try (TestServer a = TestServer.start(tmp.resolve("a")); TestServer b = TestServer.start(tmp.resolve("b"))) {
            Run wrong = client(b.port(), "secret-a", "--fingerprint", a.fingerprint(), "-c", "ls");
            assertEquals(8, wrong.code(), wrong.err());
            assertTrue(wrong.err().contains("fingerprint"), wrong.err());
            assertTrue(wrong.err().contains(b.fingerprint()), wrong.err());

            Path kh = tmp.resolve("known_hosts");
            Run unknown = client(b.port(), "secret-a", "--known-hosts", kh.toString(), "-c", "ls");
            assertEquals(8, unknown.code(), unknown.err());
            assertTrue(unknown.err().contains("unknown server 127.0.0.1:" + b.port()), unknown.err());
            assertTrue(unknown.err().contains("--trust-new"), unknown.err());
            assertTrue(unknown.err().contains("--fingerprint " + b.fingerprint()), unknown.err());
            assertFalse(Files.exists(kh), "nothing pinned");

            Run right = client(b.port(), "secret-a", "--fingerprint", b.fingerprint(), "-c", "pwd");
            assertEquals(0, right.code(), right.err());
        }
    }

    @Test
    void plaintextOnBothSidesWarnsAndIsRefusedForNonLoopbackAddresses() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"), cfg -> cfg.plaintext(true))) {
            Run r = client(s.port(), "secret-a", "--plaintext", "-c", "pwd");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.err().startsWith("fileclient: WARNING: --plaintext"), r.err());
            assertFalse(Files.exists(s.data.resolve("server-key.pem")));
            Run dtlsClient = client(s.port(), "secret-a", "--fingerprint", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                    "--connect-timeout", "1", "-c", "pwd");
            assertEquals(5, dtlsClient.code(), dtlsClient.err());
        }
        // TEST-NET-1 (RFC 5737): refused before any packet is sent, so it is never contacted
        Run far = client(7777, "secret-a", "--plaintext", "-c", "pwd", "192.0.2.1");
        assertEquals(1, far.code(), far.err());
        assertTrue(far.err().contains("refusing to send a password in plaintext to 192.0.2.1"), far.err());
        assertEquals(1, client(7777, "x", "--plaintext", "--trust-new", "-c", "pwd").code());
    }
}
