package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.commands.ClientContext;
import dev.rudp.fileclient.commands.CommandTable;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.shell.Shell;
import dev.rudp.fileclient.shell.ShellCompleter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jline.reader.Candidate;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The shell, headless on a JLine dumb terminal over piped streams. */
@Timeout(60)
class ShellTest {
    @TempDir
    Path tmp;

    /** Terminal output that tests can wait on. */
    static final class Screen extends OutputStream {
        private final StringBuilder text = new StringBuilder();

        @Override
        public synchronized void write(int b) {
            text.append((char) b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            text.append(new String(b, off, len, StandardCharsets.UTF_8));
            notifyAll();
        }

        synchronized String text() {
            return text.toString();
        }

        /** Waits (bounded) until the output contains {@code s}. */
        synchronized void await(String s, long millis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (!text.toString().contains(s)) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("timed out waiting for '" + s + "' in:\n" + text);
                }
                wait(left);
            }
        }
    }

    private record Setup(Terminal terminal, PipedOutputStream keys, Screen screen, ClientContext ctx) {
        void type(String s) throws IOException {
            keys.write(s.getBytes(StandardCharsets.UTF_8));
            keys.flush();
        }
    }

    private Setup setup(FileConnection c, Supplier<TransferListener> progress) throws IOException {
        PipedOutputStream keys = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(keys, 1 << 16);
        Screen screen = new Screen();
        Terminal t = new DumbTerminal("test", Terminal.TYPE_DUMB, in, screen, StandardCharsets.UTF_8);
        ClientContext ctx = new ClientContext(c, "alice", t.writer(), t.writer(), progress, tmp);
        return new Setup(t, keys, screen, ctx);
    }

    @Test
    void runsCommandsShowsHelpAndErrorsAndExitsOnCtrlD() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data")); FileConnection c = s.login("alice", "secret-a")) {
            Setup st = setup(c, () -> TransferListener.NONE);
            Path history = tmp.resolve("history");
            CompletableFuture<ExitCode> done = CompletableFuture.supplyAsync(
                    () -> new Shell(st.terminal(), st.ctx(), new CommandTable(), history).run());
            st.type("mkdir docs\ncd docs\nls\nhelp put\nget nothere.txt\nfrobnicate\n");
            st.screen().await("frobnicate: unknown command", 20_000);
            st.keys().close();
            assertEquals(ExitCode.OK, done.get(20, TimeUnit.SECONDS));
            String out = st.screen().text();
            assertTrue(out.contains("alice@127.0.0.1:~> "), out);
            assertTrue(out.contains("alice@127.0.0.1:~/docs> "), out);
            assertTrue(out.contains("usage: put [-a] [-r] LOCAL [REMOTE]"), out);
            assertTrue(out.contains("get: no such file: nothere.txt"), out);
            assertFalse(out.contains("Exception"), out);
            assertTrue(Files.readString(history).contains("help put"));
            st.terminal().close();
        }
    }

    @Test
    void completesCommandsRemotePathsAndLocalPaths() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data")); FileConnection c = s.login("alice", "secret-a")) {
            Files.createDirectories(s.home("alice").resolve("docs"));
            Files.writeString(s.home("alice").resolve("doc.txt"), "x");
            Files.writeString(s.home("alice").resolve("docs/inner.txt"), "x");
            Files.writeString(tmp.resolve("local-file.bin"), "x");
            Setup st = setup(c, () -> TransferListener.NONE);
            ShellCompleter completer = new ShellCompleter(new CommandTable(), st.ctx());
            LineReader reader = LineReaderBuilder.builder().terminal(st.terminal()).build();
            assertTrue(complete(completer, reader, "pu").containsAll(List.of("put", "pwd")));
            assertTrue(complete(completer, reader, "get do").containsAll(List.of("doc.txt", "docs/")));
            assertTrue(complete(completer, reader, "get docs/in").contains("docs/inner.txt"));
            assertTrue(complete(completer, reader, "put -a loc").contains("local-file.bin"));
            assertTrue(complete(completer, reader, "put local-file.bin d").contains("docs/"), "second arg is remote");
            assertTrue(complete(completer, reader, "lls ").contains("local-file.bin"));
            assertTrue(complete(completer, reader, "help ge").contains("get"));
            assertTrue(complete(completer, reader, "cmd sha").contains("sha256sum"));
            st.terminal().close();
        }
    }

    @Test
    void afterItsServerLeftTheShellReconnectsOnTheNextCommandAndKeepsItsFolder() throws Exception {
        Path data = tmp.resolve("data");
        TestServer s = TestServer.start(data);
        int port = s.port();
        String fp = s.fingerprint();
        Files.createDirectories(s.home("alice").resolve("docs"));
        Files.writeString(s.home("alice").resolve("docs/inner.txt"), "x");
        FileConnection c = FileConnection.connect("127.0.0.1", port, 5_000, null,
                dev.rudp.fileclient.connection.ServerTrust.fingerprint(fp),
                dev.rudp.fileclient.connection.Reconnector.IDLE_TIMEOUT_MILLIS);
        c.login("alice", "secret-a".toCharArray());
        Setup st = setup(c, () -> TransferListener.NONE);
        st.ctx().reconnectWith(new dev.rudp.fileclient.connection.Reconnector("127.0.0.1", port, 3,
                () -> FileConnection.connect("127.0.0.1", port, 5_000, null,
                        dev.rudp.fileclient.connection.ServerTrust.fingerprint(fp),
                        dev.rudp.fileclient.connection.Reconnector.IDLE_TIMEOUT_MILLIS),
                next -> next.login("alice", "secret-a".toCharArray())));
        CompletableFuture<ExitCode> done = CompletableFuture.supplyAsync(
                () -> new Shell(st.terminal(), st.ctx(), new CommandTable(), tmp.resolve("h")).run());
        TestServer next = null;
        try {
            st.type("cd docs\n");
            st.screen().await("alice@127.0.0.1:~/docs> ", 20_000);
            s.close(); // a graceful stop: the idle session is told to move and closed
            next = TestServer.start(data, cfg -> cfg.bind(new java.net.InetSocketAddress("127.0.0.1", port)));
            st.type("ls\n");
            st.screen().await("inner.txt", 30_000);
            st.keys().close();
            assertEquals(ExitCode.OK, done.get(20, TimeUnit.SECONDS));
            String out = st.screen().text();
            assertTrue(out.contains("reconnected to 127.0.0.1:" + port + " (attempt 1 of 3)\n"), out);
            assertEquals(1, out.split("reconnected", -1).length - 1, "one line: " + out);
            assertFalse(out.contains("lost"), out);
            assertTrue(st.ctx().connection().isOpen(), "back at the prompt connected");
            assertEquals("~/docs", st.ctx().remoteCwd());
        } finally {
            st.ctx().connection().close();
            st.terminal().close();
            if (next != null) {
                next.close();
            }
        }
    }

    private static List<String> complete(ShellCompleter completer, LineReader reader, String line) {
        List<Candidate> candidates = new ArrayList<>();
        completer.complete(reader, new DefaultParser().parse(line, line.length()), candidates);
        return candidates.stream().map(Candidate::value).toList();
    }

    @Test
    void ctrlCCancelsTheRunningTransferAndReturnsToThePrompt() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data")); FileConnection c = s.login("alice", "secret-a")) {
            TransferEndToEndTest.randomFile(s.home("alice").resolve("big.bin"), 30L << 20, 9);
            Terminal[] term = new Terminal[1];
            AtomicBoolean pressed = new AtomicBoolean();
            Supplier<TransferListener> progress = () -> new TransferListener() {
                @Override
                public void progress(long done, long total) {
                    if (done > 0 && done < total && pressed.compareAndSet(false, true)) {
                        term[0].raise(Terminal.Signal.INT);
                    }
                }
            };
            Setup st = setup(c, progress);
            term[0] = st.terminal();
            CompletableFuture<ExitCode> done = CompletableFuture.supplyAsync(
                    () -> new Shell(st.terminal(), st.ctx(), new CommandTable(), tmp.resolve("h")).run());
            st.type("get big.bin\n");
            st.screen().await("get: interrupted: big.bin", 30_000);
            st.type("pwd\n");
            st.screen().await("~\n", 10_000);
            st.keys().close();
            assertEquals(ExitCode.OK, done.get(20, TimeUnit.SECONDS));
            assertTrue(pressed.get());
            assertFalse(Files.exists(tmp.resolve("big.bin")), "a cancelled download never appears as the file");
            assertTrue(Files.exists(tmp.resolve("big.bin.part")), "the part is kept for reget");
            assertTrue(c.isOpen(), "the connection survives the cancel");
            st.terminal().close();
        }
    }
}
