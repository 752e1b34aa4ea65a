package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Trust on first use in the interactive shell: the fingerprint is shown, "yes" pins it, "no" refuses. */
@Timeout(60)
class ShellTofuTest {
    @TempDir
    Path tmp;

    private record Session(CompletableFuture<Integer> exit, PipedOutputStream keys, ShellTest.Screen screen,
            ByteArrayOutputStream err) {
        void type(String s) throws Exception {
            keys.write(s.getBytes(StandardCharsets.UTF_8));
            keys.flush();
        }
    }

    private Session start(TestServer s, Path kh) throws Exception {
        PipedOutputStream keys = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(keys, 1 << 16);
        ShellTest.Screen screen = new ShellTest.Screen();
        Terminal t = new DumbTerminal("test", Terminal.TYPE_DUMB, in, screen, StandardCharsets.UTF_8);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            try {
                return ClientMain.run(new String[] {"--port", String.valueOf(s.port()), "--user", "alice",
                    "--known-hosts", kh.toString(), "127.0.0.1"}, new ByteArrayInputStream(new byte[0]),
                        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8),
                        Map.of("FILECLIENT_PASSWORD", "secret-a"), t);
            } finally {
                try {
                    t.close();
                } catch (java.io.IOException e) {
                    // test terminal
                }
            }
        });
        return new Session(exit, keys, screen, err);
    }

    @Test
    void yesPinsTheShownFingerprintAndOpensTheShell() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Path kh = tmp.resolve("known_hosts");
            Session st = start(s, kh);
            st.screen().await("(yes/no)? ", 20_000);
            assertTrue(st.screen().text().contains("Its DTLS certificate fingerprint is " + s.fingerprint()),
                    st.screen().text());
            st.type("yes\n");
            st.screen().await("alice@127.0.0.1:~> ", 20_000);
            st.type("pwd\n");
            st.keys().close();
            assertEquals(0, st.exit().get(20, TimeUnit.SECONDS), st.err().toString(StandardCharsets.UTF_8));
            assertTrue(st.screen().text().contains("(DTLS, server " + s.fingerprint()), st.screen().text());
            assertEquals(List.of("127.0.0.1:" + s.port() + " " + s.fingerprint()), Files.readAllLines(kh));
            // the next session uses the pin without asking
            Session again = start(s, kh);
            again.screen().await("alice@127.0.0.1:~> ", 20_000);
            again.keys().close();
            assertEquals(0, again.exit().get(20, TimeUnit.SECONDS));
            assertFalse(again.screen().text().contains("yes/no"), again.screen().text());
        }
    }

    @Test
    void noRefusesWithExitEightAndPinsNothing() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Path kh = tmp.resolve("known_hosts");
            Session st = start(s, kh);
            st.screen().await("(yes/no)? ", 20_000);
            st.type("no\n");
            assertEquals(8, st.exit().get(20, TimeUnit.SECONDS));
            assertTrue(st.err().toString(StandardCharsets.UTF_8).contains("not trusted"),
                    st.err().toString(StandardCharsets.UTF_8));
            assertFalse(Files.exists(kh));
            st.keys().close();
        }
    }
}
