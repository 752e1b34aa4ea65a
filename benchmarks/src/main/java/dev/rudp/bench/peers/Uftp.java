package dev.rudp.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * uftp 4.10 unicast, encrypted: the sender ({@code uftp}, server end) pushes the file to {@code uftpd}
 * (client end), AES-128-GCM with ECDH-ECDSA key exchange (EC P-256 keys, {@link Keys}), SHA-256 HMAC.
 * Either {@code -R -1} (as fast as the interface takes it: no congestion control) or {@code -C tfmcc}
 * (TCP-friendly multicast congestion control, RFC 4654). Flags from ../shared/research/peers.md: 8 KiB
 * blocks (8720 and above crash the encrypting sender), 4 MiB socket buffers at both ends (the default
 * 256 KB costs NAK passes on loopback), {@code -I} on both ends (uftpd ignores loopback otherwise) and
 * {@code -H} with the receiver's id so the session starts at once. The sender exits after the
 * receiver's COMPLETE; its process is the row's wall time. uftp checks each block by its GCM tag but
 * the file as a whole by nothing: the SHA-256 here is the runner's own.
 */
final class Uftp implements Tool {
    private final boolean tfmcc;

    /** @param tfmcc {@code -C tfmcc} instead of {@code -R -1} */
    Uftp(boolean tfmcc) {
        this.tfmcc = tfmcc;
    }

    @Override
    public String name() {
        return tfmcc ? "uftp -C tfmcc" : "uftp -R -1";
    }

    @Override
    public String label() {
        return (tfmcc ? "TFMCC congestion control" : "no congestion control (as fast as the interface)")
                + ", AES-128-GCM, per-block GCM tags, no whole-file check";
    }

    @Override
    public String missing() {
        return Which.missing("uftp", "uftpd");
    }

    @Override
    public ToolRow run(Job job) throws InterruptedException {
        int port = Ports.pick();
        Path dest = job.dir().resolve("uftp-dest");
        try {
            Files.createDirectories(dest);
            List<String> receiver = List.of(Which.find("uftpd"), "-d", "-p", String.valueOf(port), "-U", "0x00000002",
                    "-I", job.client().addr(), "-q", "-x", "2", "-B", "4194304", "-c", "1048576", "-D", dest.toString(),
                    "-E", "-k", job.keys().resolve(Keys.UFTP_CLIENT).toString());
            try (Proc uftpd = Proc.start("uftpd", job.client(), receiver, job.dir(), true, Map.of(), null)) {
                if (!Ports.awaitUdp(uftpd, port, 10_000)) {
                    return ToolRow.failed(job.profile(), name(), label(), job.bytes(),
                            new IOException("uftpd did not listen: " + uftpd.tail(300)));
                }
                List<String> sender = new ArrayList<>(List.of(Which.find("uftp"), "-M", job.client().addr(), "-I",
                        job.server().addr(), "-p", String.valueOf(port), "-U", "0x00000001", "-H", "0x00000002",
                        "-b", "8192", "-B", "4194304", "-x", "2", "-Y", "aes128-gcm", "-h", "sha256", "-e", "ecdh_ecdsa",
                        "-k", job.keys().resolve(Keys.UFTP_SERVER).toString()));
                sender.addAll(tfmcc ? List.of("-C", "tfmcc") : List.of("-C", "none", "-R", "-1"));
                sender.add(job.source().toString());
                long t0 = System.nanoTime();
                Proc uftp = Proc.start("uftp", job.server(), sender, job.dir(), true, Map.of(), null);
                boolean exited = uftp.await(job.timeoutMillis());
                double seconds = (System.nanoTime() - t0) / 1e9;
                uftp.close();
                // uftpd -q leaves after the session; stopping it makes its shell report its CPU either way.
                uftpd.await(5_000);
                uftpd.close();
                return Outcome.of(job, this, uftp, exited, seconds, uftpd.cpuAtExit(), uftp.cpuAtExit(),
                        dest.resolve(job.source().getFileName()));
            }
        } catch (IOException e) {
            return ToolRow.failed(job.profile(), name(), label(), job.bytes(), e);
        }
    }
}
