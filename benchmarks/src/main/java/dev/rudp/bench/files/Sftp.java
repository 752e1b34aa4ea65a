package dev.rudp.bench.files;

import dev.rudp.bench.e2e.Payload;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * OpenSSH's sftp with AES-128-GCM against an sshd this class starts on 127.0.0.1 (a free port, a
 * temporary host key, client key and configuration: public-key login only, no PAM, that one cipher,
 * the in-process sftp server). Each transfer is one {@code sftp -b BATCH} process, timed from its
 * start to its exit (TCP connect, key exchange and authentication included, as the fileclient rows
 * include connect, DTLS handshake and login). sftp does not fsync unless asked ({@code -f}); it is
 * run as the lead's target names it, so the comparison favours sftp. CPU is sftp and ssh (reaped by
 * this JVM), sshd's connection processes (reaped by the sshd) and this JVM over the same span.
 */
final class Sftp implements AutoCloseable {
    static final String CIPHER = SshdConfig.CIPHER;
    static final String SESSION = "sftp session only (pwd)";
    static final String SKIP_NO_SSHD = "sshd not installed; run benchmarks/setup-sftp.sh";

    private final Path dir;
    private final Path clientKey;
    private final Process sshd;
    private final int port;
    private final String sftp;
    private final Thread stopOnExit;

    private Sftp(Path dir, Path clientKey, Process sshd, int port, String sftp) {
        this.dir = dir;
        this.clientKey = clientKey;
        this.sshd = sshd;
        this.port = port;
        this.sftp = sftp;
        // An interrupted run (Ctrl-C) must not leave an sshd listening with keys nobody holds.
        this.stopOnExit = new Thread(sshd::destroy, "bench-sshd-stop");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /** Why the sftp rows cannot run here, or null when they can. */
    static String missing() {
        if (find("sshd") == null) {
            return SKIP_NO_SSHD;
        }
        if (find("sftp") == null || find("ssh-keygen") == null) {
            return "sftp or ssh-keygen not installed; run benchmarks/setup-sftp.sh";
        }
        if (System.getProperty("user.name").equals("root") && !Files.isDirectory(Path.of("/run/sshd"))) {
            // /run is emptied at boot and no init system made it again here.
            return "/run/sshd missing, sshd needs it as root; run benchmarks/setup-sftp.sh";
        }
        return null;
    }

    /** An executable named {@code name} on the PATH or in /usr/sbin, /sbin (sshd lives there), or null. */
    static String find(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/sbin");
        dirs.add("/sbin");
        for (String d : dirs) {
            if (!d.isEmpty()) {
                Path p = Path.of(d, name);
                if (Files.isExecutable(p)) {
                    return p.toAbsolutePath().toString();
                }
            }
        }
        return null;
    }

    /** Makes the keys and configuration under {@code dir} and starts sshd; fails with its log when it does not listen. */
    static Sftp start(Path dir, long timeoutMillis) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path hostKey = dir.resolve("ssh_host_ed25519_key");
        Path clientKey = dir.resolve("id_ed25519");
        keygen(hostKey, timeoutMillis);
        keygen(clientKey, timeoutMillis);
        Path authorized = dir.resolve("authorized_keys");
        Files.copy(dir.resolve("id_ed25519.pub"), authorized);
        IOException last = null;
        // The port is free when chosen, but another process may take it before sshd binds: try again then.
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Path config = dir.resolve("sshd_config");
            Files.writeString(config, SshdConfig.text("127.0.0.1", port, hostKey, dir.resolve("sshd.pid"), authorized),
                    StandardCharsets.UTF_8);
            Path log = dir.resolve("sshd.log");
            Process p = new ProcessBuilder(find("sshd"), "-D", "-e", "-f", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (listening(p, port, timeoutMillis)) {
                return new Sftp(dir, clientKey, p, port, find("sftp"));
            }
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            last = new IOException("sshd did not listen on 127.0.0.1:" + port + ": "
                    + Files.readString(log, StandardCharsets.UTF_8).trim());
        }
        throw last;
    }

