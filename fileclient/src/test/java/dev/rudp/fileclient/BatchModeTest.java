package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code fileclient -c} and {@code -b}: echo, stop at the first failure, documented exit codes. */
@Timeout(90)
class BatchModeTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run client(TestServer s, String password, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of("--port", String.valueOf(s == null ? 9 : s.port()),
                "--user", "alice", "--connect-timeout", "1"));
        if (s != null) {
            argv.addAll(List.of("--fingerprint", s.fingerprint()));
        }
        argv.addAll(List.of(args));
        argv.add("127.0.0.1");
        int code = ClientMain.run(argv.toArray(String[]::new),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                password == null ? Map.of() : Map.of("FILECLIENT_PASSWORD", password), null);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void allCommandsSucceedEchoedWithExitZero() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Path f = Files.writeString(tmp.resolve("f.txt"), "hello");
            Run r = client(s, "secret-a", "", "-q", "-c", "mkdir d; put " + f + " d; ls d; cd d; pwd; get f.txt "
                    + tmp.resolve("back.txt") + "; checksum f.txt");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("fileclient> mkdir d\n"), r.out());
            assertTrue(r.out().contains("fileclient> ls d\nf.txt\n"), r.out());
            assertTrue(r.out().contains("~/d\n"), r.out());
            assertEquals("hello", Files.readString(tmp.resolve("back.txt")));
            assertEquals("hello", Files.readString(s.home("alice").resolve("d/f.txt")));
            // checked by the CRC32C, whose summary names it; checksum computes the SHA-256 on the server
            assertTrue(r.out().contains(", crc32c 9a71bb4c\n"), r.out());
            assertTrue(r.out().contains("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824  f.txt\n"),
                    r.out());
        }
    }

    @Test
    void globsAndRecursiveTransfersAndStats() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Path src = Files.createDirectories(tmp.resolve("src/deep"));
            Files.writeString(tmp.resolve("src/a.log"), "a");
            Files.writeString(tmp.resolve("src/b.log"), "b");
            Files.writeString(tmp.resolve("src/c.txt"), "c");
            Files.writeString(src.resolve("d.log"), "d");
            Path back = Files.createDirectories(tmp.resolve("back"));
            Run r = client(s, "secret-a", "", "-q", "-c", "mkdir logs; put " + tmp.resolve("src") + "/*.log logs;"
                    + " put -r " + tmp.resolve("src") + " tree; get logs/*.log " + back + "; get -r tree "
                    + back.resolve("tree") + "; get -r tree/ " + back.resolve("again") + "; stats; cp -r tree tree2; rename tree2 tree3; rm -r tree3; ls");
            assertEquals(0, r.code(), r.err());
            Path home = s.home("alice");
            assertEquals("a", Files.readString(home.resolve("logs/a.log")));
            assertEquals("b", Files.readString(home.resolve("logs/b.log")));
            assertFalse(Files.exists(home.resolve("logs/c.txt")));
            assertEquals("d", Files.readString(home.resolve("tree/deep/d.log")));
            assertEquals("a", Files.readString(back.resolve("a.log")));
            assertEquals("d", Files.readString(back.resolve("tree/deep/d.log")));
            assertEquals("c", Files.readString(back.resolve("tree/c.txt")));
            assertEquals("d", Files.readString(back.resolve("again/deep/d.log")), "a trailing slash is fine");
            assertTrue(r.out().contains("rtt "), r.out());
            assertTrue(r.out().contains("limited by (of "), r.out());
            assertTrue(r.out().contains("local socket (shared by its connections): "), r.out());
            assertTrue(r.out().contains(" receive / "), "socket buffers are shown: " + r.out());
            assertTrue(r.out().endsWith("fileclient> ls\nlogs/\ntree/\n"), r.out());
        }
    }

    @Test
    void firstFailureStopsTheRunWithItsCode() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Run r = client(s, "secret-a", "", "-c", "get nothere.txt; mkdir not-reached");
            assertEquals(3, r.code());
            assertEquals("get: no such file: nothere.txt\n", r.err());
            assertFalse(Files.exists(s.home("alice").resolve("not-reached")));
            assertFalse(r.out().contains("not-reached"));

            assertEquals(4, client(s, "secret-a", "", "-c", "get ../../etc/passwd").code());
            assertEquals(1, client(s, "secret-a", "", "-c", "frobnicate").code());
            assertEquals(1, client(s, "secret-a", "", "-c", "rm").code());
            assertEquals(3, client(s, "secret-a", "", "-c", "put " + tmp.resolve("missing.bin")).code());
        }
    }

    @Test
    void batchFileFromStdinWithDashPrefixToContinue() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Run r = client(s, "secret-a", "# a comment\n-get nothere.txt\n@mkdir quiet\nmkdir yes\n", "-b", "-");
            assertEquals(0, r.code(), r.err());
            assertTrue(Files.isDirectory(s.home("alice").resolve("yes")));
            assertTrue(Files.isDirectory(s.home("alice").resolve("quiet")));
            assertFalse(r.out().contains("mkdir quiet"), "@ suppresses the echo");
            Path script = Files.writeString(tmp.resolve("script"), "mkdir from-file\nls\n");
            assertEquals(0, client(s, "secret-a", "", "-b", script.toString()).code());
            assertTrue(Files.isDirectory(s.home("alice").resolve("from-file")));
        }
    }

    @Test
    void usageConnectionAuthenticationAndLockCodes() throws Exception {
        assertEquals(1, client(null, "x", "", "--bogus").code());
        assertEquals(1, client(null, "x", "", "-b", "a", "-c", "b").code());
        int freePort;
        try (DatagramSocket d = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            freePort = d.getLocalPort();
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ClientMain.run(new String[] {"--port", String.valueOf(freePort), "--connect-timeout", "1",
            "-c", "ls", "127.0.0.1"}, new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("FILECLIENT_PASSWORD", "x"), null);
        assertEquals(5, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("fileclient: cannot connect"));
        try (TestServer s = TestServer.start(tmp.resolve("data"), cfg -> cfg.maxFailures(2))) {
            Run bad = client(s, "wrong", "", "-c", "ls");
            assertEquals(6, bad.code());
            assertEquals("fileclient: login failed: bad user name or password\n", bad.err());
            assertEquals(7, client(s, "wrong", "", "-c", "ls").code());
            Run locked = client(s, "secret-a", "", "-c", "ls");
            assertEquals(7, locked.code());
            assertTrue(locked.err().contains("try again in"), locked.err());
            Path pwFile = Files.writeString(tmp.resolve("pw"), "secret-b\n");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(0, ClientMain.run(new String[] {"--port", String.valueOf(s.port()), "--user", "bob",
                "--fingerprint", s.fingerprint(),
                "--password-file", pwFile.toString(), "-c", "pwd", "127.0.0.1"}, new ByteArrayInputStream(new byte[0]),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()),
                    Map.of(), null));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("~"));
        }
    }
}
