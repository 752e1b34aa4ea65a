package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.rudp.fileclient.connection.CancelToken;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.ServerTrust;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.connection.Transfers;
import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.protocol.FileEntry;
import dev.rudp.fileserver.protocol.Op;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the client mid-download and of the server at seeded points of uploads, renames,
 * {@code rm -r}, {@code cp -r} and account changes (issue 16, "Crashes"). Client and server are child
 * JVMs ({@code ClientMain}, {@code ServerMain serve}: what {@code bin/fileclient} and
 * {@code bin/fileserver} run) killed with SIGKILL ({@link Process#destroyForcibly()}) at a moment
 * picked from a seed and found by watching progress (the size of a partial file, replies counted,
 * files left), never by sleeping. After each server kill the server restarts on the same data folder
 * and the test checks: every file is its old or its new complete version (SHA-256), nothing else is
 * visible to the user (recursive {@code ls} through the client), the accounts file parses and holds
 * every account, and {@code reput} completes an interrupted upload.
 *
 * <p>{@code -Dcrash.points=N} (default 5, the full run 20) and {@code -Dcrash.seed=S} (default 16)
 * choose the run.
 */
@Timeout(600)
class CrashTest {
    /**
     * 5 in the suite, each kind once (each point costs a server JVM start: 47 s per point at a load
     * average of 30-40 on 2 cores); the documented full run takes 20.
     */
    private static final int POINTS = Integer.getInteger("crash.points", 5);
    /** The idle timeout of the test's own connections: how soon an operation notices its server died. */
    private static final long IDLE_MILLIS = 4_000;
    private static final long SEED = Long.getLong("crash.seed", 16);
    private static final String ABSENT = "absent";
    private static final long WAIT_MILLIS = 120_000;

    @TempDir
    Path tmp;

    // ---- the client killed mid-get ------------------------------------------------------------------

    @Test
    void aClientKilledMidGetLeavesThePartAndRegetCompletesIt() throws Exception {
        long size = 48L << 20;
        // 32 MB/s for the user: about 1.6 s for the file, so the kill always lands before its end (at
        // most 80% in, a fifth of the file is still 0.3 s away); unthrottled on loopback it takes 0.2 s
        try (TestServer s = TestServer.start(tmp.resolve("data"), c -> c.userRate(32_000_000))) {
            TransferEndToEndTest.randomFile(s.home("alice").resolve("big.bin"), size, 16);
            String want = sha256(s.home("alice").resolve("big.bin"));
            Path local = tmp.resolve("big.bin");
            Path part = tmp.resolve("big.bin.part");
            double at = 0.1 + 0.7 * new Random(SEED).nextDouble();
            Process client = java("dev.rudp.fileclient.ClientMain", List.of("--no-agent", "--port",
                    String.valueOf(s.port()), "--user", "alice", "--fingerprint", s.fingerprint(), "-q", "-c",
                    "get big.bin " + local, "127.0.0.1"), Map.of("FILECLIENT_PASSWORD", "secret-a", "HOME",
                    tmp.resolve("home").toString(), "FILECLIENT_AGENT_DIR", tmp.resolve("agent").toString()));
            try {
                Output out = Output.drain(client);
                waitFor(() -> size(part) >= at * size || !client.isAlive(), "the download to reach " + at);
                assertTrue(client.isAlive(), "the client ended before it was killed: " + out.text());
                kill9(client);
            } finally {
                client.destroyForcibly();
            }
            long left = size(part);
            System.out.printf("client killed at %.0f%% of the download; the .part holds %d bytes%n", at * 100, left);
            assertTrue(left > 0 && left < size, "the partial download stays as the .part: " + left);
            assertTrue(!Files.exists(local), "no complete-looking file beside the .part");
            BatchModeTest.Run r = BatchModeTest.client(s, "secret-a", "", "--connect-timeout", "30", "-q", "-c",
                    "reget big.bin " + local);
            assertEquals(0, r.code(), r.err());
            assertEquals(want, sha256(local), "reget completed the file");
            assertTrue(!Files.exists(part), "the .part is gone once complete");
        }
    }

    // ---- the server killed at seeded points ---------------------------------------------------------

    private enum Kind { UPLOAD, RENAME, RM_R, CP_R, ACCOUNT }

    /** The server's data folder, the files the test expects (path -> allowed SHA-256s) and accounts. */
    private final Map<String, Set<String>> expected = new TreeMap<>();
    private final Set<String> accounts = new TreeSet<>();
    private final List<String> pendingReputs = new ArrayList<>();
    private Path data;
    private Path home;
    private ServerProcess server;
    private String fingerprint;

    @Test
    void aServerKilledAtSeededPointsLosesNothing() throws Exception {
        data = tmp.resolve("data");
        home = data.resolve("home").resolve("alice");
        Files.createDirectories(home);
        AccountStore store = AccountStore.open(data);
        store.put(new Account("alice", false, TestServer.CHEAP.hash("secret-a".toCharArray())));
        accounts.add("alice");
        server = ServerProcess.start(data, tmp.resolve("server-0.log"));
        fingerprint = server.fingerprint;
        ExecutorService pool = Executors.newCachedThreadPool();
        StringBuilder report = new StringBuilder();
        int midway = 0;
        try {
            for (int i = 0; i < POINTS; i++) {
                Random rnd = new Random(new java.util.SplittableRandom(SEED * 1_000 + i).nextLong()); // adjacent seeds mixed
                Kind kind = Kind.values()[i % Kind.values().length];
                double at = 0.05 + 0.9 * rnd.nextDouble();
                boolean mid;
                try (FileConnection c = login()) {
                    mid = switch (kind) {
                        case UPLOAD -> upload(i, c, at, rnd, pool);
                        case RENAME -> rename(i, c, at, pool);
                        case RM_R -> removeTree(i, c, at, pool);
                        case CP_R -> copyTree(i, c, at, pool);
                        case ACCOUNT -> changeAccount(i, rnd);
                    };
                }
                midway += mid ? 1 : 0;
                server = ServerProcess.start(data, tmp.resolve("server-" + (i + 1) + ".log"));
                assertEquals(fingerprint, server.fingerprint, "the identity survives");
                String state = check(i, kind);
                report.append(String.format("point %2d %-7s at %3.0f%%: %s; %s%n", i, kind, at * 100,
                        mid ? "killed mid-operation" : "operation had finished", state));
            }
        } finally {
            System.out.print(report);
            pool.shutdownNow();
            if (server != null) {
                server.kill();
            }
        }
        System.out.printf("%d of %d points killed the server mid-operation%n", midway, POINTS);
        assertTrue(midway >= POINTS / 2, "most points must hit an operation in progress:\n" + report);
    }

    private FileConnection login() throws Exception {
        // A short idle timeout (keepalives every half of it): an operation whose server was killed fails
        // in seconds, not after the default 30 s, so each seeded point costs what it does.
        FileConnection c = FileConnection.connect("127.0.0.1", server.port, 30_000, null,
                ServerTrust.fingerprint(fingerprint), IDLE_MILLIS);
        c.login("alice", "secret-a".toCharArray());
        return c;
    }

    /** A 12 MiB upload replacing a 64 KiB file, killed once its partial file holds {@code at} of it. */
    private boolean upload(int i, FileConnection c, double at, Random rnd, ExecutorService pool) throws Exception {
        String name = "up" + i + ".bin";
        Path old = home.resolve(name);
        Files.write(old, bytes(rnd, 64 << 10));
        Path local = tmp.resolve("new-" + name);
        Files.write(local, bytes(rnd, 12 << 20));
        expected.put(name, Set.of(sha256(old), sha256(local)));
        Future<?> up = pool.submit(() -> new Transfers(c).upload(local, name, false, new TransferListener() { },
                new CancelToken()));
        Path partials = data.resolve("partial").resolve("alice");
        boolean mid = killWhen(() -> partialBytes(partials, "") >= at * size(local), up);
        finish(up);
        pendingReputs.add(name);
        return mid;
    }

    /** 40 renames one after the other, killed after a seeded number of them. */
    private boolean rename(int i, FileConnection c, double at, ExecutorService pool) throws Exception {
        String dir = "mv" + i;
        Files.createDirectories(home.resolve(dir));
        int n = 40;
        for (int k = 0; k < n; k++) {
            Path f = home.resolve(dir + "/f" + k);
            Files.writeString(f, "file " + k + " of " + dir);
            expected.put(dir + "/f" + k, Set.of(sha256(f), ABSENT));
            expected.put(dir + "/g" + k, Set.of(sha256(f), ABSENT));
        }
        AtomicInteger done = new AtomicInteger();
        Future<?> mv = pool.submit(() -> {
            for (int k = 0; k < n; k++) {
                c.call(Op.RENAME, List.of(dir + "/f" + k, dir + "/g" + k));
                done.incrementAndGet();
            }
            return null;
        });
        boolean mid = killWhen(() -> done.get() >= at * n, mv);
        finish(mv);
        return mid;
    }

    /** {@code rm -r} of 600 files in nested folders, killed once a seeded share is gone. */
    private boolean removeTree(int i, FileConnection c, double at, ExecutorService pool) throws Exception {
        String dir = "rm" + i;
        int n = 600;
        for (int k = 0; k < n; k++) {
            Path f = home.resolve(dir + "/a" + k % 6 + "/b" + k % 5 + "/f" + k);
            Files.createDirectories(f.getParent());
            Files.writeString(f, "x".repeat(k));
            expected.put(home.relativize(f).toString(), Set.of(sha256(f), ABSENT));
        }
        Path root = home.resolve(dir);
        Future<?> rm = pool.submit(() -> c.call(Op.RM, List.of(dir), 1));
        boolean mid = killWhen(() -> countFiles(root) <= (1 - at) * n, rm);
        finish(rm);
        return mid;
    }

    /** {@code cp -r} of eight 2 MiB files, killed once a seeded share of the bytes is copied. */
    private boolean copyTree(int i, FileConnection c, double at, ExecutorService pool) throws Exception {
        String dir = "cp" + i;
        Random content = new Random(i);
        int n = 8;
        long total = 0;
        for (int k = 0; k < n; k++) {
            Path f = home.resolve(dir + "/f" + k);
            Files.createDirectories(f.getParent());
            Files.write(f, bytes(content, 2 << 20));
            total += Files.size(f);
            expected.put(dir + "/f" + k, Set.of(sha256(f)));
            expected.put(dir + "c/f" + k, Set.of(sha256(f), ABSENT));
        }
        long all = total;
        Path copy = home.resolve(dir + "c");
        Path partials = data.resolve("partial").resolve("alice");
        Future<?> cp = pool.submit(() -> c.call(Op.CP, List.of(dir, dir + "c"), 1));
        boolean mid = killWhen(() -> treeBytes(copy) + partialBytes(partials, "copy-") >= at * all, cp);
        finish(cp);
        return mid;
    }

    /**
     * {@code fileserver adduser} (even points) or {@code passwd} as its own process while the server
     * runs; the server is killed while it runs, before or after it rewrote the accounts file (seeded).
     */
    private boolean changeAccount(int i, Random rnd) throws Exception {
        boolean add = accounts.size() < 2 || rnd.nextBoolean();
        String name = add ? "user" + i : accounts.stream().filter(a -> !a.equals("alice")).findFirst().orElseThrow();
        Path file = data.resolve("accounts");
        String before = Files.readString(file);
        boolean afterWrite = rnd.nextBoolean();
        Process p = java("dev.rudp.fileserver.ServerMain", List.of(add ? "adduser" : "passwd", "--root",
                data.toString(), name), Map.of());
        Output out = Output.drain(p);
        try (OutputStream in = p.getOutputStream()) {
            in.write(("password-" + i + "\n").getBytes(StandardCharsets.UTF_8));
        }
        boolean mid;
        if (afterWrite) {
            waitFor(() -> !readQuietly(file).equals(before) || !p.isAlive(), "the accounts file to change");
            mid = p.isAlive();
        } else {
            mid = p.isAlive();
        }
        server.kill();
        assertTrue(p.waitFor(WAIT_MILLIS, TimeUnit.MILLISECONDS), "the account change ends");
        assertEquals(0, p.exitValue(), out.text());
        accounts.add(name);
        return mid;
    }

    /** Kills the server when {@code when} holds or {@code op} ended; whether {@code op} still ran then. */
    private boolean killWhen(BooleanSupplier when, Future<?> op) throws Exception {
        waitFor(() -> op.isDone() || when.getAsBoolean(), "the seeded point");
        boolean running = !op.isDone();
        server.kill();
        return running;
    }

    private static void finish(Future<?> op) {
        try {
            op.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // the server died under it: expected
        }
    }

    /** After a restart: files, listing, accounts and reput. */
    private String check(int i, Kind kind) throws Exception {
        Set<String> listed = new TreeSet<>();
        try (FileConnection c = login()) {
            listRecursively(c, "", listed);
            for (String name : new ArrayList<>(pendingReputs)) {
                Path local = tmp.resolve("new-" + name);
                Transfers.Result r = new Transfers(c).upload(local, name, true, new TransferListener() { },
                        new CancelToken());
                assertTrue(r != null, "reput " + name);
                assertEquals(sha256(local), sha256(home.resolve(name)), "reput completed " + name);
                expected.put(name, Set.of(sha256(local)));
                pendingReputs.remove(name);
            }
        }
        int absent = 0;
        for (Map.Entry<String, Set<String>> e : expected.entrySet()) {
            Path f = home.resolve(e.getKey());
            String actual = Files.isRegularFile(f) ? sha256(f) : ABSENT;
            if (!e.getValue().contains(actual)) {
                fail("point " + i + " (" + kind + "): " + e.getKey() + " is neither its old nor its new version");
            }
            absent += actual.equals(ABSENT) ? 1 : 0;
        }
        for (String name : listed) {
            if (!expected.containsKey(name) && !isFolderOfExpected(name)) {
                fail("point " + i + " (" + kind + "): the user sees " + name + ", which no operation made");
            }
        }
        for (Map.Entry<String, Set<String>> e : expected.entrySet()) {
            Path f = home.resolve(e.getKey());
            e.setValue(Set.of(Files.isRegularFile(f) ? sha256(f) : ABSENT));
        }
        Set<String> names = new TreeSet<>();
        names.addAll(AccountStore.open(data).names());
        assertTrue(names.containsAll(accounts), "the accounts file holds every account: " + names + " vs " + accounts);
        return listed.size() + " entries listed, " + absent + " tracked paths absent, accounts " + names;
    }

    private boolean isFolderOfExpected(String name) {
        String prefix = name + "/";
        return expected.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }

    private static void listRecursively(FileConnection c, String dir, Set<String> out) throws Exception {
        for (FileEntry e : c.call(Op.LS, List.of(dir.isEmpty() ? "." : dir)).entries()) {
            String path = dir.isEmpty() ? e.name() : dir + "/" + e.name();
            out.add(path);
            if (e.isDirectory()) {
                listRecursively(c, path, out);
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** A server child process; its output goes to a file, its port and fingerprint come from it. */
    private static final class ServerProcess {
        private static final Pattern LISTENING = Pattern.compile(
                "fileserver: listening on /127\\.0\\.0\\.1:(\\d+) \\(DTLS, fingerprint (SHA256:[^;]+);");
        final Process process;
        final int port;
        final String fingerprint;

        private ServerProcess(Process process, int port, String fingerprint) {
            this.process = process;
            this.port = port;
            this.fingerprint = fingerprint;
        }

        static ServerProcess start(Path data, Path log) throws Exception {
            Process p = java("dev.rudp.fileserver.ServerMain", List.of("serve", "--root", data.toString(),
                    "--bind", "127.0.0.1", "--port", "0"), Map.of());
            CompletableFuture<Matcher> listening = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8)); var w = Files.newBufferedWriter(log)) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        w.write(line);
                        w.newLine();
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            listening.complete(m);
                        }
                    }
                } catch (IOException e) {
                    listening.completeExceptionally(e);
                }
                listening.completeExceptionally(new IOException("the server ended before listening"));
            }, "server-output");
            t.setDaemon(true);
            t.start();
            Matcher m = listening.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            return new ServerProcess(p, Integer.parseInt(m.group(1)), m.group(2));
        }

        void kill() throws InterruptedException {
            kill9(process);
        }
    }

    /** A child JVM running {@code main} with this test's class path. */
    private static Process java(String main, List<String> args, Map<String, String> env) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(args);
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
        b.environment().putAll(env);
        return b.start();
    }

    /** SIGKILL, and wait until the process is gone. */
    private static void kill9(Process p) throws InterruptedException {
        p.destroyForcibly();
        assertTrue(p.waitFor(WAIT_MILLIS, TimeUnit.MILLISECONDS), "the killed process ends");
    }

    /** Collects a child's output (so its pipe never fills). */
    private static final class Output {
        private final StringBuffer text = new StringBuffer();

        static Output drain(Process p) {
            Output o = new Output();
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        o.text.append(line).append('\n');
                    }
                } catch (IOException e) {
                    o.text.append(e).append('\n');
                }
            }, "child-output");
            t.setDaemon(true);
            t.start();
            return o;
        }

        String text() {
            return text.toString();
        }
    }

    /**
     * Polls {@code condition} (a file's size, a counter) until it holds, within {@link #WAIT_MILLIS}:
     * progress is watched, not guessed.
     */
    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.sleep(1); // a poll interval, not a synchronisation: the condition is checked again
        }
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String readQuietly(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return "";
        }
    }

    private static long partialBytes(Path dir, String prefix) {
        long n = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().startsWith(prefix)) {
                    n += size(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            return n;
        }
        return n;
    }

    private static long treeBytes(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(CrashTest::size).sum();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long countFiles(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        } catch (IOException | RuntimeException e) {
            return Long.MAX_VALUE; // changing under the walk: look again
        }
    }

    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    static String sha256(Path f) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(f)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