    private static void keygen(Path key, long timeoutMillis) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(find("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-C", "rudp-bench",
                "-f", key.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("ssh-keygen failed: " + output.trim());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    /** Whether sshd accepts connections on {@code port} before it exits or the time is up. */
    private static boolean listening(Process p, int port, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(timeoutMillis, 10_000));
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return true;
            } catch (IOException e) {
                // Not listening yet: either it is still starting (wait for its exit a moment) or it died.
                if (p.waitFor(20, TimeUnit.MILLISECONDS)) {
                    return false;
                }
            }
        }
        return false;
    }

    /** {@code sftp put SOURCE TARGET}: the remote side is this machine, so TARGET is a local path. */
    FileRow put(Payload payload, Path source, Path target, long bytes, long timeoutMillis)
            throws IOException, InterruptedException {
        return run("sftp put", "put " + quote(source) + " " + quote(target), payload, target, bytes, timeoutMillis);
    }

    /** {@code sftp get SOURCE TARGET}. */
    FileRow get(Payload payload, Path source, Path target, long bytes, long timeoutMillis)
            throws IOException, InterruptedException {
        return run("sftp get", "get " + quote(source) + " " + quote(target), payload, target, bytes, timeoutMillis);
    }

    /** {@code sftp} with {@code pwd} only: process start, key exchange, authentication and exit, no file. */
    FileRow session(long timeoutMillis) throws IOException, InterruptedException {
        return run(SESSION, "pwd", null, null, 0, timeoutMillis);
    }

    private FileRow run(String name, String command, Payload payload, Path landed, long bytes, long timeoutMillis)
            throws IOException, InterruptedException {
        if (landed != null) {
            Files.deleteIfExists(landed);
        }
        Path batch = dir.resolve("batch");
        Files.writeString(batch, command + "\n", StandardCharsets.UTF_8);
        Path output = dir.resolve("sftp.out");
        ProcessBuilder pb = new ProcessBuilder(sftp, "-b", batch.toString(), "-i", clientKey.toString(),
                "-P", String.valueOf(port), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "-c", CIPHER,
                System.getProperty("user.name") + "@127.0.0.1")
                .redirectErrorStream(true).redirectOutput(output.toFile());
        double sshdBefore = ProcCpu.seconds(sshd.pid(), true);
        ChildRun run = ChildRun.of(pb, timeoutMillis);
        awaitConnectionsReaped();
        double seconds = run.seconds();
        double cpu = run.cpuSeconds() + ProcCpu.delta(ProcCpu.seconds(sshd.pid(), true), sshdBefore);
        if (run.timedOut()) {
            return new FileRow(name, bytes, landed == null ? 0 : Math.min(bytes, DiskFiles.size(landed)), "timeout",
                    seconds, cpu);
        }
        if (run.code() != 0) {
            String why = Files.readString(output, StandardCharsets.UTF_8).trim().replace('\n', ' ').replace('|', '/');
            return new FileRow(name, bytes, 0, "failed: sftp exit " + run.code() + " " + why, seconds, cpu);
        }
        return FileRow.landed(name, payload, landed, bytes, seconds, cpu);
    }

    /**
     * Waits (at most 5 s) until sshd reaped its processes for the connection just closed, so that
     * their CPU time has reached sshd's counters. Zombies stay listed as children until reaped.
     */
    private void awaitConnectionsReaped() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (sshd.toHandle().children().findAny().isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static String quote(Path p) {
        return "\"" + p.toAbsolutePath() + "\"";
    }

    @Override
    public void close() throws InterruptedException {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already exiting: the hook stops sshd
        }
        sshd.destroy();
        if (!sshd.waitFor(5, TimeUnit.SECONDS)) {
            sshd.destroyForcibly();
            sshd.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
