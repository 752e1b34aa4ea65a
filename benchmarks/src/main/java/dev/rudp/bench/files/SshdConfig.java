package dev.rudp.bench.files;

import java.nio.file.Path;

/**
 * The sshd_config of every sftp row (the file rows' {@link Sftp} and the peers runner's sshd): key
 * login only, no PAM, AES-128-GCM only, the in-process sftp server.
 */
public final class SshdConfig {
    /** The one cipher both ends offer. */
    public static final String CIPHER = "aes128-gcm@openssh.com";

    private SshdConfig() {
    }

    /** The configuration text for an sshd listening on {@code address:port}. */
    public static String text(String address, int port, Path hostKey, Path pidFile, Path authorizedKeys) {
        return String.join("\n",
                "ListenAddress " + address,
                "Port " + port,
                "HostKey " + hostKey,
                "PidFile " + pidFile,
                "UsePAM no",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "AuthenticationMethods publickey",
                "AuthorizedKeysFile " + authorizedKeys,
                // The keys live under java.io.tmpdir, whose modes sshd's strict checks would refuse.
                "StrictModes no",
                "PermitRootLogin prohibit-password",
                "Ciphers " + CIPHER,
                "Subsystem sftp internal-sftp",
                "LogLevel ERROR",
                "");
    }
}
