package dev.rudp.bench.files;

import dev.rudp.fileclient.ClientMain;
import dev.rudp.fileserver.ServerMain;
import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.auth.PasswordHasher;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code fileserver serve --loops N} under two concurrent downloads: the server runs as its own JVM
 * ({@code ServerMain serve}, DTLS, as a user starts it) so its CPU time is read alone from
 * {@code /proc/PID/stat}; two {@code fileclient get} run at once in this JVM (the path of
 * {@code bin/fileclient} batch mode). Runs are interleaved (loops 1, 2, 1, 2, ...) and each figure is
 * reported per run and as the median.
 *
 * <pre>java -jar benchmarks.jar loops [--bytes 1g] [--repeat 3] [--loops 1,2] [--dir DIR]</pre>
 */
public final class LoopsBench {
    private static final String USER = "bench";

    private LoopsBench() {
    }

    /** One run: each transfer's seconds and the server's CPU seconds over both. */
    private record Run(int loops, double[] seconds, double serverCpu, long bytes) {
        double mbps(int i) {
            return bytes / 1e6 / seconds[i];
        }

        double totalMbps() {
            return 2 * bytes / 1e6 / Math.max(seconds[0], seconds[1]);
        }

        double cpuPerGb() {
            return serverCpu / (2 * bytes / 1e9);
        }
    }

    public static int main(String[] args, PrintStream out) throws Exception {
        long bytes = 1L << 30;
        int repeat = 3;
        int[] loops = {1, 2};
        Path dir = Path.of("benchmarks", "results", "loops-data");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bytes" -> bytes = dev.rudp.bench.Sizes.parse(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--loops" -> loops = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--dir" -> dir = Path.of(args[++i]);
                default -> {
                    out.println("usage: loops [--bytes 1g] [--repeat 3] [--loops 1,2] [--dir DIR]");
                    return 2;
                }
            }
        }
        String password = prepare(dir, bytes);
        String fingerprint = fingerprint(dir);
        List<Run> runs = new ArrayList<>();
        out.printf("two concurrent %d-byte gets, DTLS, server in its own JVM; %d cores; load %s%n", bytes,
                Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).trim());
        out.println("| loops | run | get 1 MB/s | get 2 MB/s | total MB/s | server CPU-s | server CPU-s/GB |");
        out.println("|---|---|---|---|---|---|---|");
        for (int r = 1; r <= repeat; r++) {
            for (int n : loops) {
                Run run = once(dir, n, bytes, password, fingerprint);
                runs.add(run);
                out.printf("| %d | %d | %.0f | %.0f | %.0f | %.1f | %.2f |%n", n, r, run.mbps(0), run.mbps(1),
                        run.totalMbps(), run.serverCpu, run.cpuPerGb());
            }
        }
        out.println();
        out.println("| loops | median get MB/s (each) | median total MB/s | median server CPU-s/GB |");
        out.println("|---|---|---|---|");
        for (int n : loops) {
            List<Run> mine = runs.stream().filter(x -> x.loops == n).toList();
            out.printf("| %d | %.0f | %.0f | %.2f |%n", n,
                    median(mine.stream().flatMapToDouble(x -> Arrays.stream(new double[] {x.mbps(0), x.mbps(1)})).toArray()),
                    median(mine.stream().mapToDouble(Run::totalMbps).toArray()),
                    median(mine.stream().mapToDouble(Run::cpuPerGb).toArray()));
        }
        return 0;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The account and the two files on the server (kept between invocations when their size matches). */
    private static String prepare(Path dir, long bytes) throws IOException {
        Path home = dir.resolve("home").resolve(USER);
        Files.createDirectories(home);
        byte[] secret = new byte[18];
        new java.security.SecureRandom().nextBytes(secret);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        AccountStore.open(dir).put(new Account(USER, false, PasswordHasher.DEFAULT.hash(password.toCharArray())));
        for (int i = 0; i < 2; i++) {
            Path f = home.resolve("bench-" + i + ".bin");
            if (Files.isRegularFile(f) && Files.size(f) == bytes) {
                continue;
            }
            SplittableRandom random = new SplittableRandom(i);
            byte[] block = new byte[1 << 20];
            try (OutputStream o = Files.newOutputStream(f)) {
                for (long left = bytes; left > 0; left -= block.length) {
                    random.nextBytes(block);
                    o.write(block, 0, (int) Math.min(block.length, left));
                }
            }
        }
        return password;
    }

    private static String fingerprint(Path dir) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ServerMain.run(new String[] {"fingerprint", "--root", dir.toString()}, new PrintStream(b, true, StandardCharsets.UTF_8),
                System.err);
        return b.toString(StandardCharsets.UTF_8).trim();
    }

    private static Run once(Path dir, int loops, long bytes, String password, String fingerprint) throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0)) {
            port = probe.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ServerMain.class.getName(), "serve", "--root",
                dir.toString(), "--bind", "127.0.0.1", "--port", String.valueOf(port), "--loops", String.valueOf(loops)));
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            awaitListening(server.getInputStream());
            double cpuBefore = ProcCpu.seconds(server.pid(), true);
            List<CompletableFuture<Double>> gets = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Path target = dir.resolve("got-" + i + ".bin");
                Files.deleteIfExists(target);
                String[] argv = {"--port", String.valueOf(port), "--user", USER, "--fingerprint", fingerprint,
                    "--connect-timeout", "30", "--timeout", "600", "-q", "-c",
                    "get bench-" + i + ".bin '" + target.toAbsolutePath() + "'", "127.0.0.1"};
                gets.add(CompletableFuture.supplyAsync(() -> get(argv, password, target, bytes)));
            }
            double[] seconds = {gets.get(0).get(900, TimeUnit.SECONDS), gets.get(1).get(900, TimeUnit.SECONDS)};
            double cpu = ProcCpu.delta(ProcCpu.seconds(server.pid(), true), cpuBefore);
            for (int i = 0; i < 2; i++) {
                Files.deleteIfExists(dir.resolve("got-" + i + ".bin"));
            }
            return new Run(loops, seconds, cpu, bytes);
        } finally {
            server.destroy();
            server.waitFor(20, TimeUnit.SECONDS);
            server.destroyForcibly();
        }
    }

    /** One get, timed; fails unless it exits 0 with the whole file. */
    private static double get(String[] argv, String password, Path target, long bytes) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int code = ClientMain.run(argv, InputStream.nullInputStream(), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("FILECLIENT_PASSWORD", password), null);
        double seconds = (System.nanoTime() - start) / 1e9;
        try {
            if (code != 0 || Files.size(target) != bytes) {
                throw new IllegalStateException("get failed: exit " + code + " " + err.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return seconds;
    }

    /** Reads the server's output until it says it listens, then keeps draining it in the background. */
    private static void awaitListening(InputStream in) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            if (line.contains("listening")) {
                Thread drain = new Thread(() -> {
                    try {
                        while (r.readLine() != null) {
                            // the server's log, not needed
                        }
                    } catch (IOException e) {
                        // the server is gone
                    }
                }, "server-output");
                drain.setDaemon(true);
                drain.start();
                return;
            }
        }
        throw new IOException("the server exited before listening");
    }
}
