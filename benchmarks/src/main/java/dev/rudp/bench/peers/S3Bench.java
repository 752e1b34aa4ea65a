package dev.rudp.bench.peers;

import dev.rudp.bench.RawRun;
import dev.rudp.bench.Sizes;
import dev.rudp.bench.e2e.Machine;
import dev.rudp.bench.files.DiskFiles;
import dev.rudp.bench.files.ProcCpu;
import dev.rudp.fileserver.storage.s3.S3ClientFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * {@code java -jar benchmarks.jar s3 [--size BYTES] [--rounds N]}: issue 14's measure. Put and get of
 * one file through the file service on its S3 backend ({@code bin/fileserver serve --store s3://...},
 * {@code bin/fileclient -c put|get} through a warm agent, DTLS, checked end to end) beside the engine's
 * own speed for the same file in the same run: one SDK PutObject from the file and one GetObject to a
 * file, with the same client settings the server uses ({@link S3ClientFactory}). The engine is the
 * one named by {@code RUDP_S3_ENDPOINT}/{@code RUDP_S3_ACCESS_KEY}/{@code RUDP_S3_SECRET_KEY}, or one
 * this runner starts with {@code bin/objectstore} in a scratch folder. Rows run round-robin; medians.
 * Every landed copy is checked against the source's SHA-256. Writes {@code results/s3-STAMP}.
 */
public final class S3Bench {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final List<String> ROWS = List.of("SDK PutObject (raw engine)", "bin/fileclient put, S3 backend",
            "SDK GetObject (raw engine)", "bin/fileclient get, S3 backend");
    private static final long TIMEOUT_MILLIS = 600_000;

    private S3Bench() {
    }

    /** Entry point; returns the exit status. */
    public static int main(String[] args, PrintStream log) throws Exception {
        long size = 1L << 30;
        int rounds = 3;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--size") && i + 1 < args.length) {
                size = Sizes.parse(args[++i]);
            } else if (args[i].equals("--rounds") && i + 1 < args.length) {
                rounds = Math.max(1, Integer.parseInt(args[++i]));
            } else {
                log.println("usage: java -jar benchmarks.jar s3 [--size BYTES] [--rounds N]   (default 1g, 3)");
                return 2;
            }
        }
        Path cwd = Paths.get("").toAbsolutePath();
        Path repo = Files.isRegularFile(cwd.resolve("bin/fileclient")) ? cwd : cwd.getParent();
        Path work = Files.createTempDirectory("rudp-bench-s3-");
        Path agents = Files.createTempDirectory("rudp-agents-");
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        Map<String, List<Double>> serverCpu = new LinkedHashMap<>();
        Map<String, List<Double>> agentCpu = new LinkedHashMap<>();
        ROWS.forEach(r -> {
            seconds.put(r, new ArrayList<>());
            serverCpu.put(r, new ArrayList<>());
            agentCpu.put(r, new ArrayList<>());
        });
        Engine engine = null;
        try {
            engine = Engine.open(repo, work);
            log.println("s3: engine at " + engine.endpoint);
            Path source = work.resolve("source.bin");
            String sha = writeRandom(source, size);
            S3ClientFactory factory = S3ClientFactory.builder().endpoint(URI.create(engine.endpoint))
                    .staticCredentials(engine.access, engine.secret).build();
            String bucket = "rudp-bench-" + Long.toHexString(new SecureRandom().nextLong() & 0xffffffffL);
            try (S3AsyncClient s3 = factory.newClient()) {
                s3.createBucket(b -> b.bucket(bucket)).get(60, TimeUnit.SECONDS);
                Map<String, String> env = new HashMap<>(Map.of("AWS_ACCESS_KEY_ID", engine.access,
                        "AWS_SECRET_ACCESS_KEY", engine.secret, "AWS_EC2_METADATA_DISABLED", "true"));
                List<String> store = List.of("--store", "s3://" + bucket + "/service", "--s3-endpoint", engine.endpoint);
                String password = Base64.getUrlEncoder().withoutPadding().encodeToString(new SecureRandom().generateSeed(18));
                List<String> add = new ArrayList<>(List.of(bin(repo, "fileserver"), "adduser"));
                add.addAll(store);
                add.add(Fileclient.USER);
                run("adduser", add, work, env, password + "\n");
                int port = Ports.pick();
                List<String> serve = new ArrayList<>(List.of(bin(repo, "fileserver"), "serve"));
                serve.addAll(store);
                serve.addAll(List.of("--bind", "127.0.0.1", "--port", String.valueOf(port)));
                try (Proc server = Proc.start("fileserver", Side.LOOPBACK, serve, work, false, env, null)) {
                    if (!server.awaitOutput("fingerprint ", 120_000)) {
                        throw new IOException("fileserver did not start: " + server.tail(400));
                    }
                    String out = server.output();
                    String fp = out.substring(out.indexOf("fingerprint ") + "fingerprint ".length()).split("[;,\\s]")[0];
                    Map<String, String> clientEnv = Map.of("FILECLIENT_PASSWORD", password, "FILECLIENT_AGENT_DIR",
                            agents.toString());
                    List<String> client = List.of(bin(repo, "fileclient"), "--port", String.valueOf(port), "--user",
                            Fileclient.USER, "--fingerprint", fp, "--connect-timeout", "30", "--timeout", "600", "-q");
                    Path back = work.resolve("landed.bin");
                    // warm the server and the agent first, as a server and a user's agent that have been up a while
                    fileclient(client, "put \"" + source + "\" warm.bin; get warm.bin \"" + back + "\"; rm warm.bin",
                            work, clientEnv);
                    for (int round = 0; round < rounds; round++) {
                        String key = "raw-" + round + ".bin";
                        seconds.get(ROWS.get(0)).add(timed(() -> s3.putObject(b -> b.bucket(bucket).key(key),
                                AsyncRequestBody.fromFile(source)).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)));
                        long agent = Fileclient.agentPid(agents);
                        double cpu0 = server.cpuNow();
                        double agent0 = ProcCpu.seconds(agent, true);
                        seconds.get(ROWS.get(1)).add(timed(() -> fileclient(client, "put \"" + source + "\" bench.bin",
                                work, clientEnv)));
                        serverCpu.get(ROWS.get(1)).add(ProcCpu.delta(server.cpuNow(), cpu0));
                        agentCpu.get(ROWS.get(1)).add(agent < 0 ? -1.0 : ProcCpu.delta(ProcCpu.seconds(agent, true), agent0));
                        Files.deleteIfExists(back);
                        seconds.get(ROWS.get(2)).add(timed(() -> s3.getObject(b -> b.bucket(bucket).key(key),
                                AsyncResponseTransformer.toFile(back)).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)));
                        check(back, sha, "SDK GetObject");
                        Files.deleteIfExists(back);
                        double cpu1 = server.cpuNow();
                        double agent1 = ProcCpu.seconds(agent, true);
                        seconds.get(ROWS.get(3)).add(timed(() -> fileclient(client, "get bench.bin \"" + back + "\"",
                                work, clientEnv)));
                        serverCpu.get(ROWS.get(3)).add(ProcCpu.delta(server.cpuNow(), cpu1));
                        agentCpu.get(ROWS.get(3)).add(agent < 0 ? -1.0 : ProcCpu.delta(ProcCpu.seconds(agent, true), agent1));
                        check(back, sha, "fileclient get");
                        Files.deleteIfExists(back);
                        // what the service stored, read back with the SDK, is the source too
                        try (InputStream in = s3.getObject(b -> b.bucket(bucket).key("service/" + Fileclient.USER
                                + "/bench.bin"), AsyncResponseTransformer.toBlockingInputStream())
                                .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                            if (!sha.equals(sha256(in))) {
                                throw new IOException("the object the service stored differs from the source");
                            }
                        }
                        s3.deleteObject(b -> b.bucket(bucket).key(key)).get(60, TimeUnit.SECONDS);
                        log.printf(Locale.ROOT, "s3: round %d/%d done%n", round + 1, rounds);
                    }
                    List<String> stop = new ArrayList<>(client.subList(0, client.indexOf("-q")));
                    stop.addAll(List.of("--agent-stop", "127.0.0.1"));
                    run("agent-stop", stop, work, clientEnv, null);
                }
            }
            record(seconds, serverCpu, agentCpu, size, rounds, engine.endpoint, log, "java -jar benchmarks/target/benchmarks.jar s3 "
                    + String.join(" ", args));
            return 0;
        } finally {
            Proc.stopAll();
            if (engine != null) {
                engine.close();
            }
            DiskFiles.deleteTree(work);
            DiskFiles.deleteTree(agents);
        }
    }

    /** The S3 engine: from the environment, or started here with bin/objectstore. */
    private static final class Engine implements AutoCloseable {
        final String endpoint;
        final String access;
        final String secret;
        private final Path startedIn;
        private final Path repo;

        private Engine(String endpoint, String access, String secret, Path startedIn, Path repo) {
            this.endpoint = endpoint;
            this.access = access;
            this.secret = secret;
            this.startedIn = startedIn;
            this.repo = repo;
        }

        static Engine open(Path repo, Path work) throws IOException, InterruptedException {
            String endpoint = System.getenv("RUDP_S3_ENDPOINT");
            if (endpoint != null) {
                return new Engine(endpoint, System.getenv("RUDP_S3_ACCESS_KEY"), System.getenv("RUDP_S3_SECRET_KEY"),
                        null, repo);
            }
            Path data = work.resolve("objectstore");
            String line = run("objectstore", List.of(bin(repo, "objectstore"), "start", "--data", data.toString()),
                    work, Map.of(), null);
            Map<String, String> f = new HashMap<>();
            for (String field : line.trim().split("\\s+")) {
                int eq = field.indexOf('=');
                if (eq > 0) {
                    f.put(field.substring(0, eq), field.substring(eq + 1));
                }
            }
            if (!f.containsKey("endpoint")) {
                throw new IOException("bin/objectstore start printed no endpoint: " + line);
            }
            return new Engine(f.get("endpoint"), f.get("access_key"), f.get("secret_key"), data, repo);
        }

        @Override
        public void close() throws IOException, InterruptedException {
            if (startedIn != null) {
                run("objectstore-stop", List.of(bin(repo, "objectstore"), "stop", "--data", startedIn.toString()),
                        startedIn.getParent(), Map.of(), null);
            }
        }
    }

    @FunctionalInterface
    private interface Step {
        Object run() throws Exception;
    }

    private static double timed(Step step) throws Exception {
        long t0 = System.nanoTime();
        step.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static Object fileclient(List<String> client, String command, Path work, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(client);
        argv.addAll(List.of("-c", command, "127.0.0.1"));
        return run("fileclient", argv, work, env, null);
    }

    /** Runs a command to its end; its output, or an IOException with its tail when it failed. */
    private static String run(String name, List<String> argv, Path dir, Map<String, String> env, String stdin)
            throws IOException, InterruptedException {
        try (Proc p = Proc.start(name, Side.LOOPBACK, argv, dir, true, env, stdin)) {
            if (!p.await(TIMEOUT_MILLIS) || p.exitCode() != 0) {
                throw new IOException(String.join(" ", argv) + " failed: " + p.tail(400));
            }
            return p.output();
        }
    }

    private static String writeRandom(Path file, long size) throws IOException {
        MessageDigest md = sha();
        SplittableRandom r = new SplittableRandom(new SecureRandom().nextLong());
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long done = 0; done < size; ) {
                b.clear();
                while (b.remaining() >= 8) {
                    b.putLong(r.nextLong());
                }
                b.flip().limit((int) Math.min(b.limit(), size - done));
                md.update(b.duplicate());
                while (b.hasRemaining()) {
                    done += ch.write(b);
                }
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void check(Path file, String sha, String what) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            if (!sha.equals(sha256(in))) {
                throw new IOException(what + ": what landed differs from the source");
            }
        }
    }

    private static String sha256(InputStream in) throws IOException {
        MessageDigest md = sha();
        byte[] buf = new byte[1 << 16];
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void record(Map<String, List<Double>> seconds, Map<String, List<Double>> serverCpu,
            Map<String, List<Double>> agentCpu, long size, int rounds, String endpoint, PrintStream log, String command)
            throws IOException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        StringBuilder md = new StringBuilder("## s3 ").append(DateTimeFormatter.ISO_INSTANT.format(now)).append("\n\n");
        md.append("- command: `").append(command).append("`\n");
        md.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        md.append("- machine: ").append(Machine.describe()).append('\n');
        md.append("- git commit: ").append(Machine.gitCommit()).append('\n');
        md.append("- engine: OpenStack Swift + s3api, single node, on this machine (").append(endpoint).append(")\n");
        md.append(String.format(Locale.ROOT, "- %d bytes, loopback, medians of %d (round-robin); every copy checked"
                + " against the source's SHA-256%n%n", size, rounds));
        md.append("- client CPU: the user's agent (warm, it runs the transfer); the launcher JVM of each command"
                + " (about 0.2 CPU-s) is not counted\n\n");
        md.append("| row | MB/s | range | vs raw engine | server CPU-s/GB | client CPU-s/GB |\n|---|---:|---|---:|---:|---:|\n");
        for (int i = 0; i < ROWS.size(); i++) {
            List<Double> s = seconds.get(ROWS.get(i));
            double med = median(s);
            double raw = median(seconds.get(ROWS.get(i < 2 ? 0 : 2)));
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f-%.1f | %.2fx | %s | %s |%n", ROWS.get(i),
                    size / med / 1e6, size / s.stream().mapToDouble(x -> x).max().orElse(med) / 1e6,
                    size / s.stream().mapToDouble(x -> x).min().orElse(med) / 1e6, raw / med,
                    perGb(serverCpu.get(ROWS.get(i)), size), perGb(agentCpu.get(ROWS.get(i)), size)));
        }
        Path out = Files.isDirectory(Paths.get("benchmarks")) ? Paths.get("benchmarks") : Paths.get(".");
        Path file = RawRun.write(out, "s3", STAMP.format(now), md.toString());
        log.println(md);
        log.println("wrote " + file.toAbsolutePath().normalize() + " and its .csv");
    }

    /** CPU-s per GB of the median reading, or "-" for a row without readings. */
    private static String perGb(List<Double> cpu, long size) {
        return cpu.isEmpty() || cpu.contains(-1.0) ? "-" : String.format(Locale.ROOT, "%.2f", median(cpu) / (size / 1e9));
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(x -> x).sorted().toArray();
        return a.length == 0 ? Double.NaN : a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String bin(Path repo, String name) {
        return repo.resolve("bin").resolve(name).toString();
    }
}
