package dev.rudp.bench.load;

import dev.rudp.bench.load.Recorder.Kind;
import dev.rudp.fileclient.connection.CancelToken;
import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.ServerTrust;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.connection.Transfers;
import dev.rudp.fileclient.keys.Identity;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.protocol.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A session in the runner's JVM, through the fileclient library as {@code bin/fileclient} uses it
 * ({@link FileConnection}, {@link Transfers}): connect with DTLS (the server's fingerprint pinned), key
 * login, then rounds of put, get, ls, mv and rm of one random file each until the workload ends.
 */
final class JvmSession implements Runnable {
    private final int index;
    private final String user;
    private final Identity key;
    private final int port;
    private final String fingerprint;
    private final Path dir;
    private final Workload work;
    private final Recorder rec;
    private final SplittableRandom rnd;
    private final long connectTimeoutMillis;

    JvmSession(int index, String user, Identity key, int port, String fingerprint, Path dir, Workload work, Recorder rec,
            long seed, long connectTimeoutMillis) {
        this.index = index;
        this.user = user;
        this.key = key;
        this.port = port;
        this.fingerprint = fingerprint;
        this.dir = dir;
        this.work = work;
        this.rec = rec;
        this.rnd = new SplittableRandom(seed);
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private void timed(Kind kind, Step step) throws Exception {
        long t0 = System.nanoTime();
        step.run();
        rec.op(index, kind, System.nanoTime() - t0);
    }

    private FileConnection login() throws ClientException {
        FileConnection c = FileConnection.connect("127.0.0.1", port, connectTimeoutMillis, null,
                ServerTrust.fingerprint(fingerprint));
        try {
            c.loginWithKey(user, key.publicKey(), key::sign);
            return c;
        } catch (ClientException e) {
            c.close();
            throw e;
        }
    }

    @Override
    public void run() {
        FileConnection conn = null;
        try {
            Files.createDirectories(dir);
            conn = work.connect(this::login);
        } catch (ClientException e) {
            rec.failure(index, "connect: exit " + e.code() + ": " + e.getMessage());
        } catch (Exception e) {
            rec.failure(index, "connect: " + e);
        } finally {
            work.connected();
        }
        if (conn == null) {
            return;
        }
        try {
            work.awaitStart();
            try (FileConnection c = conn) {
                try (Transfers t = new Transfers(c)) {
                    Path up = dir.resolve("up");
                    Path down = dir.resolve("down");
                    for (int round = 0; work.goOn(); round++) {
                        String name = "f" + round;
                        String moved = "g" + round;
                        String sha = work.randomFile(rnd, up);
                        // checked end to end by its CRC32C; the get below compares the SHA-256 of what returns
                        timed(Kind.PUT, () -> t.upload(up, name, false, TransferListener.NONE, new CancelToken()));
                        timed(Kind.GET, () -> t.download(name, down, false, TransferListener.NONE, new CancelToken()));
                        check("get", sha, Workload.sha256(down));
                        rec.verified(Files.size(down));
                        Files.delete(down);
                        timed(Kind.LS, () -> {
                            Reply r = c.call(Op.LS, List.of(""));
                            if (r.entries().stream().noneMatch(e -> e.name().equals(name))) {
                                throw new IllegalStateException("ls does not list " + name);
                            }
                        });
                        timed(Kind.MV, () -> c.call(Op.RENAME, List.of(name, moved)));
                        timed(Kind.RM, () -> c.call(Op.RM, List.of(moved), 0));
                    }
                }
            }
        } catch (ClientException e) {
            rec.failure(index, "exit " + e.code() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            conn.close();
        } catch (Exception e) {
            rec.failure(index, String.valueOf(e));
        }
    }

    private static void check(String what, String expected, String got) {
        if (!expected.equals(got)) {
            throw new IllegalStateException(what + ": SHA-256 " + got + " differs from " + expected);
        }
    }
}
