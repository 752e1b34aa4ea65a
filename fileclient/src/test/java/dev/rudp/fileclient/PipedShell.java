package dev.rudp.fileclient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client in batch mode reading its commands from a pipe ({@code -b -}), as a user typing them one
 * at a time: for tests that change something on the server between two commands. Password login,
 * no identity file, the server pinned by fingerprint, quiet.
 */
final class PipedShell implements AutoCloseable {
    private final PipedOutputStream feed = new PipedOutputStream();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final CompletableFuture<Integer> run;

    PipedShell(int port, String fingerprint, String user, String password) throws IOException {
        PipedInputStream in = new PipedInputStream(feed);
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        run = CompletableFuture.supplyAsync(() -> ClientMain.run(new String[] {
            "--port", String.valueOf(port), "--user", user, "--identity", "none", "--fingerprint", fingerprint,
            "-q", "-b", "-", "127.0.0.1"}, in, o, e, Map.of("FILECLIENT_PASSWORD", password), null));
    }

    /** Types one command line. */
    void send(String line) throws IOException {
        feed.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        feed.flush();
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Ends the input and waits for the client's exit status. */
    int exit(long seconds) throws Exception {
        feed.close();
        return run.get(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
        feed.close();
    }
}
