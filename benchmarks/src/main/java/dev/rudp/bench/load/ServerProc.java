package dev.rudp.bench.load;

import dev.rudp.bench.files.ProcCpu;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code bin/fileserver serve} process on 127.0.0.1 as a user starts it, with a GC log
 * ({@code FILESERVER_JAVA_OPTS=-Xlog:gc:...}) so that its heap can be followed without attaching to it,
 * {@code jcmd GC.heap_info} for a reading at a chosen moment, and its CPU from /proc.
 */
final class ServerProc implements AutoCloseable {
    /** {@code [12.345s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 45M->12M(128M) 3.4ms}. */
    private static final Pattern GC_LINE = Pattern.compile("^\\[([\\d.]+)s\\].*?(\\d+)M->(\\d+)M\\((\\d+)M\\)");
    /** {@code  garbage-first heap   total 262144K, used 24567K [...]}. */
    private static final Pattern HEAP_INFO = Pattern.compile("total (\\d+)K, used (\\d+)K");

    /** One collection from the GC log: seconds since the server's JVM started, heap after it and its capacity in MiB. */
    record Gc(double uptime, long afterMiB, long capacityMiB) {
    }

    final Process process;
    final Path log;
    final Path gcLog;
    final int port;
    final String fingerprint;
    private final Instant started;

    private ServerProc(Process process, Path log, Path gcLog, int port, String fingerprint, Instant started) {
        this.process = process;
        this.log = log;
        this.gcLog = gcLog;
        this.port = port;
        this.fingerprint = fingerprint;
        this.started = started;
    }

    /** The repository root: the working folder, or its parent (a test runs in {@code benchmarks/}). */
    static Path repo() {
        Path cwd = Paths.get("").toAbsolutePath();
        return Files.isRegularFile(cwd.resolve("bin/fileserver")) ? cwd : cwd.getParent();
    }

    /**
     * Starts {@code bin/fileserver serve --root data --bind 127.0.0.1 --port P extra...}; waits for its
     * listening line. {@link #fingerprint} is null for a {@code --plaintext} server.
     */
    static ServerProc start(Path data, Path dir, List<String> extra) throws IOException, InterruptedException {
        return start(data, dir, extra, Map.of());
    }

    /** As {@link #start(Path, Path, List)}, with {@code env} added to the script's environment. */
    static ServerProc start(Path data, Path dir, List<String> extra, Map<String, String> env)
            throws IOException, InterruptedException {
        int port;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("fileserver.log");
        Path gc = dir.resolve("fileserver-gc.log");
        List<String> argv = new ArrayList<>(List.of(repo().resolve("bin/fileserver").toString(), "serve", "--root",
                data.toString(), "--bind", "127.0.0.1", "--port", String.valueOf(port)));
        argv.addAll(extra);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("FILESERVER_JAVA_OPTS", "-Xlog:gc:file=" + gc + ":uptime");
        pb.environment().putAll(env);
        Instant t0 = Instant.now();
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            String out = Files.readString(log, StandardCharsets.UTF_8);
            int line = out.indexOf(" listening ");
            if (line >= 0 && out.indexOf('\n', line) > 0) {
                String listening = out.substring(line, out.indexOf('\n', line));
                int at = listening.indexOf("fingerprint ");
                String fp = at < 0 ? null : listening.substring(at + "fingerprint ".length()).split("[;,\\s]")[0];
                Instant jvmStart = p.toHandle().info().startInstant().orElse(t0);
                return new ServerProc(p, log, gc, port, fp, jvmStart);
            }
            if (p.waitFor(50, TimeUnit.MILLISECONDS)) {
                throw new IOException("fileserver exited with " + p.exitValue() + ": " + tail(log));
            }
        }
        p.destroyForcibly();
        throw new IOException("fileserver did not start within 180 s: " + tail(log));
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8).strip();
            return s.substring(Math.max(0, s.length() - 400)).replace('\n', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    String tail() {
        return tail(log);
    }

    /** Seconds since the server's JVM started, on the GC log's clock (to about 10 ms). */
    double uptime() {
        return Duration.between(started, Instant.now()).toNanos() / 1e9;
    }

    /** CPU-s the server used so far (itself and reaped children), -1 when unreadable. */
    double cpu() {
        return ProcCpu.seconds(process.pid(), true);
    }

    /** Resident set size in KiB from /proc/PID/status, -1 when unreadable. */
    long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** {@code jcmd PID GC.heap_info}: {used KiB, committed KiB}, or {-1, -1} when jcmd fails. */
    long[] heapInfo() {
        Path jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.heap_info")
                    .redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new long[] {-1, -1};
            }
            Matcher m = HEAP_INFO.matcher(text);
            return m.find() ? new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(1))} : new long[] {-1, -1};
        } catch (IOException e) {
            return new long[] {-1, -1};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new long[] {-1, -1};
        }
    }

    /** Every collection the GC log holds so far. */
    List<Gc> collections() {
        List<Gc> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(gcLog, StandardCharsets.UTF_8)) {
                Matcher m = GC_LINE.matcher(line);
                if (m.find()) {
                    out.add(new Gc(Double.parseDouble(m.group(1)), Long.parseLong(m.group(3)), Long.parseLong(m.group(4))));
                }
            }
        } catch (IOException | RuntimeException e) {
            return out;
        }
        return out;
    }

    /** The largest heap after a collection in [from, to) seconds of uptime, -1 when none ran then. */
    long maxAfterGcMiB(double from, double to) {
        return collections().stream().filter(g -> g.uptime() >= from && g.uptime() < to).mapToLong(Gc::afterMiB).max()
                .orElse(-1);
    }

    /** Collections in [from, to). */
    long gcCount(double from, double to) {
        return collections().stream().filter(g -> g.uptime() >= from && g.uptime() < to).count();
    }

    /** Lines of its log containing {@code word}. */
    long logCount(String word) {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(word)).count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    /** SIGTERM (a graceful shutdown), SIGKILL after 10 s. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
