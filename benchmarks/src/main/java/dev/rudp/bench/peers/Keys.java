package dev.rudp.bench.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The keys the tools need, in one owner-only folder, made as {@code benchmarks/setup.sh KEYDIR} makes
 * them when missing: uftp's EC keys ({@code uftp_keymgt}), gtlsserver's key and self-signed
 * certificate ({@code openssl}), sshd's host key and the client's key ({@code ssh-keygen}).
 */
final class Keys {
    static final String UFTP_SERVER = "uftp-server.pem";
    static final String UFTP_CLIENT = "uftp-client.pem";
    static final String QUIC_KEY = "quic-key.pem";
    static final String QUIC_CERT = "quic-cert.pem";
    static final String SSH_HOST = "ssh_host_ed25519_key";
    static final String SSH_CLIENT = "id_ed25519";

    private Keys() {
    }

    /** Makes the missing keys of the tools that are installed; a tool without its key fails its own rows. */
    static void ensure(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        if (Which.find("uftp_keymgt") != null) {
            for (String k : List.of(UFTP_SERVER, UFTP_CLIENT)) {
                if (!Files.isRegularFile(dir.resolve(k))) {
                    run(List.of(Which.find("uftp_keymgt"), "-g", "ec:prime256v1", dir.resolve(k).toString()));
                }
            }
        }
        if (Which.find("openssl") != null && !Files.isRegularFile(dir.resolve(QUIC_CERT))) {
            run(List.of(Which.find("openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "3650", "-subj", "/CN=rudp-bench",
                    "-keyout", dir.resolve(QUIC_KEY).toString(), "-out", dir.resolve(QUIC_CERT).toString()));
        }
        if (Which.find("ssh-keygen") != null) {
            for (String k : List.of(SSH_HOST, SSH_CLIENT)) {
                if (!Files.isRegularFile(dir.resolve(k))) {
                    run(List.of(Which.find("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-C", "rudp-bench", "-f",
                            dir.resolve(k).toString()));
                }
            }
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            }
        }
    }

    private static void run(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(argv.get(0) + " failed: " + ToolRow.oneLine(out));
        }
    }
}
