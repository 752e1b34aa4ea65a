package dev.rudp.bench.load;

import dev.rudp.bench.RawRun;
import dev.rudp.bench.e2e.Machine;
import dev.rudp.bench.files.DiskFiles;
import dev.rudp.fileclient.connection.CancelToken;
import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.ServerTrust;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.connection.Transfers;
import dev.rudp.fileclient.keys.Identity;
import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.auth.AuthorizedKeys;
import dev.rudp.fileserver.auth.PasswordHasher;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code java -jar benchmarks.jar flood}: issue 16's handshake flood. One {@code bin/fileserver serve}
 * process on loopback; {@code --idle} logged-in sessions held open (real DTLS handshakes and key logins,
 * kept by the transport's keepalives); two transfers in a loop (one uploading, one downloading); then
 * {@link FloodSender} sends {@code --rate} datagrams a second for {@code --seconds}. Measures the
 * transfers' rate before and during the flood, the server's heap before, during and after, and the bytes
 * the server sent to the flood's sockets against the bytes it received from them.
 */
public final class FloodRunner {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    /** Issue 16's bounds: transfers keep this share of their rate; the server sends at most this factor. */
    static final double MIN_RATE_SHARE = 0.8;
    static final double MAX_AMPLIFICATION = 3.0;

    record Options(int idle, int rate, double seconds, double warmup, double before, double after, long file, int sockets, long seed,
            boolean plaintext, String userRate, Path out) {
        static Options parse(String[] args) {
            int idle = 1000;
            int rate = 10_000;
            double seconds = 10;
            double before = 10;
            double warmup = 5;
            double after = 5;
            long file = 64L << 20;
            int sockets = 256;
            long seed = 1;
            boolean plaintext = false;
            String userRate = null;
            Path out = Files.isDirectory(Paths.get("benchmarks")) ? Paths.get("benchmarks") : Paths.get(".");
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--plaintext")) {
                    plaintext = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + a);
                }
                String v = args[++i];
                switch (a) {
                    case "--idle" -> idle = Integer.parseInt(v);
                    case "--rate" -> rate = Integer.parseInt(v);
                    case "--seconds" -> seconds = Double.parseDouble(v);
                    case "--before" -> before = Double.parseDouble(v);
                    case "--warmup" -> warmup = Double.parseDouble(v);
                    case "--after" -> after = Double.parseDouble(v);
                    case "--file" -> file = LoadRunner.bytes(v);
                    case "--sockets" -> sockets = Integer.parseInt(v);
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--user-rate" -> userRate = v;
                    case "--out" -> out = Paths.get(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (idle < 0 || rate < 1 || seconds <= 0 || before <= 0 || sockets < 1 || file < 1) {
                throw new IllegalArgumentException("need idle >= 0, rate >= 1, seconds > 0, before > 0, sockets >= 1");
            }
            return new Options(idle, rate, seconds, warmup, before, after, file, sockets, seed, plaintext, userRate, out);
        }
    }

    static String usage() {
        return "usage: java -jar benchmarks.jar flood [--idle 1000] [--rate 10000] [--seconds 10] [--warmup 5] [--before 10]"
                + " [--after 5] [--file 64m] [--sockets 256] [--seed 1] [--plaintext] [--user-rate RATE] [--out DIR]";
    }

    private FloodRunner() {
    }

    /** Entry point; returns 0 when the correctness checks passed (amplification, a transfer during the flood, idle kept), 1 if not, 2 usage. */
    public static int main(String[] args, PrintStream log) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            log.println("flood: " + e.getMessage());
            log.println(usage());
            return 2;
        }
        Path work = Files.createTempDirectory("rudp-bench-flood-");
        int status = 1;
        try {
            status = run(o, work, log, "java -jar benchmarks/target/benchmarks.jar flood " + String.join(" ", args));
            return status;
        } finally {
            if (status == 0) {
                DiskFiles.deleteTree(work);
            } else {
                log.println("flood: kept " + work + " (the server's log: fileserver.log) for a look; delete it after");
            }
        }
    }

    /** Copies the first datagrams a client sends (its handshake) as they leave; passes everything on. */
    @ChannelHandler.Sharable
    static final class Capture extends ChannelOutboundHandlerAdapter {
        final List<byte[]> datagrams = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof DatagramPacket p && datagrams.size() < 4) {
                datagrams.add(ByteBufUtil.getBytes(p.content()));
            }
            super.write(ctx, msg, promise);
        }
    }

    /** One transfer loop's progress: bytes through so far, and the [start, end] nanos of each completed transfer. */
    static final class Loop {
        final AtomicLong bytes = new AtomicLong();
        final List<long[]> completed = Collections.synchronizedList(new ArrayList<>());
        final List<String> errors = Collections.synchronizedList(new ArrayList<>());
        final CancelToken cancel = new CancelToken();
        volatile boolean stop;

        TransferListener listener() {
            return new TransferListener() {
                private long last;

                @Override
                public void started(String name, long start, long total) {
                    last = start;
                }

                @Override
                public void progress(long done, long total) {
                    bytes.addAndGet(done - last);
                    last = done;
                }
            };
        }

        /** Transfers that ran at some time within [from, to] and completed. */
        long overlapping(long from, long to) {
            synchronized (completed) {
                return completed.stream().filter(c -> c[0] <= to && c[1] >= from).count();
            }
        }

        void done(long start, long end) {
            synchronized (completed) {
                completed.add(new long[] {start, end});
                completed.notifyAll();
            }
        }

        /** Waits until a transfer that ran during [from, to] completed, or the loop failed, or {@code millis} passed. */
        void awaitOverlapping(long from, long to, long millis) throws InterruptedException {
            long deadline = System.nanoTime() + millis * 1_000_000;
            synchronized (completed) {
                while (overlapping(from, to) == 0 && errors.isEmpty() && System.nanoTime() < deadline) {
                    completed.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                }
            }
        }
    }

    private static int run(Options o, Path work, PrintStream log, String command) throws Exception {
        Path data = Files.createDirectories(work.resolve("data"));
        AccountStore accounts = AccountStore.open(data);
        AuthorizedKeys keys = AuthorizedKeys.open(data);
        Identity key = Identity.generate("flood");
        String hash = PasswordHasher.DEFAULT.hash("unused-password-of-a-key-only-account".toCharArray());
        for (String u : List.of("xfer", "idle")) {
            accounts.put(new Account(u, false, hash));
            keys.add(u, key.publicKey());
        }
        List<String> serverArgs = new ArrayList<>(List.of("--max-sessions", String.valueOf(o.idle() + 16)));
        if (o.plaintext()) {
            serverArgs.add("--plaintext");
        }
        if (o.userRate() != null) {
            serverArgs.addAll(List.of("--user-rate", o.userRate()));
        }
        log.printf(Locale.ROOT, "flood: %d idle sessions, %d datagrams/s for %.0f s from %d ports, %s%n", o.idle(),
                o.rate(), o.seconds(), o.sockets(), o.plaintext() ? "plaintext" : "DTLS");
        ExecutorService pool = Executors.newCachedThreadPool();
        List<FileConnection> idle = Collections.synchronizedList(new ArrayList<>());
        try (ServerProc server = ServerProc.start(data, work, serverArgs)) {
            // 1. what a real client sends while connecting, to replay
            Capture capture = new Capture();
            try (FileConnection c = FileConnection.connect("127.0.0.1", server.port, 60_000, capture, fresh(o, server))) {
                c.loginWithKey("xfer", key.publicKey(), key::sign);
            }
            List<byte[]> captured = List.copyOf(capture.datagrams);
            // 2. idle sessions, 8 connecting at a time (a burst of 1000 handshakes is another test)
            long idle0 = System.nanoTime();
            List<Future<?>> opening = new ArrayList<>();
            ExecutorService openers = Executors.newFixedThreadPool(8);
            List<String> idleErrors = Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < o.idle(); i++) {
                opening.add(openers.submit(() -> {
                    try {
                        FileConnection c = FileConnection.connect("127.0.0.1", server.port, 60_000, null, fresh(o, server));
                        c.loginWithKey("idle", key.publicKey(), key::sign);
                        idle.add(c);
                    } catch (ClientException e) {
                        idleErrors.add(e.getMessage());
                    }
                }));
            }
            for (Future<?> f : opening) {
                f.get(30, TimeUnit.MINUTES);
            }
            openers.shutdown();
            double idleSeconds = (System.nanoTime() - idle0) / 1e9;
            log.printf(Locale.ROOT, "flood: %d idle sessions open in %.1f s (%d failed)%n", idle.size(), idleSeconds,
                    idleErrors.size());
            // 3. two transfers in a loop: one uploading, one downloading
            Path src = work.resolve("src.bin");
            writeRandom(src, o.file(), o.seed());
            Loop up = new Loop();
            Loop down = new Loop();
            FileConnection upConn = FileConnection.connect("127.0.0.1", server.port, 60_000, null, fresh(o, server));
            upConn.loginWithKey("xfer", key.publicKey(), key::sign);
            FileConnection downConn = FileConnection.connect("127.0.0.1", server.port, 60_000, null, fresh(o, server));
            downConn.loginWithKey("xfer", key.publicKey(), key::sign);
            try (Transfers tu = new Transfers(upConn); Transfers td = new Transfers(downConn)) {
                td.upload(src, "down.bin", false, TransferListener.NONE, new CancelToken());
                Future<?> upLoop = pool.submit(() -> loop(up, () -> tu.upload(src, "up.bin", false, up.listener(), up.cancel)));
                Future<?> downLoop = pool.submit(() -> loop(down, () -> td.download("down.bin", work.resolve("got.bin"),
                        false, down.listener(), down.cancel)));
                Thread.sleep((long) (o.warmup() * 1000)); // the transfers warm up (JIT, windows), unmeasured
                double cpu0 = server.cpu();
                // 4. before: the transfers' rate and the heap without a flood
                long drops0 = rcvbufErrors();
                long b0 = System.nanoTime();
                long bytesB0 = up.bytes.get() + down.bytes.get();
                double upB = server.uptime();
                Thread.sleep((long) (o.before() * 1000)); // a measurement window
                long b1 = System.nanoTime();
                long bytesB1 = up.bytes.get() + down.bytes.get();
                long drops1 = rcvbufErrors();
                double upF0 = server.uptime();
                double cpuB = server.cpu();
                // 5. the flood
                long floodBytes;
                long floodPackets;
                long recvBytes;
                long recvPackets;
                long[] kindPackets = new long[FloodSender.Kind.values().length];
                long[] kindBytes = new long[kindPackets.length];
                long sendErrors;
                long f0;
                long f1;
                long bytesF0;
                long bytesF1;
                long drops2;
                double upF1;
                double cpuF;
                try (FloodSender flood = new FloodSender(new InetSocketAddress("127.0.0.1", server.port), captured,
                        o.sockets(), o.seed())) {
                    f0 = System.nanoTime();
                    bytesF0 = up.bytes.get() + down.bytes.get();
                    flood.flood(o.rate(), o.seconds());
                    f1 = System.nanoTime();
                    bytesF1 = up.bytes.get() + down.bytes.get();
                    drops2 = rcvbufErrors();
                    upF1 = server.uptime();
                    cpuF = server.cpu();
                    Thread.sleep(1000); // a window for late answers to the flood's last datagrams
                    floodBytes = flood.sentBytesTotal();
                    floodPackets = flood.sentPacketsTotal();
                    recvBytes = flood.receivedBytes.get();
                    recvPackets = flood.receivedPackets.get();
                    sendErrors = flood.sendErrors.get();
                    for (int i = 0; i < kindPackets.length; i++) {
                        kindPackets[i] = flood.sentPackets[i].get();
                        kindBytes[i] = flood.sentBytes[i].get();
                    }
                }
                long[] heapFloodEnd = server.heapInfo();
                // 6. after; a transfer that ran during the flood must complete (it may have started before it)
                up.awaitOverlapping(f0, f1, 120_000);
                down.awaitOverlapping(f0, f1, 120_000);
                long left = (long) (o.after() * 1000) - (System.nanoTime() - f1) / 1_000_000;
                if (left > 0) {
                    Thread.sleep(left); // the rest of the measurement window
                }
                long a1 = System.nanoTime();
                long bytesA1 = up.bytes.get() + down.bytes.get();
                long drops3 = rcvbufErrors();
                double upA1 = server.uptime();
                long[] heapAfter = server.heapInfo();
                long idleOpen = idle.stream().filter(FileConnection::isOpen).count();
                up.stop = true;
                down.stop = true;
                up.cancel.cancel();
                down.cancel.cancel();
                upLoop.get(60, TimeUnit.SECONDS);
                downLoop.get(60, TimeUnit.SECONDS);
                double rateBefore = (bytesB1 - bytesB0) / ((b1 - b0) / 1e9) / 1e6;
                double rateDuring = (bytesF1 - bytesF0) / ((f1 - f0) / 1e9) / 1e6;
                double rateAfter = (bytesA1 - bytesF1) / ((a1 - f1) / 1e9) / 1e6;
                long during = up.overlapping(f0, f1) + down.overlapping(f0, f1);
                List<String> errors = new ArrayList<>(up.errors);
                errors.addAll(down.errors);
                FloodReport r = new FloodReport(o, captured, idle.size(), idleErrors, idleSeconds, idleOpen, rateBefore, rateDuring,
                        rateAfter, (a1 - f1) / 1e9, during, server.maxAfterGcMiB(upB, upF0), server.maxAfterGcMiB(upF0, upF1),
                        server.maxAfterGcMiB(upF1, upA1), heapFloodEnd, heapAfter, floodPackets, floodBytes, kindPackets,
                        kindBytes, recvPackets, recvBytes, sendErrors, cpuB - cpu0, cpuF - cpuB, errors,
                        server.logCount(" connect "), new long[] {drops1 - drops0, drops2 - drops1, drops3 - drops2});
                return r.write(log, command);
            } finally {
                upConn.close();
                downConn.close();
            }
        } finally {
            synchronized (idle) {
                idle.forEach(FileConnection::close);
            }
            pool.shutdownNow();
        }
    }

    /** A trust decision per connection (it records what it saw). */
    private static ServerTrust fresh(Options o, ServerProc server) {
        return o.plaintext() ? ServerTrust.plaintext() : ServerTrust.fingerprint(server.fingerprint);
    }

    @FunctionalInterface
    private interface Transfer {
        void run() throws Exception;
    }

    private static void loop(Loop l, Transfer t) {
        while (!l.stop) {
            long s = System.nanoTime();
            try {
                t.run();
                l.done(s, System.nanoTime());
            } catch (Exception e) {
                if (!l.stop) {
                    l.errors.add(String.valueOf(e.getMessage()));
                    return;
                }
            }
        }
    }

    /**
     * The kernel's count of UDP datagrams dropped because a socket's receive buffer was full
     * ({@code Udp: RcvbufErrors} in /proc/net/snmp): system-wide, so other programs' drops count too; -1 when unreadable.
     */
    static long rcvbufErrors() {
        try {
            List<String> udp = Files.readAllLines(Path.of("/proc/net/snmp")).stream().filter(l -> l.startsWith("Udp:"))
                    .toList();
            List<String> names = List.of(udp.get(0).split("\\s+"));
            return Long.parseLong(udp.get(1).split("\\s+")[names.indexOf("RcvbufErrors")]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void writeRandom(Path file, long size, long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] buf = new byte[1 << 20];
        try (var out = Files.newOutputStream(file)) {
            for (long left = size; left > 0;) {
                int n = (int) Math.min(buf.length, left);
                rnd.nextBytes(buf);
                out.write(buf, 0, n);
                left -= n;
            }
        }
    }
}
