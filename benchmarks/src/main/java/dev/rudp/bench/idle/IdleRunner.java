package dev.rudp.bench.idle;

import dev.rudp.CongestionControl;
import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.RudpClientCodecBuilder;
import dev.rudp.bench.RawRun;
import dev.rudp.bench.Sizes;
import dev.rudp.bench.e2e.Machine;
import dev.rudp.bench.e2e.Payload;
import dev.rudp.bench.e2e.Pump;
import dev.rudp.dtls.DtlsConfig;
import dev.rudp.dtls.DtlsException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The memory benchmark of issue 5: a rudp server in a child JVM with a small heap ({@code --xmx},
 * 64 MiB) holds {@code --connections} idle connections opened from this JVM, each fully established by
 * one echoed message, then left idle for {@code --idle} seconds (longer than the keepalive interval,
 * so keepalives must hold them); then the server reports its heap after full GCs. Retained bytes per
 * connection are (heap with N - heap with none) / N. With {@code --transfer SIZES} it then receives one
 * transfer of each size over a fresh connection and reports its heap after GC halfway through, and
 * the peaks, to show a transfer's memory does not grow with its size. Prints a table and writes it
 * under {@code results/} ({@link RawRun}).
 */
public final class IdleRunner {
    private static final double MIB = 1 << 20;
    /** Connections whose handshakes run at once: enough to overlap DTLS handshakes, few enough not to look like a flood. */
    private static final int CONNECT_BATCH = 8;
    private static final int TRANSFER_MESSAGE = 64 << 10;

    int connections = 100;
    List<Boolean> modes = List.of(false, true);
    long idleSeconds = 15;
    String xmx = "64m";
    long limitBytes = 64L << 20;
    List<Long> transfers = List.of();
    long timeoutSeconds = 120;
    int histogram;
    Path out = Files.isDirectory(Paths.get("benchmarks")) ? Paths.get("benchmarks") : Paths.get(".");
    private final PrintStream log;
    /** The raw run last written by {@link #record}. */
    private Path lastWritten;

    IdleRunner(PrintStream log) {
        this.log = log;
    }

    public static String usage() {
        return String.join("\n",
                "usage: java -jar benchmarks/target/benchmarks.jar idle [options]",
                "  --connections N     idle connections to hold (default 100)",
                "  --dtls | --plain    only DTLS / only plaintext (default: both, one server process each)",
                "  --idle SECONDS      how long the connections sit idle before measuring (default 15; keepalive is 10)",
                "  --xmx SIZE          the server process's -Xmx, also the pass limit (default 64m)",
                "  --transfer SIZES    comma-separated sizes received by the server after the idle test, e.g. 256m,2g",
                "  --timeout SECONDS   per transfer (default 120)",
                "  --histogram N       also show the N classes whose heap grew most per connection (jcmd)",
                "  --out DIR           where results/ goes (default ./benchmarks if present, else .)");
    }

