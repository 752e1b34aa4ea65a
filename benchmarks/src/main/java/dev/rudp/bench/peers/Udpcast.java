package dev.rudp.bench.peers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * udpcast ({@code udp-sender}/{@code udp-receiver}), point to point, full duplex, 1456-byte blocks:
 * no encryption, no congestion control (its own rate governor off), no whole-file check. Its rendezvous
 * is broadcast/multicast, so on loopback it runs in a namespace the runner makes for it (the
 * {@code Side} given); between two namespaces each end names the other as its rendezvous address,
 * unicast. Flags from ../shared/research/peers.md. The receiver starts first and waits; the newline on
 * its stdin lets it start at once. Wall time is from the sender's start to both exits.
 *
 * <p>Through the link emulator it moves 4 MB/s on a 20 ms path and under 3 on a 50 ms one whatever
 * its rate: told the link's rate ({@code --max-bitrate}) and given larger slices it moved the same
 * (2026-12-07, 64 MiB), so the runner has no such variant.
 */
final class Udpcast implements Tool {
    @Override
    public String name() {
        return "udpcast";
    }

    @Override
    public String label() {
        return "no congestion control, no encryption, no whole-file check";
    }

    @Override
    public String missing() {
        return Which.missing("udp-sender", "udp-receiver");
    }

    @Override
    public ToolRow run(Job job) throws InterruptedException {
        int base = Ports.pick();
        Path landed = job.dir().resolve("udpcast-landed.bin");
        try (Proc rx = Proc.start("udp-receiver", job.client(), List.of(Which.find("udp-receiver"), "--interface",
                job.client().dev(), "--portbase", String.valueOf(base), "--mcast-rdv-address", job.server().addr(),
                "--exit-wait", "0", "--file", landed.toString()), job.dir(), true, Map.of(), "\n")) {
            if (!Ports.awaitUdp(rx, base, 10_000)) {
                return ToolRow.failed(job.profile(), name(), label(), job.bytes(),
                        new IOException("udp-receiver did not listen: " + rx.tail(300)));
            }
            long t0 = System.nanoTime();
            Proc tx = Proc.start("udp-sender", job.server(), List.of(Which.find("udp-sender"), "--interface",
                    job.server().dev(), "--portbase", String.valueOf(base), "--mcast-rdv-address", job.client().addr(),
                    "--pointopoint", "--nokbd", "--min-receivers", "1", "--file", job.source().toString(), "-b", "1456",
                    "--full-duplex"), job.dir(), true, Map.of(), null);
            boolean exited = tx.await(job.timeoutMillis())
                    && rx.await(job.timeoutMillis() - (System.nanoTime() - t0) / 1_000_000);
            double seconds = (System.nanoTime() - t0) / 1e9;
            tx.close();
            rx.close();
            return Outcome.of(job, this, rx, exited, seconds, rx.cpuAtExit(), tx.cpuAtExit(), landed);
        } catch (IOException e) {
            return ToolRow.failed(job.profile(), name(), label(), job.bytes(), e);
        }
    }
}
