package dev.rudp.bench.scaleout;

import dev.rudp.bench.files.ProcCpu;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar benchmarks/target/benchmarks.jar scaleout [--bytes 512m] [--repeat 3]}, from the
 * checkout (needs the fileserver and fileclient jars built, root for a first nginx install): one
 * {@code fileserver serve} on loopback (DTLS, a data folder), {@code bin/balancer} in front of it, and
 * a new {@code fileclient --no-agent} process per put and per get, direct and through the balancer,
 * the two in alternating order each round. Per transfer: wall MB/s of the client process (its JVM
 * start included, the same in both modes), the server's CPU-seconds per GB and nginx's (master and
 * workers), from /proc. Medians and ranges over the rounds; every get's size checked (the client
 * itself checks the SHA-256).
 */
public final class ScaleOutRunner {
    private static final String USER = "bench";
    private static final String PASSWORD = "bench-password";

    private ScaleOutRunner() {
    }

    private record Sample(String mode, String op, double mbps, double serverCpuPerGb, double nginxCpuPerGb) {
    }

    public static int main(String[] args, PrintStream out) throws Exception {
        long bytes = 512L << 20;
        int repeat = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bytes" -> bytes = size(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: scaleout [--bytes 512m] [--repeat 3]");
                    return 2;
                }
            }
        }
        Path root = Path.of("").toAbsolutePath();
        Path serverJar = root.resolve("fileserver/target/fileserver.jar");
        Path clientJar = root.resolve("fileclient/target/fileclient.jar");
        if (!Files.isRegularFile(serverJar) || !Files.isRegularFile(clientJar)) {
            System.err.println("scaleout: run from the checkout after mvn -B -DskipTests package (jars missing)");
            return 1;
        }
        Path tmp = Files.createTempDirectory("scaleout");
        Path data = Files.createDirectories(tmp.resolve("data"));
        run(List.of(java(), "-jar", serverJar.toString(), "adduser", "--root", data.toString(), USER), PASSWORD + "\n");
        String fingerprint = run(List.of(java(), "-jar", serverJar.toString(), "fingerprint", "--root", data.toString()), "")
                .strip();
        Path pw = tmp.resolve("pw");
        Files.writeString(pw, PASSWORD + "\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        Path src = tmp.resolve("src.bin");
        writeRandom(src, bytes);

        int serverPort = freeUdpPort();
        int balancerPort = freeUdpPort();
        Process server = new ProcessBuilder(java(), NO_LEAK_DETECTION, CHUNK_REUSE, "-jar", serverJar.toString(), "serve",
                "--root", data.toString(), "--bind", "127.0.0.1", "--port", Integer.toString(serverPort))
                .redirectErrorStream(true).start();
        Path nginx = tmp.resolve("nginx");
        // also on Ctrl-C / SIGTERM: nginx runs in its own session and would outlive this JVM
        Thread cleanup = new Thread(() -> stopAll(root, nginx, server, tmp), "scaleout-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            awaitListening(server);
            String started = run(List.of(root.resolve("bin/balancer").toString(), "start", "--conf-dir", nginx.toString(),
                    "--listen", "127.0.0.1:" + balancerPort, "--backend", "127.0.0.1:" + serverPort), "");
            long nginxMaster = Long.parseLong(started.replaceAll("(?s).*pid=(\\d+).*", "$1"));
            out.printf(Locale.ROOT, "scaleout: %d MiB per transfer, %d rounds; server pid %d on :%d, nginx pid %d on :%d%n",
                    bytes >> 20, repeat, server.pid(), serverPort, nginxMaster, balancerPort);
            // untimed: a server that has been up a while (JIT warm)
            transfer(clientJar, fingerprint, pw, serverPort, "put " + src + " warm.bin", tmp);
            transfer(clientJar, fingerprint, pw, serverPort, "get warm.bin " + tmp.resolve("warm.bin"), tmp);
            Files.delete(tmp.resolve("warm.bin"));

            List<Sample> samples = new ArrayList<>();
            for (int round = 0; round < repeat; round++) {
                List<String> modes = round % 2 == 0 ? List.of("direct", "balancer") : List.of("balancer", "direct");
                for (String mode : modes) {
                    int port = mode.equals("direct") ? serverPort : balancerPort;
                    for (String op : List.of("put", "get")) {
                        Path dst = tmp.resolve("dst.bin");
                        String cmd = op.equals("put") ? "put " + src + " r.bin" : "get r.bin " + dst;
                        double s0 = ProcCpu.seconds(server.pid(), true);
                        double n0 = nginxCpu(nginxMaster);
                        long t0 = System.nanoTime();
                        transfer(clientJar, fingerprint, pw, port, cmd, tmp);
                        double wall = (System.nanoTime() - t0) / 1e9;
                        double gb = bytes / 1e9;
                        Sample s = new Sample(mode, op, bytes / 1e6 / wall,
                                ProcCpu.delta(ProcCpu.seconds(server.pid(), true), s0) / gb,
                                mode.equals("direct") ? 0 : (nginxCpu(nginxMaster) - n0) / gb);
                        if (op.equals("get")) {
                            if (Files.size(dst) != bytes) {
                                throw new IllegalStateException("get landed " + Files.size(dst) + " bytes");
                            }
                            Files.delete(dst);
                        }
                        samples.add(s);
                        out.printf(Locale.ROOT, "round %d %-8s %s: %.1f MB/s, server %.2f CPU-s/GB, nginx %.2f CPU-s/GB%n",
                                round + 1, mode, op, s.mbps, s.serverCpuPerGb, s.nginxCpuPerGb);
                    }
                }
            }
            out.println();
            out.println("| mode | op | MB/s median (range) | server CPU-s/GB | nginx CPU-s/GB |");
            out.println("|---|---|---:|---:|---:|");
            for (String mode : List.of("direct", "balancer")) {
                for (String op : List.of("put", "get")) {
                    List<Sample> rows = samples.stream().filter(s -> s.mode.equals(mode) && s.op.equals(op)).toList();
                    out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", mode, op,
                            stat(rows.stream().map(Sample::mbps).toList()),
                            stat(rows.stream().map(Sample::serverCpuPerGb).toList()),
                            mode.equals("direct") ? "-" : stat(rows.stream().map(Sample::nginxCpuPerGb).toList()));
                }
            }
            return 0;
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanup);
            stopAll(root, nginx, server, tmp);
        }
    }

    private static void stopAll(Path root, Path nginx, Process server, Path tmp) {
        try {
            run(List.of(root.resolve("bin/balancer").toString(), "stop", "--conf-dir", nginx.toString()), "");
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
            try (var files = Files.walk(tmp)) {
                files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("scaleout: cleanup: " + e.getMessage());
        }
    }

    /** nginx's master and workers: their own CPU-seconds. */
    private static double nginxCpu(long master) {
        double sum = ProcCpu.seconds(master, true);
        for (ProcessHandle w : ProcessHandle.of(master).map(h -> h.children().toList()).orElse(List.of())) {
            sum += ProcCpu.seconds(w.pid(), true);
        }
        return sum;
    }

    /** As bin/fileserver and bin/fileclient run the JVM (the jars are run directly here, to time them alone). */
    private static final String NO_LEAK_DETECTION = "-Dio.netty.leakDetection.level=disabled";
    /** As the scripts run the JVM too: 16 free buffer chunks kept for reuse (bin/fileserver says why). */
    private static final String CHUNK_REUSE = "-Dio.netty.allocator.chunkReuseQueueCapacity=16";

    private static void transfer(Path clientJar, String fingerprint, Path pw, int port, String command, Path tmp)
            throws IOException, InterruptedException {
        List<String> cmd = List.of(java(), "-XX:+UseSerialGC", "-Xmn64m", NO_LEAK_DETECTION, CHUNK_REUSE, "-jar",
                clientJar.toString(), "--no-agent", "-q",
                "--user", USER, "-i", "none", "--password-file", pw.toString(), "--fingerprint", fingerprint,
                "--port", Integer.toString(port), "-c", command, "127.0.0.1");
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
        b.environment().put("HOME", tmp.toString());
        b.environment().put("FILECLIENT_AGENT", "0");
        Process p = b.start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("client failed: " + command + ": " + new String(output, StandardCharsets.UTF_8));
        }
    }

    private static void awaitListening(Process server) throws Exception {
        CompletableFuture<Void> up = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (line.contains("fileserver: listening on")) {
                        up.complete(null);
                    }
                }
            } catch (IOException e) {
                // ended
            }
            up.completeExceptionally(new IllegalStateException("the server ended before listening"));
        }, "scaleout-server-log");
        t.setDaemon(true);
        t.start();
        up.get(60, TimeUnit.SECONDS);
    }

    private static String run(List<String> cmd, String input) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("failed: " + String.join(" ", cmd) + ": " + out);
        }
        return out;
    }

    private static String stat(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        return String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", v.get(v.size() / 2), v.get(0), v.get(v.size() - 1));
    }

    private static void writeRandom(Path file, long bytes) throws IOException {
        Random r = new Random(15);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream o = Files.newOutputStream(file)) {
            for (long left = bytes; left > 0; left -= chunk.length) {
                r.nextBytes(chunk);
                o.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static long size(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        long unit = t.endsWith("g") ? 1L << 30 : t.endsWith("m") ? 1L << 20 : t.endsWith("k") ? 1L << 10 : 1;
        return Long.parseLong(unit == 1 ? t : t.substring(0, t.length() - 1)) * unit;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