    void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--dtls" -> modes = List.of(true);
                case "--plain" -> modes = List.of(false);
                default -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("missing value after " + a);
                    }
                    String v = args[++i];
                    switch (a) {
                        case "--connections" -> connections = Integer.parseInt(v);
                        case "--idle" -> idleSeconds = Long.parseLong(v);
                        case "--xmx" -> {
                            limitBytes = Sizes.parse(v);
                            xmx = v;
                        }
                        case "--transfer" -> {
                            List<Long> sizes = new ArrayList<>();
                            for (String s : v.split(",")) {
                                sizes.add(Sizes.parse(s));
                            }
                            transfers = sizes;
                        }
                        case "--timeout" -> timeoutSeconds = Long.parseLong(v);
                        case "--histogram" -> histogram = Integer.parseInt(v);
                        case "--out" -> out = Paths.get(v);
                        default -> throw new IllegalArgumentException("unknown option " + a);
                    }
                }
            }
        }
        if (connections < 1 || idleSeconds < 0 || timeoutSeconds < 1) {
            throw new IllegalArgumentException("--connections and --timeout must be positive, --idle not negative");
        }
    }

    record IdleRow(boolean dtls, int connections, double baseMiB, double usedMiB, double perConnKiB, double directMiB,
            int serverActive, int clientActive, boolean alive, boolean pass, String note) {
    }

    record TransferRow(boolean dtls, long bytes, String status, double mbPerSecond, double midGcMiB, double peakHeapMiB,
            double peakDirectMiB, boolean alive) {
    }

    /** Completes when the first message comes back; then drops whatever else arrives. */
    private static final class EchoWaiter extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Void> echoed = new CompletableFuture<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ((ByteBuf) msg).release();
            echoed.complete(null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            echoed.completeExceptionally(cause);
        }
    }

    private RudpClientCodecBuilder clientCodec(ServerProcess server) {
        RudpClientCodecBuilder b = new RudpClientCodecBuilder()
                .option(RudpChannelOption.CONGESTION_CONTROL, CongestionControl.BBR);
        if (server.fingerprint != null) {
            String pinned = server.fingerprint;
            b.dtls(DtlsConfig.clientCertificateVerifier((chain, peer) -> {
                if (!DtlsConfig.fingerprint(chain[0]).equals(pinned)) {
                    throw DtlsException.certificateRejected("server certificate is not the pinned one");
                }
            }).build());
        }
        return b;
    }

    /** One client socket and one connection to the server, as a separate client would have. */
    private RudpChannel connect(EventLoopGroup group, ServerProcess server, io.netty.channel.ChannelHandler handler,
            List<Channel> sockets) throws Exception {
        Channel socket = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                .handler(clientCodec(server).build()).bind(new java.net.InetSocketAddress("127.0.0.1", 0)).sync()
                .channel();
        sockets.add(socket);
        return RudpChannel.newBootstrap(socket).handler(handler).connectTimeoutMillis(30_000)
                .remoteAddress(new java.net.InetSocketAddress("127.0.0.1", server.port)).connect()
                .get(60, TimeUnit.SECONDS);
    }

    private static void closeAll(List<? extends Channel> channels) {
        List<Channel> copy;
        synchronized (channels) {
            copy = new ArrayList<>(channels);
        }
        for (Channel c : copy) {
            c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        channels.clear();
    }

    /** Opens {@code count} connections in batches, each fully established by one echoed message. */
    private List<RudpChannel> open(ServerProcess server, EventLoopGroup group, int count, List<Channel> sockets)
            throws Exception {
        List<RudpChannel> conns = new ArrayList<>();
        for (int i = 0; i < count; i += CONNECT_BATCH) {
            List<EchoWaiter> waiters = new ArrayList<>();
            List<CompletableFuture<RudpChannel>> pending = new ArrayList<>();
            for (int j = i; j < Math.min(count, i + CONNECT_BATCH); j++) {
                EchoWaiter w = new EchoWaiter();
                waiters.add(w);
                pending.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return connect(group, server, w, sockets);
                    } catch (Exception e) {
                        throw new IllegalStateException("connect failed: " + e, e);
                    }
                }));
            }
            List<RudpChannel> batch = new ArrayList<>();
            for (CompletableFuture<RudpChannel> f : pending) {
                batch.add(f.get(90, TimeUnit.SECONDS));
            }
            conns.addAll(batch);
            for (int k = 0; k < batch.size(); k++) {
                batch.get(k).writeAndFlush(Unpooled.copiedBuffer("hello " + (i + k), StandardCharsets.UTF_8));
            }
            for (EchoWaiter w : waiters) {
                w.echoed.get(30, TimeUnit.SECONDS);
            }
        }
        return conns;
    }

    /**
     * One batch of connections opened, echoed and closed before the baseline, so that classes loaded and
     * code compiled on first use count in the baseline and not per connection.
     */
    private void warmUp(ServerProcess server, EventLoopGroup group) throws Exception {
        List<Channel> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
        List<RudpChannel> conns = new ArrayList<>();
        try {
            conns.addAll(open(server, group, Math.min(connections, CONNECT_BATCH), sockets));
        } finally {
            closeAll(conns);
            closeAll(sockets);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.stats().active() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the server still holds warm-up connections after 30 s");
            }
            TimeUnit.MILLISECONDS.sleep(50); // polling period of the server's counter
        }
    }

    IdleRow idle(ServerProcess server, EventLoopGroup group, List<String> histograms) throws Exception {
        warmUp(server, group);
        ServerProcess.Heap base = server.heapAfterGc();
        java.util.Map<String, ServerProcess.ClassRow> baseHistogram = histogram > 0 ? server.histogram() : null;
        log.printf(Locale.ROOT, "%s: server heap after GC with no connection (after a warm-up batch): %.2f MiB%n",
                mode(server), base.used() / MIB);
        // Filled by the connecting threads of a batch at once.
        List<Channel> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
        List<RudpChannel> conns = new ArrayList<>();
        try {
            conns.addAll(open(server, group, connections, sockets));
            log.printf(Locale.ROOT, "%s: %d connections established and echoed; idle for %d s%n", mode(server),
                    conns.size(), idleSeconds);
            // The point of the test: nothing is sent for longer than the keepalive interval.
            TimeUnit.SECONDS.sleep(idleSeconds);
            int clientActive = (int) conns.stream().filter(Channel::isActive).count();
            ServerProcess.Heap with = server.heapAfterGc();
            if (histogram > 0) {
                histograms.add(histogramGrowth(mode(server), baseHistogram, server.histogram()));
            }
            double perConn = (with.used() - base.used()) / 1024.0 / connections;
            boolean alive = server.alive();
            boolean pass = alive && with.active() == connections && clientActive == connections
                    && with.used() <= limitBytes;
            String note = with.used() > limitBytes ? "heap over the limit"
                    : with.active() != connections || clientActive != connections ? "connections lost" : "";
            return new IdleRow(server.fingerprint != null, connections, base.used() / MIB, with.used() / MIB, perConn,
                    with.direct() / MIB, with.active(), clientActive, alive, pass, note);
        } finally {
            closeAll(conns);
            closeAll(sockets);
        }
    }

    TransferRow transfer(ServerProcess server, EventLoopGroup group, long bytes, Payload payload) throws Exception {
        ServerProcess.Heap before = server.heapAfterGc();
        server.resetPeaks();
        List<Channel> sockets = new ArrayList<>();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        double midGc = Double.NaN;
        String status = "timeout";
        long received = 0;
        try {
            RudpChannel conn = connect(group, server, new Pump(payload, bytes, TRANSFER_MESSAGE), sockets);
            while (System.nanoTime() < deadline) {
                ServerProcess.Heap h = server.stats();
                received = h.received() - before.received();
                if (received >= bytes) {
                    status = "ok";
                    break;
                }
                if (Double.isNaN(midGc) && received >= bytes / 2) {
                    midGc = server.heapAfterGc().used() / MIB;
                }
                if (!conn.isActive()) {
                    status = "closed: " + conn.closeCode();
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(100); // polling period of the server's counter
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            ServerProcess.Heap end = server.stats();
            conn.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            return new TransferRow(server.fingerprint != null, bytes, status, received / seconds / 1e6, midGc,
                    end.peakHeap() / MIB, end.peakDirect() / MIB, server.alive());
        } catch (IOException e) {
            return new TransferRow(server.fingerprint != null, bytes, "failed: " + e.getMessage(), 0, midGc, 0, 0,
                    server.alive());
        } finally {
            closeAll(sockets);
        }
    }

    /** The classes whose heap grew most between no connection and N, per connection. */
    private String histogramGrowth(String mode, java.util.Map<String, ServerProcess.ClassRow> before,
            java.util.Map<String, ServerProcess.ClassRow> after) {
        List<ServerProcess.ClassRow> growth = new ArrayList<>();
        long total = 0;
        for (ServerProcess.ClassRow a : after.values()) {
            ServerProcess.ClassRow b = before.getOrDefault(a.name(), new ServerProcess.ClassRow(a.name(), 0, 0));
            growth.add(new ServerProcess.ClassRow(a.name(), a.instances() - b.instances(), a.bytes() - b.bytes()));
            total += a.bytes() - b.bytes();
        }
        growth.sort((x, y) -> Long.compare(y.bytes(), x.bytes()));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%n%s: heap growth from 0 to %d idle connections by class "
                + "(jcmd GC.class_histogram, after GC), top %d of %.1f KiB per connection in all%n%n", mode, connections,
                histogram, total / 1024.0 / connections));
        sb.append("| class | instances per connection | bytes per connection |\n|---|---:|---:|\n");
        for (ServerProcess.ClassRow r : growth.subList(0, Math.min(histogram, growth.size()))) {
            sb.append(String.format(Locale.ROOT, "| `%s` | %.1f | %d |%n", r.name(),
                    (double) r.instances() / connections, r.bytes() / connections));
        }
        return sb.toString();
    }

    private static String mode(ServerProcess server) {
        return server.fingerprint != null ? "dtls" : "plaintext";
    }

    String render(List<IdleRow> idle, List<TransferRow> transfers, List<String> histograms) {
        StringBuilder sb = new StringBuilder();
        sb.append("| security | connections | server heap after GC, none (MiB) | with N (MiB) | per connection (KiB) "
                + "| direct with N (MiB) | active server/client | limit | result |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (IdleRow r : idle) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.1f | %.2f | %d/%d | %s | %s |%n",
                    r.dtls() ? "DTLS" : "plaintext", r.connections(), r.baseMiB(), r.usedMiB(), r.perConnKiB(),
                    r.directMiB(), r.serverActive(), r.clientActive(), xmx,
                    r.pass() ? "pass" : "FAIL" + (r.alive() ? "" : " (server died)")
                            + (r.note().isEmpty() ? "" : " (" + r.note() + ")")));
        }
        if (!transfers.isEmpty()) {
            sb.append("\n| security | transfer MiB | status | MB/s | server heap after GC halfway (MiB) "
                    + "| peak heap incl. garbage (MiB) | peak direct (MiB) | server alive |\n");
            sb.append("|---|---:|---|---:|---:|---:|---:|---|\n");
            for (TransferRow t : transfers) {
                sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %.1f | %s | %.1f | %.1f | %s |%n",
                        t.dtls() ? "DTLS" : "plaintext", t.bytes() >> 20, t.status(), t.mbPerSecond(),
                        Double.isNaN(t.midGcMiB()) ? "-" : String.format(Locale.ROOT, "%.2f", t.midGcMiB()),
                        t.peakHeapMiB(), t.peakDirectMiB(), t.alive() ? "yes" : "NO"));
            }
        }
        for (String h : histograms) {
            sb.append(h);
        }
        return sb.toString();
    }

    String record(String table, String command) throws IOException {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder();
        sb.append("\n## Idle-connection memory run ").append(now.format(DateTimeFormatter.ISO_INSTANT)).append("\n\n");
        sb.append("- command: `").append(command).append("`\n");
        sb.append("- server process: `java -Xmx").append(xmx).append(" -XX:+ExitOnOutOfMemoryError ... ")
                .append(IdleServer.class.getSimpleName()).append("` (default GC; direct memory capped at -Xmx too, "
                        + "the JDK's default), BBR, the file server's write-buffer water marks, other options rudp's "
                        + "defaults (keepalive 10 s, idle timeout 30 s)\n");
        sb.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(", Netty transport ")
                .append(NativeTransport.name()).append('\n');
        sb.append("- machine: ").append(Machine.describe()).append('\n');
        sb.append("- git commit: ").append(Machine.gitCommit()).append('\n');
        sb.append(String.format(Locale.ROOT, "- method: heap after GC = used heap after System.gc() until it stops "
                + "shrinking (at most 5); none = after %d warm-up connections were opened and closed, so first-use class "
                + "loading counts there; per connection = (with N - none) / N; connections idle %d s after one "
                + "echoed message each, one client socket per connection, opened from the runner's JVM; "
                + "transfers: 64 KiB messages over a fresh connection after the idle test, heap sampled every 5 ms%n%n",
                Math.min(connections, CONNECT_BATCH), idleSeconds));
        sb.append(table);
        Files.createDirectories(out);
        lastWritten = RawRun.write(out, "idle", java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now()), sb.toString());
        return sb.toString();
    }

    /** Entry point of {@code idle}; returns the exit status (1 if any row failed). */
    public static int main(String[] args, PrintStream log) throws Exception {
        IdleRunner runner = new IdleRunner(log);
        try {
            runner.parse(args);
        } catch (IllegalArgumentException e) {
            log.println(e.getMessage());
            log.println(usage());
            return 2;
        }
        List<IdleRow> idle = new ArrayList<>();
        List<TransferRow> transfers = new ArrayList<>();
        List<String> histograms = new ArrayList<>();
        EventLoopGroup group = NativeTransport.newEventLoopGroup(2);
        Payload payload = new Payload(1);
        try {
            for (boolean dtls : runner.modes) {
                try (ServerProcess server = new ServerProcess(runner.xmx, dtls)) {
                    log.println("server pid " + server.process.pid() + ": " + String.join(" ", server.command));
                    idle.add(runner.idle(server, group, histograms));
                    for (long size : runner.transfers) {
                        TransferRow t = runner.transfer(server, group, size, payload);
                        log.printf(Locale.ROOT, "%s transfer %d MiB: %s %.1f MB/s%n", mode(server), size >> 20,
                                t.status(), t.mbPerSecond());
                        transfers.add(t);
                    }
                }
            }
        } finally {
            payload.close();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
        String table = runner.render(idle, transfers, histograms);
        String text = runner.record(table, commandLine(args));
        log.println(text);
        log.println("wrote " + runner.lastWritten.toAbsolutePath().normalize() + " (and its tables as .csv)");
        boolean ok = idle.stream().allMatch(IdleRow::pass)
                && transfers.stream().allMatch(t -> t.status().equals("ok") && t.alive());
        return ok ? 0 : 1;
    }

    static String commandLine(String[] args) {
        return ProcessHandle.current().info().commandLine()
                .orElse("java -jar benchmarks/target/benchmarks.jar idle " + String.join(" ", args));
    }
}
