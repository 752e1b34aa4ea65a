package dev.rudp.bench.peers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * sftp through kcptun: {@code kcptun-server} at the server end relays KCP over UDP to its sshd
 * ({@link Sshd}); {@code kcptun-client} at the client end listens on its loopback, where sftp connects.
 * Flags from ../shared/research/peers.md: AES-128 in kcptun (under ssh's own AES-128-GCM), mode fast3
 * (no congestion control, no pacing), windows 2048/2048 (the defaults gave 10 MB/s), MTU 1350, no FEC
 * ({@code --ds 0 --ps 0}), no compression, 4 MiB socket buffers. Wall time is the sftp process's;
 * client CPU is sftp's plus kcptun-client's, server CPU sshd's plus kcptun-server's.
 */
final class KcptunSftp implements Tool {
    private static final List<String> FLAGS = List.of("--key", "rudp-bench", "--crypt", "aes-128", "--mode", "fast3",
            "--mtu", "1350", "--sndwnd", "2048", "--rcvwnd", "2048", "--ds", "0", "--ps", "0", "--sockbuf", "4194304",
            "--nocomp", "--quiet");

    @Override
    public String name() {
        return "sftp through kcptun";
    }

    @Override
    public String label() {
        return "KCP fast3 (no congestion control, windows 2048), kcptun AES-128 + ssh AES-128-GCM, no whole-file check";
    }

    @Override
    public String missing() {
        String m = Which.missing("kcptun-client", "kcptun-server");
        return m != null ? m : Sshd.missing();
    }

    @Override
    public ToolRow run(Job job) throws InterruptedException {
        Path landed = job.dir().resolve("kcptun-landed.bin");
        int udp = Ports.pick();
        int local = Ports.pick();
        try (Sshd sshd = Sshd.start(job)) {
            List<String> server = new java.util.ArrayList<>(List.of(Which.find("kcptun-server"), "-l",
                    job.server().addr() + ":" + udp, "-t", job.server().addr() + ":" + sshd.port()));
            server.addAll(FLAGS);
            List<String> client = new java.util.ArrayList<>(List.of(Which.find("kcptun-client"), "-l",
                    "127.0.0.1:" + local, "-r", job.server().addr() + ":" + udp));
            client.addAll(FLAGS);
            try (Proc ks = Proc.start("kcptun-server", job.server(), server, job.dir(), false, Map.of(), null);
                    Proc kc = Proc.start("kcptun-client", job.client(), client, job.dir(), false, Map.of(), null)) {
                if (!Ports.awaitUdp(ks, udp, 10_000) || !Ports.awaitTcp(kc, local, 10_000)) {
                    return ToolRow.failed(job.profile(), name(), label(), job.bytes(), new IOException(
                            "kcptun did not listen: " + ks.tail(200) + " / " + kc.tail(200)));
                }
                double server0 = sshd.cpu() + ks.cpuNow();
                double client0 = kc.cpuNow();
                long t0 = System.nanoTime();
                Proc sftp = Proc.start("sftp", job.client(), Sshd.sftpGet(job, "127.0.0.1", local, job.source(), landed),
                        job.dir(), true, Map.of(), null);
                boolean exited = sftp.await(job.timeoutMillis());
                double seconds = (System.nanoTime() - t0) / 1e9;
                sftp.close();
                double clientCpu = sftp.cpuAtExit() + kc.cpuNow() - client0;
                double serverCpu = sshd.cpu() + ks.cpuNow() - server0;
                return Outcome.of(job, this, sftp, exited, seconds, clientCpu, serverCpu, landed);
            }
        } catch (IOException e) {
            return ToolRow.failed(job.profile(), name(), label(), job.bytes(), e);
        }
    }
}
