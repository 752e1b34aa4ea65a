package dev.rudp.bench.e2e;

import dev.rudp.NativeTransport;
import dev.rudp.bench.RawRun;
import dev.rudp.bench.Repeats;
import dev.rudp.bench.Sizes;
import dev.rudp.bench.files.FileBench;
import dev.rudp.bench.files.FileRow;
import dev.rudp.bench.files.FileTable;
import dev.rudp.CongestionControl;
import dev.rudp.dtls.DtlsConfig;
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
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end runner: in one JVM and one run, moves the same bytes memory to memory through each
 * transport under each profile, then (on the loopback profile) a file disk to disk through the file
 * service, sftp and a TCP copy with fsync ({@link FileBench}); prints the tables, writes them under
 * {@code results/} ({@link RawRun}) and draws throughput-against-loss plots. See {@link #usage()} for the options and {@code benchmarks/README.md}
 * for what the columns mean.
 */
public final class E2eRunner {
    static final List<String> DEFAULT_TRANSPORTS = List.of("rudp", "rudp+dtls", "tcp", "quic");
    /** Every transport the runner knows; rudp+dtls-bc (BouncyCastle's own AES-GCM) only on request. */
    static final List<String> KNOWN_TRANSPORTS = List.of("rudp", "rudp+dtls", "rudp+dtls-bc", "tcp", "quic");
    static final String DEFAULT_PROFILES = "loopback,loss0-rtt0,loss1-rtt0,loss5-rtt0,loss0-rtt20,loss1-rtt20,"
            + "loss5-rtt20,loss0-rtt50,loss1-rtt50,loss5-rtt50,rtt20-rate100m";

    long bytes = 1L << 30;
    long lossyBytes = 64L << 20;
    List<Profile> profiles = parseProfiles(DEFAULT_PROFILES);
    List<String> transports = DEFAULT_TRANSPORTS;
    /** 0: per profile, {@link #LOOPBACK_DATAGRAM} on loopback and {@link #WAN_DATAGRAM} through the simulator. */
    int datagram = 0;
    boolean offload;
    /** Loopback's MTU carries the largest UDP datagram; rudp's path MTU discovery finds it, QUIC is told. */
    static final int LOOPBACK_DATAGRAM = 65_507;
    /** The simulated profiles stand for WAN paths: Ethernet-sized datagrams. */
    static final int WAN_DATAGRAM = 1400;
    int message = 64 << 10;
    long timeoutMillis = 60_000;
    long seed = 1;
    long warmupBytes = 128L << 20;
    int warmupRounds = Warmup.DEFAULT_ROUNDS;
    int repeat = 1;
    /** The spread of each reported outcome's runs, by identity (only with {@code --repeat} > 1). */
    final Map<Outcome, Repeats<Outcome>> spreads = new IdentityHashMap<>();
    CongestionControl cc = CongestionControl.BBR;
    List<String> files = FileBench.KNOWN;
    List<FileRow> fileRows = List.of();
    Path out = Files.isDirectory(Paths.get("benchmarks")) ? Paths.get("benchmarks") : Paths.get(".");
    private final PrintStream log;

    E2eRunner(PrintStream log) {
        this.log = log;
    }

    public static String usage() {
        return String.join("\n",
                "usage: java -jar benchmarks/target/benchmarks.jar e2e [options]",
                "  --bytes SIZE          bytes per transfer on the loopback profile (default 1g; k/m/g suffixes)",
                "  --lossy-bytes SIZE    bytes per transfer on simulated profiles (default 64m)",
                "  --profiles LIST       comma-separated: loopback, or parts lossP-rttM-rateNm joined by '-'",
                "                        (default " + DEFAULT_PROFILES + ")",
                "  --transports LIST     any of rudp,rudp+dtls,rudp+dtls-bc,tcp,quic, or none (default rudp,rudp+dtls,tcp,quic)",
                "  --files LIST          file rows on the loopback profile, disk to disk: any of fileclient,tcp+fsync,sftp,",
                "                        or none (default all; sftp needs sshd: benchmarks/setup-sftp.sh)",
                "  --cc NAME             rudp's congestion control: new_reno, cubic or bbr (default bbr, as the file service)",
                "  --offload true|false  rudp's UDP_OFFLOAD (GSO sends, GRO receives; default false, as the library)",
                "  --datagram N          UDP payload size for rudp (MAX_DATAGRAM_SIZE) and QUIC (default: 65507 on",
                "                        loopback, where rudp's path MTU discovery finds it, 1400 on simulated profiles)",
                "  --message N           application write size, divides 1 MiB (default 65536)",
                "  --timeout SECONDS     per-transfer limit; a slower transfer is reported as timeout (default 60)",
                "  --seed N              simulator seed (default 1)",
                "  --repeat N            run each transfer N times (interleaved) and report the median run, with the",
                "                        spread in its own column (default 1; file rows too, session rows once)",
                "  --warmup SIZE         loopback bytes per untimed warm-up round, 0 for none (default 128m)",
                "  --warmup-rounds N     warm-up rounds per transport until the JIT settles (compilers busy < "
                        + Math.round(Warmup.SETTLED_SHARE * 100) + "% of a round), at most N (default " + Warmup.DEFAULT_ROUNDS + ")",
                "  --out DIR             where results/ goes (default ./benchmarks if present, else .)");
    }

    static List<Profile> parseProfiles(String list) {
        List<Profile> result = new ArrayList<>();
        for (String s : list.split(",")) {
            if (!s.isBlank()) {
                result.add(Profile.parse(s));
            }
        }
        return result;
    }

    /** Parses the options; throws IllegalArgumentException with a message for bad ones. */
    void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--bytes" -> bytes = Sizes.parse(v);
                case "--lossy-bytes" -> lossyBytes = Sizes.parse(v);
                case "--profiles" -> profiles = parseProfiles(v);
                case "--transports" -> {
                    transports = v.equals("none") ? List.of() : Arrays.asList(v.split(","));
                    for (String t : transports) {
                        if (!KNOWN_TRANSPORTS.contains(t)) {
                            throw new IllegalArgumentException("unknown transport " + t);
                        }
                    }
                }
                case "--files" -> {
                    files = v.equals("none") ? List.of() : Arrays.asList(v.split(","));
                    for (String f : files) {
                        if (!FileBench.KNOWN.contains(f)) {
                            throw new IllegalArgumentException("unknown file transfer " + f);
                        }
                    }
                }
                case "--datagram" -> datagram = Integer.parseInt(v);
                case "--message" -> message = (int) Sizes.parse(v);
                case "--timeout" -> timeoutMillis = Long.parseLong(v) * 1000;
                case "--seed" -> seed = Long.parseLong(v);
                case "--warmup" -> warmupBytes = Sizes.parse(v);
                case "--warmup-rounds" -> warmupRounds = Integer.parseInt(v);
                case "--repeat" -> repeat = Integer.parseInt(v);
                case "--out" -> out = Paths.get(v);
                case "--cc" -> cc = CongestionControl.valueOf(v.toUpperCase(java.util.Locale.ROOT));
                case "--offload" -> offload = Boolean.parseBoolean(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (message <= 0 || Payload.BLOCK % message != 0) {
            throw new IllegalArgumentException("--message must divide " + Payload.BLOCK);
        }
        if (warmupRounds < 1 || repeat < 1) {
            throw new IllegalArgumentException("--warmup-rounds and --repeat must be at least 1");
        }
        if (bytes <= 0 || lossyBytes <= 0 || timeoutMillis <= 0 || profiles.isEmpty()) {
            throw new IllegalArgumentException("sizes, timeout and profiles must be positive / non-empty");
        }
    }

    private Transport transport(String name, DtlsConfig.KeyAndCertificate cert) {
        return switch (name) {
            case "rudp" -> new RudpTransport(false, DtlsConfig.Crypto.JCA, cert, cc, offload);
            case "rudp+dtls" -> new RudpTransport(true, DtlsConfig.Crypto.JCA, cert, cc, offload);
            case "rudp+dtls-bc" -> new RudpTransport(true, DtlsConfig.Crypto.BC, cert, cc, offload);
            case "tcp" -> new TcpTransport();
            case "quic" -> new QuicTransport(cert);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Runs every transfer and returns the outcomes, in profile then transport order. */
    List<Outcome> run() throws IOException, InterruptedException {
        DtlsConfig.KeyAndCertificate cert = DtlsConfig.selfSigned("rudp-bench");
        List<Transport> list = new ArrayList<>();
        for (String t : transports) {
            list.add(transport(t, cert));
        }
        List<Outcome> outcomes = new ArrayList<>();
        try (Payload payload = new Payload(seed)) {
            if (warmupBytes > 0) {
                Warmup warmup = new Warmup(warmupRounds, log);
                for (Transport t : list) {
                    warmup.run(t.name(), () -> {
                        Outcome w = once(t, payload, Profile.LOOPBACK, warmupBytes);
                        return String.format(Locale.ROOT, "%s %.1f MB/s", w.status(), w.mbPerSecond());
                    });
                }
            }
            for (Profile p : profiles) {
                long n = p.simulated() ? lossyBytes : bytes;
                for (Repeats<Outcome> picked : Repeats.roundRobin(list, repeat, (t, r) -> {
                    Outcome o = t.supports(p) ? once(t, payload, p, n) : Outcome.notRun(t.name(), p, n);
                    log.printf(Locale.ROOT, "%-16s %-9s %6d MiB  %-8s %8.1f MB/s  cpu %6.2f s (jit %.2f, gc %.2f)  heap %5d MiB  retx %s%s%n",
                            p.name(), t.name(), n >> 20, o.status(), o.mbPerSecond(), o.cpuSeconds(), o.jitSeconds(),
                            o.gcSeconds(),
                            o.peakHeapBytes() >> 20, o.retransmittedBytes() < 0 ? "n/a" : (o.retransmittedBytes() >> 10) + " KiB",
                            repeat > 1 ? "  (run " + r + "/" + repeat + ")" : "");
                    return o;
                }, o -> o.ok() || o.status().equals("n/a"), Outcome::mbPerSecond)) {
                    outcomes.add(picked.reported());
                    spreads.put(picked.reported(), picked);
                }
            }
            if (!files.isEmpty() && profiles.contains(Profile.LOOPBACK)) {
                fileRows = new FileBench(files, bytes, warmupBytes, warmupRounds, timeoutMillis, repeat, log).run(payload);
            }
        }
        return outcomes;
    }

    private Outcome once(Transport t, Payload payload, Profile p, long n) throws InterruptedException {
        System.gc();
        Transport.Job job = new Transport.Job(payload, n, p, seed, datagramFor(p), message, timeoutMillis);
        try (Meter meter = new Meter()) {
            Transport.Result r;
            try {
                r = t.transfer(job, meter);
            } catch (Exception e) {
                meter.stop();
                String why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                return new Outcome(t.name(), p, n, 0, "failed: " + why.replace('|', '/').replace('\n', ' '),
                        meter.seconds(), meter.cpuSeconds(), meter.jitSeconds(), meter.gcSeconds(), meter.peakHeapBytes(),
                        meter.peakDirectBytes(), -1);
            }
            meter.stop();
            String status;
            if (!r.complete()) {
                status = "timeout";
            } else if (r.crc() != payload.expectedCrc(n)) {
                status = "corrupt";
            } else {
                status = "ok";
            }
            return new Outcome(t.name(), p, n, Math.min(r.received(), n), status, meter.seconds(), meter.cpuSeconds(),
                    meter.jitSeconds(), meter.gcSeconds(), meter.peakHeapBytes(), meter.peakDirectBytes(), r.retransmittedBytes());
        }
    }

    int datagramFor(Profile p) {
        return datagram > 0 ? datagram : p == Profile.LOOPBACK ? LOOPBACK_DATAGRAM : WAN_DATAGRAM;
    }

    /** The raw run last written by {@link #record}. */
    private Path lastWritten;

    /** Writes the run's header and tables under results/ ({@link RawRun}) and draws the plots; returns the text. */
    String record(List<Outcome> outcomes, String command) throws IOException {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String stamp = now.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path results = out.resolve("results");
        Files.createDirectories(results);
        List<Path> plots = Plot.throughputVsLoss(outcomes, transports, results, stamp);
        StringBuilder sb = new StringBuilder();
        sb.append("\n## End-to-end run ").append(now.format(DateTimeFormatter.ISO_INSTANT)).append("\n\n");
        sb.append("- command: `").append(command).append("`\n");
        sb.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(", Netty transport ")
                .append(NativeTransport.name()).append('\n');
        sb.append("- machine: ").append(Machine.describe()).append('\n');
        sb.append("- git commit: ").append(Machine.gitCommit()).append('\n');
        String datagrams = datagram > 0 ? datagram + " B" : "loopback " + LOOPBACK_DATAGRAM + " B, simulated profiles "
                + WAN_DATAGRAM + " B";
        sb.append(String.format(Locale.ROOT, "- settings: datagram %s (rudp MAX_DATAGRAM_SIZE, where path MTU "
                + "discovery starts at 1200 B; QUIC max UDP payload), message %d B, rudp initial window %d MiB, "
                + "rudp congestion control %s, QUIC flow control %d MiB, simulator seed %d, timeout %d s, "
                + "warm-up rounds of %d MiB per transport until the JIT settles (compilers busy < %d%% of a round), "
                + "at most %d; %d run(s) per transfer, the median reported%n",
                datagrams, message, RudpTransport.INITIAL_WINDOW >> 20, cc, QuicTransport.FLOW_CONTROL >> 20, seed,
                timeoutMillis / 1000, warmupBytes >> 20, Math.round(Warmup.SETTLED_SHARE * 100), warmupRounds, repeat));
        sb.append("- profiles: lossP drops P% of datagrams in each direction, rttM adds M/2 ms each way, rateNm limits "
                + "each direction to N Mbit/s (").append(Profile.RATE_QUEUE_BYTES >> 10)
                .append(" KiB drop-tail queue); all via an ImpairmentHandler first in both datagram pipelines. "
                + "loopback has no simulator. TCP runs on loopback only (n/a elsewhere).\n\n");
        if (!outcomes.isEmpty()) {
            sb.append(Table.render(outcomes, spreads));
        }
        if (!fileRows.isEmpty()) {
            sb.append("\n### Files on loopback, disk to disk (").append(bytes >> 20).append(" MiB)\n\n");
            sb.append("fileclient put/get: the file service as shipped (DTLS, BBR, default server settings), one "
                    + "batch command (`-c \"put ...\"`) timed from start to exit: connect, handshake, login, transfer, "
                    + "checked end to end (CRC32C or SHA-256), fsync, rename. tcp+fsync: sendfile to a receiver that writes and fsyncs. "
                    + "sftp put/get: OpenSSH sftp -c ").append("aes128-gcm@openssh.com")
                    .append(" to a local sshd, process start to exit (no fsync). Session-only rows: the same with `pwd`, no file. "
                    + "Ratios compare file rows only. "
                    + "CPU s: all processes of both ends.\n\n");
            sb.append(FileTable.render(fileRows));
        }
        if (!plots.isEmpty()) {
            sb.append('\n');
            for (Path plot : plots) {
                sb.append("![").append(plot.getFileName()).append("](").append(plot.getFileName()).append(")\n");
            }
        }
        lastWritten = RawRun.write(out, "e2e", stamp, sb.toString());
        return sb.toString();
    }

    /** The command line of this process, best effort. */
    static String commandLine(String[] args) {
        return ProcessHandle.current().info().commandLine()
                .orElse("java -jar benchmarks/target/benchmarks.jar e2e " + String.join(" ", args));
    }

    /** Entry point of {@code e2e}; returns the exit status. */
    public static int main(String[] args, PrintStream log) throws Exception {
        System.setProperty("java.awt.headless", "true");
        E2eRunner runner = new E2eRunner(log);
        try {
            runner.parse(args);
        } catch (IllegalArgumentException e) {
            log.println(e.getMessage());
            log.println(usage());
            return 2;
        }
        log.printf(Locale.ROOT, "e2e: %s, JDK %s, %d cores, profiles %s, transports %s%n", NativeTransport.name(),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                runner.profiles.stream().map(Profile::name).toList(), runner.transports);
        List<Outcome> outcomes = runner.run();
        String text = runner.record(outcomes, commandLine(args));
        log.println(text);
        log.println("wrote " + runner.lastWritten.toAbsolutePath().normalize() + " (and its tables as .csv)");
        TimeUnit.MILLISECONDS.sleep(10);
        return 0;
    }
}
