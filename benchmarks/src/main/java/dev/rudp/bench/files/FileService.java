package dev.rudp.bench.files;

import dev.rudp.bench.e2e.Meter;
import dev.rudp.bench.e2e.Payload;
import dev.rudp.fileclient.ClientMain;
import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.auth.PasswordHasher;
import dev.rudp.fileserver.server.FileServer;
import dev.rudp.fileserver.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The file service as it ships: a {@link FileServer} with the defaults of {@code fileserver serve}
 * (DTLS with a self-signed identity in its data folder, BBR, 8 I/O threads, scrypt N=2^15) on
 * 127.0.0.1, an account created as {@code fileserver adduser} does, and each transfer one
 * {@link ClientMain#run} with {@code -c "put ..."} or {@code -c "get ..."}: the code path of
 * {@code bin/fileclient} batch mode, connect, DTLS handshake (pinned with {@code --fingerprint}, as
 * {@code bin/demo} does) and login included. The client runs in this JVM, so a row's CPU is both ends.
 *
 * <p>The rows marked {@link #NEW_JVM} run the same command as a user does, in a new client JVM
 * ({@code java -cp <this class path> dev.rudp.fileclient.ClientMain}, as {@code bin/fileclient} runs it
 * once its class data sharing archive exists: an untimed first run records it): JVM start and the
 * client's JIT compilation are then part of the row, as process start is part of sftp's. Their CPU is
 * the child's (reaped, so counted in this process's children's time) plus this JVM's (the server).
 */
final class FileService implements AutoCloseable {
    static final String USER = "bench";
    static final String REMOTE = "bench.bin";
    static final String SESSION = "fileclient session only (pwd)";
    /** Suffix of the rows whose client is a new JVM. */
    static final String NEW_JVM = ", new JVM";

    private final Path data;
    private final String password;
    private FileServer server;

    private FileService(Path data, String password) {
        this.data = data;
        this.password = password;
    }

    /** Creates the data folder's account and starts the server. */
    static FileService start(Path data) throws IOException, InterruptedException {
        byte[] secret = new byte[18];
        new SecureRandom().nextBytes(secret);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Files.createDirectories(data);
        AccountStore.open(data).put(new Account(USER, false, PasswordHasher.DEFAULT.hash(password.toCharArray())));
        FileService s = new FileService(data, password);
        s.server = FileServer.start(serverConfig(data));
        return s;
    }

    private static ServerConfig serverConfig(Path data) {
        return new ServerConfig(data).bind(new InetSocketAddress("127.0.0.1", 0));
    }

    /** Where a put lands on the server. */
    Path remoteFile() {
        return data.resolve("home").resolve(USER).resolve(REMOTE);
    }

    /** {@code fileclient put SOURCE bench.bin}, timed; checks the server's copy afterwards. */
    FileRow put(Payload payload, Path source, long bytes, long timeoutMillis) throws IOException, InterruptedException {
        return put(payload, source, bytes, timeoutMillis, false);
    }

    /** As {@link #put(Payload, Path, long, long)}, the client in a new JVM when {@code newJvm}. */
    FileRow put(Payload payload, Path source, long bytes, long timeoutMillis, boolean newJvm)
            throws IOException, InterruptedException {
        Files.deleteIfExists(remoteFile());
        return run("fileclient put", "put " + quote(source) + " " + REMOTE, payload, remoteFile(), bytes, timeoutMillis,
                newJvm);
    }

    /** {@code fileclient get bench.bin TARGET}, timed; checks TARGET afterwards. Needs the server's copy. */
    FileRow get(Payload payload, Path target, long bytes, long timeoutMillis) throws IOException, InterruptedException {
        return get(payload, target, bytes, timeoutMillis, false);
    }

    /** As {@link #get(Payload, Path, long, long)}, the client in a new JVM when {@code newJvm}. */
    FileRow get(Payload payload, Path target, long bytes, long timeoutMillis, boolean newJvm)
            throws IOException, InterruptedException {
        Files.deleteIfExists(target);
        return run("fileclient get", "get " + REMOTE + " " + quote(target), payload, target, bytes, timeoutMillis,
                newJvm);
    }

    /**
     * {@code fileclient -c pwd}, timed: what every transfer row pays before and after its bytes
     * (connect, DTLS handshake, scrypt login, close), shown on its own so the rows can be read.
     */
    FileRow session(long timeoutMillis) throws IOException, InterruptedException {
        return session(timeoutMillis, false);
    }

    /** As {@link #session(long)}, the client in a new JVM when {@code newJvm}. */
    FileRow session(long timeoutMillis, boolean newJvm) throws IOException, InterruptedException {
        return run(SESSION, "pwd", null, null, 0, timeoutMillis, newJvm);
    }

    private FileRow run(String name, String command, Payload payload, Path landed, long bytes, long timeoutMillis,
            boolean newJvm) throws IOException, InterruptedException {
        String[] argv = {"--port", String.valueOf(server.address().getPort()), "--user", USER,
            "--fingerprint", server.identity().fingerprint(), "--connect-timeout", "10",
            "--timeout", String.valueOf(Math.max(1, timeoutMillis / 1000)), "-q", "-c", command, "127.0.0.1"};
        if (newJvm) {
            return inNewJvm(name + NEW_JVM, argv, payload, landed, bytes, timeoutMillis);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = Map.of("FILECLIENT_PASSWORD", password);
        CompletableFuture<Integer> status = new CompletableFuture<>();
        Thread client;
        double seconds;
        double cpu;
        try (Meter meter = new Meter()) {
            client = new Thread(() -> {
                int code = -1;
                Throwable failure = null;
                try {
                    code = ClientMain.run(argv, InputStream.nullInputStream(),
                            new PrintStream(out, true, StandardCharsets.UTF_8),
                            new PrintStream(err, true, StandardCharsets.UTF_8), env, null);
                } catch (Throwable t) {
                    failure = t;
                }
                // Stopped before the waiting thread learns the outcome, so it reads the final figures.
                meter.stop();
                if (failure != null) {
                    status.completeExceptionally(failure);
                } else {
                    status.complete(code);
                }
            }, "bench-fileclient");
            client.setDaemon(true);
            meter.start();
            client.start();
            Integer code;
            try {
                code = status.get(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                meter.stop();
                code = null;
            } catch (ExecutionException e) {
                meter.stop();
                return FileRow.failed(name, bytes, e.getCause(), meter.seconds(), meter.cpuSeconds());
            }
            seconds = meter.seconds();
            cpu = meter.cpuSeconds();
            if (code == null) {
                // The server's shutdown tells the client to leave; a new server takes its place for the next row.
                restart();
                client.join(10_000);
                return new FileRow(name, bytes, 0, "timeout", seconds, cpu);
            }
            if (code != 0) {
                String why = err.toString(StandardCharsets.UTF_8).trim().replace('\n', ' ').replace('|', '/');
                return new FileRow(name, bytes, 0, "failed: exit " + code + " " + why, seconds, cpu);
            }
        }
        return FileRow.landed(name, payload, landed, bytes, seconds, cpu);
    }

    private FileRow inNewJvm(String name, String[] argv, Payload payload, Path landed, long bytes,
            long timeoutMillis) throws IOException, InterruptedException {
        Path archive = data.resolve("fileclient.jsa");
        if (!Files.isRegularFile(archive)) {
            // bin/fileclient's first run, untimed: a session that records the class archive the timed runs map.
            String[] session = argv.clone();
            session[List.of(argv).indexOf("-c") + 1] = "pwd";
            ChildRun.of(command(List.of("-XX:ArchiveClassesAtExit=" + archive), session).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD), timeoutMillis);
        }
        List<String> jvm = Files.isRegularFile(archive) ? List.of("-XX:SharedArchiveFile=" + archive) : List.of();
        ProcessBuilder pb = command(jvm, argv);
        Path output = Files.createTempFile(data, "fileclient-", ".out");
        pb.redirectErrorStream(true).redirectOutput(output.toFile());
        ChildRun run = ChildRun.of(pb, timeoutMillis);
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        Files.deleteIfExists(output);
        if (run.timedOut()) {
            return new FileRow(name, bytes, 0, "timeout", run.seconds(), run.cpuSeconds());
        }
        if (run.code() != 0) {
            return new FileRow(name, bytes, 0, "failed: exit " + run.code() + " " + printed.trim().replace('\n', ' ')
                    .replace('|', '/'), run.seconds(), run.cpuSeconds());
        }
        return FileRow.landed(name, payload, landed, bytes, run.seconds(), run.cpuSeconds());
    }

    /** A client JVM as bin/fileclient starts it (class data sharing messages silenced), with {@code jvm} options. */
    private ProcessBuilder command(List<String> jvm, String[] argv) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.addAll(List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-cp", System.getProperty("java.class.path"),
                ClientMain.class.getName()));
        cmd.addAll(List.of(argv));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("FILECLIENT_PASSWORD", password);
        return pb;
    }

    private void restart() throws IOException, InterruptedException {
        server.shutdown();
        server = FileServer.start(serverConfig(data));
    }

    /** Quotes a local path for the client's word splitter. */
    private static String quote(Path p) {
        return "'" + p.toAbsolutePath() + "'";
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
