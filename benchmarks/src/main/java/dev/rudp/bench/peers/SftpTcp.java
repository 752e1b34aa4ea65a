package dev.rudp.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * OpenSSH sftp over kernel TCP, {@code get} of the file from the server end's sshd ({@link Sshd}), or its {@code put}. The
 * congestion control is the namespaces' {@code net.ipv4.tcp_congestion_control}, set by the runner
 * before the row; on loopback the machine's own (not changed). Wall time and client CPU are the sftp
 * process's (with the ssh it starts); server CPU is sshd's with its connection processes.
 */
final class SftpTcp implements Tool {
    private final String cc;
    private final boolean put;

    /**
     * @param cc {@code cubic}, {@code bbr}, or null on loopback (the machine's setting, named in the label)
     * @param put upload the file to the server end instead of downloading it
     */
    SftpTcp(String cc, boolean put) {
        this.cc = cc;
        this.put = put;
    }

    /** The congestion control the runner must set in both namespaces before the row, or null. */
    String congestionControl() {
        return cc;
    }

    @Override
    public String name() {
        return (put ? "sftp put" : "sftp") + (cc == null ? " (TCP)" : " (TCP " + cc.toUpperCase(java.util.Locale.ROOT) + ")");
    }

    @Override
    public String label() {
        return "TCP " + (cc == null ? machineCc() : cc.toUpperCase(java.util.Locale.ROOT))
                + " congestion control, AES-128-GCM, per-packet MAC, no whole-file check";
    }

    private static String machineCc() {
        try {
            return Files.readString(Path.of("/proc/sys/net/ipv4/tcp_congestion_control")).trim().toUpperCase(
                    java.util.Locale.ROOT);
        } catch (IOException e) {
            return "(kernel default)";
        }
    }

    @Override
    public String missing() {
        return Sshd.missing();
    }

    @Override
    public ToolRow run(Job job) throws InterruptedException {
        Path landed = job.dir().resolve("sftp-landed.bin");
        try (Sshd sshd = Sshd.start(job)) {
            double server0 = sshd.cpu();
            long t0 = System.nanoTime();
            // both ends share this machine's files: a put lands where the sshd writes it
            java.util.List<String> argv = put
                    ? Sshd.sftpBatch(job, job.server().addr(), sshd.port(),
                            "put \"" + job.source().toAbsolutePath() + "\" \"" + landed.toAbsolutePath() + "\"\n")
                    : Sshd.sftpGet(job, job.server().addr(), sshd.port(), job.source(), landed);
            Proc sftp = Proc.start("sftp", job.client(), argv, job.dir(), true, Map.of(), null);
            boolean exited = sftp.await(job.timeoutMillis());
            double seconds = (System.nanoTime() - t0) / 1e9;
            sftp.close();
            return Outcome.of(job, this, sftp, exited, seconds, sftp.cpuAtExit(), sshd.cpu() - server0, landed);
        } catch (IOException e) {
            return ToolRow.failed(job.profile(), name(), label(), job.bytes(), e);
        }
    }
}
