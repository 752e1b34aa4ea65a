package dev.rudp.bench.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An sshd for the sftp rows at the server end, as the loopback file rows start theirs
 * ({@code files.Sftp}): public-key login only (the client key of {@link Keys}), no PAM, AES-128-GCM only,
 * the in-process sftp server; listening on the end's address. Its CPU, read in /proc, includes the
 * per-connection processes it reaped.
 */
final class Sshd implements AutoCloseable {
    static final String CIPHER = dev.rudp.bench.files.SshdConfig.CIPHER;

    private final Proc proc;
    private final int port;

    private Sshd(Proc proc, int port) {
        this.proc = proc;
        this.port = port;
    }

    static String missing() {
        String m = Which.missing("sshd", "sftp", "ssh");
        if (m == null && System.getProperty("user.name").equals("root") && !Files.isDirectory(Path.of("/run/sshd"))) {
            return "/run/sshd missing (run benchmarks/setup.sh)";
        }
        return m;
    }

    static Sshd start(Job job) throws IOException, InterruptedException {
        Path authorized = job.dir().resolve("authorized_keys");
        Files.copy(job.keys().resolve(Keys.SSH_CLIENT + ".pub"), authorized);
        int port = Ports.pick();
        Path config = job.dir().resolve("sshd_config");
        Files.writeString(config, dev.rudp.bench.files.SshdConfig.text(job.server().addr(), port,
                job.keys().resolve(Keys.SSH_HOST), job.dir().resolve("sshd.pid"), authorized), StandardCharsets.UTF_8);
        Proc p = Proc.start("sshd", job.server(), List.of(Which.find("sshd"), "-D", "-e", "-f", config.toString()),
                job.dir(), false, Map.of(), null);
        if (!Ports.awaitTcp(p, port, 10_000)) {
            String why = p.tail(300);
            p.close();
            throw new IOException("sshd did not listen: " + why);
        }
        return new Sshd(p, port);
    }

    int port() {
        return port;
    }

    /** Its CPU so far, after waiting (at most 5 s) until it reaped the connections that ended. */
    double cpu() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ProcessHandle.of(proc.pid()).map(h -> h.children().findAny().isPresent()).orElse(false)
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return proc.cpuNow();
    }

    /** The {@code sftp -b BATCH} command that gets {@code remote} into {@code local} from {@code host:port}. */
    static List<String> sftpGet(Job job, String host, int port, Path remote, Path local) throws IOException {
        return sftpBatch(job, host, port, "get \"" + remote.toAbsolutePath() + "\" \"" + local.toAbsolutePath() + "\"\n");
    }

    /** The {@code sftp -b BATCH} command that runs {@code commands} (one per line) on {@code host:port}, key login. */
    static List<String> sftpBatch(Job job, String host, int port, String commands) throws IOException {
        Path batch = job.dir().resolve("sftp.batch");
        Files.writeString(batch, commands, StandardCharsets.UTF_8);
        return List.of(Which.find("sftp"), "-b", batch.toString(), "-i", job.keys().resolve(Keys.SSH_CLIENT).toString(),
                "-P", String.valueOf(port), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "-c", CIPHER,
                System.getProperty("user.name") + "@" + host);
    }

    @Override
    public void close() throws InterruptedException {
        proc.close();
    }
}
