package dev.rudp.bench.load;

import dev.rudp.bench.RawRun;
import dev.rudp.bench.e2e.Machine;
import dev.rudp.bench.files.DiskFiles;
import dev.rudp.bench.load.Recorder.Kind;
import dev.rudp.fileclient.keys.Identity;
import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.auth.AuthorizedKeys;
import dev.rudp.fileserver.auth.PasswordHasher;
import dev.rudp.sim.Direction;
import dev.rudp.sim.ImpairmentProfile;
import dev.rudp.sim.UdpRelay;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code java -jar benchmarks.jar load}: issue 16's 200 concurrent sessions through 2 % loss. One
 * {@code bin/fileserver serve} process; a {@link UdpRelay} with the simulator between every client and
 * it (the loss each way, seeded); {@code --processes} sessions are real {@code bin/fileclient} processes
 * ({@link ProcessSession}), the rest share this JVM ({@link JvmSession}); every session loops put, get,
 * ls, mv, rm of random files until {@code --seconds} have passed, every file that comes back is checked
 * against the SHA-256 it went up with. Writes {@code results/load-STAMP.md} and its CSVs.
 */
public final class LoadRunner {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    /** The options, with issue 16's defaults. */
    record Options(int sessions, int processes, int seconds, double loss, long seed, long maxFile, long maxBytes,
            int minOps, int parallel, Path out) {
        static Options parse(String[] args) {
            int sessions = 200;
            int processes = 20;
            int seconds = 60;
            double loss = 0.02;
            long seed = 1;
            long maxFile = 1 << 20;
            long maxBytes = 8L << 30;
            int minOps = 5;
            int parallel = 8;
            Path out = Files.isDirectory(Paths.get("benchmarks")) ? Paths.get("benchmarks") : Paths.get(".");
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + a);
                }
                String v = args[++i];
                switch (a) {
                    case "--sessions" -> sessions = Integer.parseInt(v);
                    case "--processes" -> processes = Integer.parseInt(v);
                    case "--seconds" -> seconds = Integer.parseInt(v);
                    case "--loss" -> loss = Double.parseDouble(v);
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--max-file" -> maxFile = bytes(v);
                    case "--max-bytes" -> maxBytes = bytes(v);
                    case "--min-ops" -> minOps = Integer.parseInt(v);
                    case "--connect-parallel" -> parallel = Integer.parseInt(v);
                    case "--out" -> out = Paths.get(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (parallel < 1 || sessions < 1 || processes < 0 || processes > sessions || seconds < 1 || loss < 0 || loss >= 1) {
                throw new IllegalArgumentException("need 0 <= processes <= sessions, seconds >= 1, 0 <= loss < 1");
            }
            return new Options(sessions, processes, seconds, loss, seed, maxFile, maxBytes, minOps, parallel, out);
        }
    }

    static String usage() {
        return "usage: java -jar benchmarks.jar load [--sessions 200] [--processes 20] [--seconds 60] [--loss 0.02]"
                + " [--seed 1] [--max-file 1m] [--max-bytes 8g] [--min-ops 5] [--connect-parallel 8] [--out DIR]";
    }

    static long bytes(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long mult = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        return Long.parseLong(mult == 1 ? t : t.substring(0, t.length() - 1)) * mult;
    }

    private LoadRunner() {
    }

