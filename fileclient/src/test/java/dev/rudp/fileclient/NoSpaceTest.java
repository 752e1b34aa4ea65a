package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.connection.CancelToken;
import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.ServerTrust;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.connection.Transfers;
import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.protocol.Op;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk on the server. The server runs as its own process inside a private mount namespace
 * ({@code unshare -m}, as root; {@code unshare -rm} maps an ordinary user to root there) whose data
 * folder is a small tmpfs the test mounts there, so nothing outside the namespace sees the mount.
 * The test reads the namespace's files through {@code /proc/PID/root}.
 */
@Timeout(120)
class NoSpaceTest {
    private static final long DISK = 4L << 20;
    private static final Pattern LISTENING = Pattern.compile("listening /?127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path tmp;

    @Test
    void aFullDiskEndsTheUploadAtOnceWithOneClearErrorAndDeletesThePartial() throws Exception {
        Path accounts = Files.createDirectories(tmp.resolve("accounts"));
        AccountStore.open(accounts).put(new Account("alice", false, TestServer.CHEAP.hash("secret-a".toCharArray())));
        Path data = Files.createDirectories(tmp.resolve("data"));
        List<String> unshare = "root".equals(System.getProperty("user.name")) ? List.of("unshare", "-m")
                : List.of("unshare", "-rm");
        List<String> cmd = new java.util.ArrayList<>(unshare);
        // the paths go in as arguments of the script, never into its text
        cmd.addAll(List.of("sh", "-c", "mount -t tmpfs -o size=" + DISK + " tmpfs \"$1\" && cp -p \"$2\" \"$1/accounts\""
                + " && exec \"$3\" -Xmx256m -cp \"$4\" dev.rudp.fileserver.ServerMain serve --root \"$1\""
                + " --bind 127.0.0.1 --port 0 --plaintext", "sh", data.toString(),
                accounts.resolve("accounts").toString(), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                System.getProperty("java.class.path")));
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> log = new CopyOnWriteArrayList<>();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    log.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
            port.completeExceptionally(new AssertionError("the server did not start: " + log));
        }, "no-space-server-log");
        reader.start();
        try {
            int p = port.get(60, TimeUnit.SECONDS);
            long size = 64L << 20;
            Path big = TransferEndToEndTest.randomFile(tmp.resolve("big.bin"), size, 4);
            AtomicLong sent = new AtomicLong();
            TransferListener progress = new TransferListener() {
                @Override
                public void progress(long bytes, long total) {
                    sent.set(bytes);
                }
            };
            try (FileConnection c = FileConnection.connect("127.0.0.1", p, 10_000, null, ServerTrust.plaintext());
                    Transfers t = new Transfers(c)) {
                c.login("alice", "secret-a".toCharArray());
                Path old = TransferEndToEndTest.randomFile(tmp.resolve("old.bin"), DISK / 8, 6);
                t.upload(old, "big.bin", false, TransferListener.NONE, new CancelToken());
                String oldSha = Transfers.hashFile(old);
                ClientException e = assertThrows(ClientException.class,
                        () -> t.upload(big, "big.bin", false, progress, new CancelToken()));
                assertTrue(e.getMessage().startsWith("no space left on the server: big.bin"), e.getMessage());
                assertTrue(sent.get() < size / 2, "stopped sending at once, not after " + sent.get() + " bytes");

                assertEquals(DISK / 8, c.call(Op.DF, List.of()).num(0, -1),
                        "the partial upload is gone: only the old version is counted");
                Path partials = Path.of("/proc/" + server.pid() + "/root" + data.resolve("partial/alice"));
                try (Stream<Path> left = Files.list(partials)) {
                    assertEquals(List.of(), left.toList());
                }
                assertEquals(oldSha, Transfers.hashFile(Path.of("/proc/" + server.pid() + "/root"
                        + data.resolve("home/alice/big.bin"))), "the old version is intact");

                Path small = TransferEndToEndTest.randomFile(tmp.resolve("small.bin"), DISK / 4, 5);
                assertEquals(TransferEndToEndTest.crc32c(small),
                        t.upload(small, "small.bin", false, TransferListener.NONE, new CancelToken()).crc32c(),
                        "the space is free again and the server still serves");
            }
        } finally {
            server.destroy();
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the server stops on SIGTERM");
            reader.join(10_000);
        }
        assertEquals(1, log.stream().filter(l -> l.contains("no space left on the server")).count(),
                "logged once: " + log);
        assertFalse(Files.exists(data.resolve("accounts")), "the tmpfs was the namespace's only");
    }
}
