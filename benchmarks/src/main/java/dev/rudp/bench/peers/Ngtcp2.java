package dev.rudp.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * ngtcp2 0.12's HTTP/3 example programs (Debian's {@code gtlsserver}/{@code gtlsclient}: QUIC with GnuTLS,
 * AES-128-GCM): the client downloads the file over one stream, BBR at both ends. The server serves a
 * folder holding a hard link to the source and uses the self-signed certificate of {@link Keys} (the
 * example client accepts any). Wall time and client CPU are gtlsclient's (it exits once the stream
 * closed), server CPU gtlsserver's.
 */
final class Ngtcp2 implements Tool {
    @Override
    public String name() {
        return "ngtcp2 HTTP/3 (QUIC BBR)";
    }

    @Override
    public String label() {
        return "QUIC BBR congestion control, AES-128-GCM (GnuTLS), per-packet AEAD, no whole-file check";
    }

    @Override
    public String missing() {
        return Which.missing("gtlsserver", "gtlsclient");
    }

    @Override
    public ToolRow run(Job job) throws InterruptedException {
        int port = Ports.pick();
        Path htdocs = job.dir().resolve("htdocs");
        Path download = job.dir().resolve("download");
        String name = job.source().getFileName().toString();
        try {
            Files.createDirectories(htdocs);
            Files.createDirectories(download);
            Files.createLink(htdocs.resolve(name), job.source());
            List<String> server = List.of(Which.find("gtlsserver"), "-q", "-d", htdocs.toString(), "--cc=bbr",
                    "--no-quic-dump", "--no-http-dump", job.server().addr(), String.valueOf(port),
                    job.keys().resolve(Keys.QUIC_KEY).toString(), job.keys().resolve(Keys.QUIC_CERT).toString());
            try (Proc srv = Proc.start("gtlsserver", job.server(), server, job.dir(), false, Map.of(), null)) {
                if (!Ports.awaitUdp(srv, port, 10_000)) {
                    return ToolRow.failed(job.profile(), name(), label(), job.bytes(),
                            new IOException("gtlsserver did not listen: " + srv.tail(300)));
                }
                List<String> client = List.of(Which.find("gtlsclient"), "-q", "--exit-on-all-streams-close",
                        "--download=" + download, "--cc=bbr", "--no-quic-dump", "--no-http-dump", job.server().addr(),
                        String.valueOf(port), "https://" + job.server().addr() + ":" + port + "/" + name);
                double server0 = srv.cpuNow();
                long t0 = System.nanoTime();
                Proc cl = Proc.start("gtlsclient", job.client(), client, job.dir(), true, Map.of(), null);
                boolean exited = cl.await(job.timeoutMillis());
                double seconds = (System.nanoTime() - t0) / 1e9;
                cl.close();
                double serverCpu = srv.cpuNow() - server0;
                return Outcome.of(job, this, cl, exited, seconds, cl.cpuAtExit(), serverCpu, download.resolve(name));
            }
        } catch (IOException e) {
            return ToolRow.failed(job.profile(), name(), label(), job.bytes(), e);
        }
    }
}
