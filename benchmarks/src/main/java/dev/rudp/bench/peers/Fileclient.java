package dev.rudp.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The product as users run it: {@code bin/fileclient -c "get ..."} (or {@code put}) as a new process at
 * the client end against {@code bin/fileserver serve} as its own process at the server end, with the
 * defaults of both (DTLS 1.2 AES-128-GCM, BBR, SHA-256 of the whole file checked by the product). The
 * account is made by {@code bin/fileserver adduser} with a random password the client gets in
 * {@code FILECLIENT_PASSWORD}; the client pins the server's fingerprint. Wall time and client CPU are
 * the client process's (JVM start, handshake and login included); server CPU is the server JVM's over
 * the same span.
 */
final class Fileclient implements Tool {
    static final String USER = "bench";
    static final String REMOTE = "bench.bin";

    private final Path repo;
    private final boolean put;

    /**
     * @param repo the checkout holding {@code bin/fileclient} and {@code bin/fileserver} (built jars)
     * @param put upload instead of download
     */
    Fileclient(Path repo, boolean put) {
        this.repo = repo;
        this.put = put;
    }

    @Override
    public String name() {
        return put ? "bin/fileclient put" : "bin/fileclient get";
    }

    @Override
    public String label() {
        return "rudp BBR congestion control, DTLS 1.2 AES-128-GCM, whole-file SHA-256 verified";
    }

    @Override
    public String missing() {
        Path jar = repo.resolve("fileclient/target/fileclient.jar");
        Path server = repo.resolve("fileserver/target/fileserver.jar");
        if (!Files.isRegularFile(jar) || !Files.isRegularFile(server)) {
            return "not built (mvn -B -q -DskipTests package)";
        }
        return null;
    }

    @Override
    public ToolRow run(Job job) throws InterruptedException {
        Path data = job.dir().resolve("fileserver-data");
        Path home = data.resolve("home").resolve(USER);
        Path local = job.dir().resolve("fileclient-landed.bin");
        try {
            byte[] secret = new byte[18];
            new SecureRandom().nextBytes(secret);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            Proc add = Proc.start("adduser", Side.LOOPBACK, List.of(bin("fileserver"), "adduser", "--root",
                    data.toString(), USER), job.dir(), true, Map.of(), password + "\n");
            if (!add.await(60_000) || add.exitCode() != 0) {
                add.close();
                throw new IOException("fileserver adduser failed: " + add.tail(300));
            }
            Files.createDirectories(home);
            if (!put) {
                Files.createLink(home.resolve(REMOTE), job.source());
            }
            int port = Ports.pick();
            try (Proc server = Proc.start("fileserver", job.server(), List.of(bin("fileserver"), "serve", "--root",
                    data.toString(), "--bind", job.server().addr(), "--port", String.valueOf(port)), job.dir(), false,
                    Map.of(), null)) {
                if (!server.awaitOutput("fingerprint ", 60_000)) {
                    throw new IOException("fileserver did not start: " + server.tail(300));
                }
                String out = server.output();
                String fp = out.substring(out.indexOf("fingerprint ") + "fingerprint ".length()).split("[;\\s]")[0];
                String command = put ? "put \"" + job.source().toAbsolutePath() + "\" " + REMOTE
                        : "get " + REMOTE + " \"" + local.toAbsolutePath() + "\"";
                List<String> client = List.of(bin("fileclient"), "--port", String.valueOf(port), "--user", USER,
                        "--fingerprint", fp, "--connect-timeout", "30", "--timeout",
                        String.valueOf(Math.max(1, job.timeoutMillis() / 1000)), "-q", "-c", command, job.server().addr());
                Path archive = repo.resolve("fileclient/target/fileclient.jsa");
                if (!Files.isRegularFile(archive)) {
                    // bin/fileclient's first run records its class archive: done once, untimed, as a user's first command.
                    List<String> first = new java.util.ArrayList<>(client);
                    first.set(first.indexOf(command), "pwd");
                    try (Proc warm = Proc.start("fileclient-first", job.client(), first, job.dir(), true,
                            Map.of("FILECLIENT_PASSWORD", password), null)) {
                        warm.await(60_000);
                    }
                }
                double server0 = server.cpuNow();
                long t0 = System.nanoTime();
                Proc cl = Proc.start("fileclient", job.client(), client, job.dir(), true,
                        Map.of("FILECLIENT_PASSWORD", password), null);
                boolean exited = cl.await(job.timeoutMillis());
                double seconds = (System.nanoTime() - t0) / 1e9;
                cl.close();
                double serverCpu = server.cpuNow() - server0;
                return Outcome.of(job, this, cl, exited, seconds, cl.cpuAtExit(), serverCpu,
                        put ? home.resolve(REMOTE) : local);
            }
        } catch (IOException e) {
            return ToolRow.failed(job.profile(), name(), label(), job.bytes(), e);
        }
    }

    private String bin(String name) {
        return repo.resolve("bin").resolve(name).toAbsolutePath().toString();
    }
}