    /** Entry point; returns the exit status (0 every check passed, 1 a check failed, 2 usage). */
    public static int main(String[] args, PrintStream log) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            log.println("load: " + e.getMessage());
            log.println(usage());
            return 2;
        }
        Path work = Files.createTempDirectory("rudp-bench-load-");
        int status = 1;
        try {
            status = run(o, work, log, "java -jar benchmarks/target/benchmarks.jar load " + String.join(" ", args));
            return status;
        } finally {
            if (status == 0) {
                DiskFiles.deleteTree(work);
            } else {
                log.println("load: kept " + work + " (the server's log: fileserver.log) for a look; delete it after");
            }
        }
    }

    private static int run(Options o, Path work, PrintStream log, String command) throws Exception {
        Path data = Files.createDirectories(work.resolve("data"));
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(new SecureRandom().generateSeed(18));
        // One account per session, each with the server's real scrypt cost and one shared key.
        String hash = PasswordHasher.DEFAULT.hash(password.toCharArray());
        Identity key = Identity.generate("load");
        Path keyFile = work.resolve("keys").resolve("id_ed25519");
        Files.createDirectories(keyFile.getParent());
        key.save(keyFile, true);
        AccountStore accounts = AccountStore.open(data);
        AuthorizedKeys keys = AuthorizedKeys.open(data);
        for (int i = 0; i < o.sessions(); i++) {
            accounts.put(new Account(user(i), false, hash));
            keys.add(user(i), key.publicKey());
        }
        Recorder rec = new Recorder(o.sessions());
        List<String> serverArgs = List.of("--max-sessions", String.valueOf(o.sessions() + 16));
        log.printf(Locale.ROOT, "load: %d sessions (%d bin/fileclient processes), %d s, loss %.3f each way, seed %d%n",
                o.sessions(), o.processes(), o.seconds(), o.loss(), o.seed());
        try (ServerProc server = ServerProc.start(data, work, serverArgs);
                UdpRelay relay = UdpRelay.start(new InetSocketAddress("127.0.0.1", 0),
                        new InetSocketAddress("127.0.0.1", server.port),
                        ImpairmentProfile.builder().loss(o.loss()).seed(o.seed()).build())) {
            AtomicLong rssMax = new AtomicLong();
            long c0 = System.nanoTime();
            Workload work2 = new Workload(o.sessions(), o.parallel(), o.seconds(), o.maxFile(), o.maxBytes());
            ExecutorService pool = Executors.newFixedThreadPool(o.sessions() + 1);
            List<Future<?>> running = new ArrayList<>();
            long batchTimeout = TimeUnit.SECONDS.toMillis(o.seconds() + 300L);
            for (int i = 0; i < o.sessions(); i++) {
                Path dir = work.resolve("s" + i);
                long seed = o.seed() * 1_000_003L + i;
                if (i < o.processes()) {
                    boolean byKey = i % 2 == 0;
                    running.add(pool.submit(new ProcessSession(i, user(i), byKey ? keyFile : null,
                            byKey ? null : password, relay.address().getPort(), server.fingerprint, dir, work2, rec, seed,
                            batchTimeout)));
                } else {
                    running.add(pool.submit(new JvmSession(i, user(i), key, relay.address().getPort(),
                            server.fingerprint, dir, work2, rec, seed, 120_000)));
                }
            }
            Future<?> sampler = pool.submit(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    rssMax.accumulateAndGet(server.rssKiB(), Math::max);
                    try {
                        Thread.sleep(1000); // a sampling period, not a wait for an event
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            if (!work2.awaitConnected(30, TimeUnit.MINUTES)) {
                rec.failure(-1, "the sessions did not get through their connect phase within 30 minutes");
            }
            double connectSeconds = (System.nanoTime() - c0) / 1e9;
            int connectFailures = rec.failures().size();
            log.printf(Locale.ROOT, "load: connect phase %.1f s, %d failed; loop starts%n", connectSeconds,
                    connectFailures);
            double cpu0 = server.cpu();
            double up0 = server.uptime();
            long runner0 = runnerCpuNanos();
            long t0 = work2.start();
            long[] heapAtEnd = null;
            long hardEnd = t0 + TimeUnit.SECONDS.toNanos(o.seconds() + 420L);
            for (Future<?> f : running) {
                if (heapAtEnd == null && System.nanoTime() >= work2.deadlineNanos()) {
                    heapAtEnd = server.heapInfo(); // the heap as the last rounds finish, every session still open
                }
                try {
                    f.get(Math.max(1, hardEnd - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    rec.failure(-1, "a session did not end within " + (o.seconds() + 420) + " s");
                    f.cancel(true);
                }
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            if (heapAtEnd == null) {
                heapAtEnd = server.heapInfo();
            }
            sampler.cancel(true);
            pool.shutdownNow();
            double serverCpu = server.cpu() - cpu0;
            double runnerCpu = (runnerCpuNanos() - runner0) / 1e9;
            long heapMax = server.maxAfterGcMiB(up0, server.uptime() + 1);
            long gcs = server.gcCount(up0, server.uptime() + 1);
            String relayStats = "clients to server: " + relay.stats(Direction.INBOUND) + "; server to clients: "
                    + relay.stats(Direction.OUTBOUND);
            return report(o, rec, connectSeconds, connectFailures, wall, serverCpu, runnerCpu, heapMax, gcs, heapAtEnd, rssMax.get(), relayStats,
                    server.logCount(" connect "), log, command);
        }
    }

    static String user(int i) {
        return String.format(Locale.ROOT, "load%03d", i);
    }

    private static long runnerCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean s ? s.getProcessCpuTime() : 0;
    }

    private static int report(Options o, Recorder rec, double connectSeconds, int connectFailures, double wall, double serverCpu, double runnerCpu, long heapMax,
            long gcs, long[] heapAtEnd, long rssMax, String relayStats, long connects, PrintStream log, String command)
            throws IOException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        StringBuilder md = new StringBuilder("## load ").append(DateTimeFormatter.ISO_INSTANT.format(now)).append("\n\n");
        md.append("- command: `").append(command).append("`\n");
        md.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        md.append("- machine: ").append(Machine.describe()).append('\n');
        md.append("- git commit: ").append(Machine.gitCommit()).append('\n');
        md.append(String.format(Locale.ROOT, "- %d sessions: %d `bin/fileclient` processes (batch mode through the agent;"
                + " even ones key login, odd ones password login), %d in this JVM (fileclient library, key login);"
                + " one `bin/fileserver serve` (DTLS 1.2, BBR, --max-sessions %d); UdpRelay with loss %.3f each way,"
                + " seed %d; files 1 KiB-%d KiB log-uniform; sessions connect and log in %d at a time, then all loop for %d s%n", o.sessions(), o.processes(),
                o.sessions() - o.processes(), o.sessions() + 16, o.loss(), o.seed(), o.maxFile() >> 10, o.parallel(), o.seconds()));
        md.append("- relay: ").append(relayStats).append("\n\n");
        md.append("| op | count | ops/s | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|\n");
        for (Kind k : Kind.values()) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f |%n", k.word(), rec.count(k),
                    rec.count(k) / wall, rec.quantileMillis(k, 0.5), rec.quantileMillis(k, 0.99)));
        }
        md.append(String.format(Locale.ROOT, "| all | %d | %.1f | | |%n%n", rec.total(), rec.total() / wall));
        md.append("| sessions | count | min ops | median ops | max ops |\n|---|---:|---:|---:|---:|\n");
        int p = o.processes();
        appendSessions(md, "bin/fileclient processes", rec.perSession(0, p));
        appendSessions(md, "in-JVM", rec.perSession(p, o.sessions()));
        long[] all = rec.perSession(0, o.sessions());
        appendSessions(md, "all", all);
        md.append('\n');
        md.append("| figure | value |\n|---|---:|\n");
        md.append(String.format(Locale.ROOT, "| connect phase s (%d at a time) | %.1f |%n", o.parallel(), connectSeconds));
        md.append(String.format(Locale.ROOT, "| sessions that failed to connect | %d |%n", connectFailures));
        md.append(String.format(Locale.ROOT, "| loop wall s (until the last session ended) | %.1f |%n", wall));
        md.append(String.format(Locale.ROOT, "| server CPU-s | %.1f |%n", serverCpu));
        md.append(String.format(Locale.ROOT, "| runner JVM CPU-s (in-JVM clients and relay) | %.1f |%n", runnerCpu));
        md.append(String.format(Locale.ROOT, "| server heap after GC, max (MiB, GC log) | %d |%n", heapMax));
        md.append(String.format(Locale.ROOT, "| server collections | %d |%n", gcs));
        md.append(String.format(Locale.ROOT, "| server heap used at the end of the loop (MiB, jcmd GC.heap_info) | %.1f |%n",
                heapAtEnd[0] / 1024.0));
        md.append(String.format(Locale.ROOT, "| server heap committed then (MiB) | %.1f |%n", heapAtEnd[1] / 1024.0));
        md.append(String.format(Locale.ROOT, "| server RSS max (MiB, /proc, 1 s samples) | %.1f |%n", rssMax / 1024.0));
        md.append(String.format(Locale.ROOT, "| server connect log lines | %d |%n", connects));
        md.append(String.format(Locale.ROOT, "| files verified (SHA-256 back = up) | %d |%n", rec.verifiedFiles()));
        md.append(String.format(Locale.ROOT, "| bytes verified | %d |%n", rec.verifiedBytes()));
        List<String> failures = rec.failures();
        md.append(String.format(Locale.ROOT, "| failed sessions | %d |%n", failures.size()));
        boolean starved = all.length > 0 && all[0] < o.minOps();
        md.append(String.format(Locale.ROOT, "%n- every session at least %d operations: %s%n", o.minOps(),
                starved ? "NO (min " + all[0] + ")" : "yes"));
        md.append("- failures: ").append(failures.isEmpty() ? "none" : "").append('\n');
        for (String f : failures.subList(0, Math.min(20, failures.size()))) {
            md.append("  - ").append(f).append('\n');
        }
        Path file = RawRun.write(o.out(), "load", STAMP.format(now), md.toString());
        log.println(md);
        log.println("wrote " + file.toAbsolutePath().normalize() + " and its .csv");
        return failures.isEmpty() && !starved ? 0 : 1;
    }

    private static void appendSessions(StringBuilder md, String what, long[] sorted) {
        if (sorted.length == 0) {
            md.append("| ").append(what).append(" | 0 | | | |\n");
            return;
        }
        md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d |%n", what, sorted.length, sorted[0],
                sorted[sorted.length / 2], sorted[sorted.length - 1]));
    }
}
