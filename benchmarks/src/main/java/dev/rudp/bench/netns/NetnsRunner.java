package dev.rudp.bench.netns;

import dev.rudp.bench.RawRun;
import dev.rudp.bench.Repeats;
import dev.rudp.bench.e2e.Machine;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code benchmarks.jar netns}: rudp and kernel TCP through the same kernel-made loss and rate limit.
 * For each profile it makes two network namespaces joined by a link ({@link Topology}); for each
 * transport it starts the receiver as a JVM inside one namespace and the sender as a JVM inside the
 * other ({@link Peer}), so both stacks are the ordinary ones of a host. Namespaces, relay and peers
 * are removed after each profile, and by a shutdown hook if the run is interrupted. It writes its
 * Markdown table under results/ ({@link RawRun}). Root and iproute2 are required; {@code benchmarks/setup-netns.sh}
 * installs the rest.
 */
public final class NetnsRunner {
    /** Exit status when the machine cannot run this benchmark (not root, no ip, no drop tool). */
    public static final int UNAVAILABLE = 3;
    /** Longest a peer JVM may take to start, warm up and start listening. */
    private static final long READY_SECONDS = 180;

    private final NetnsOptions options;
    private final PrintStream log;
    private final Topology.Names names = Topology.Names.forPid(ProcessHandle.current().pid());
    private final List<Process> live = new CopyOnWriteArrayList<>();
    private volatile Topology current;
    private String allowedCcBefore;
    private Topology.DropTool dropTool;

    NetnsRunner(NetnsOptions options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    /** Entry point of {@code netns}; returns the exit status. */
    public static int main(String[] args, PrintStream log) throws Exception {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            log.println(NetnsOptions.usage());
            return 0;
        }
        NetnsOptions options;
        try {
            options = NetnsOptions.parse(args, Paths.get("").toAbsolutePath());
        } catch (IllegalArgumentException e) {
            log.println(e.getMessage());
            log.println(NetnsOptions.usage());
            return 2;
        }
        NetnsRunner runner = new NetnsRunner(options, log);
        String unavailable = runner.checkMachine();
        if (unavailable != null) {
            log.println("netns: cannot run here: " + unavailable);
            return UNAVAILABLE;
        }
        Thread hook = new Thread(runner::cleanUp, "netns-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        List<NetnsTable.Row> rows;
        try {
            rows = runner.run();
        } finally {
            runner.cleanUp();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        String text = runner.record(rows, commandLine(args));
        log.println(text);
        log.println("wrote " + runner.lastWritten.toAbsolutePath().normalize() + " (and its tables as .csv)");
        return 0;
    }

    /** Why this machine cannot run the benchmark, or null if it can. */
    String checkMachine() {
        if (!isRoot()) {
            return "needs root (it makes network namespaces, veth pairs, drop rules and qdiscs); run it with sudo";
        }
        if (!Cmd.run(List.of("ip", "-V")).ok() || !Cmd.run(List.of("tc", "-V")).ok()) {
            return "needs iproute2 (ip and tc on the PATH); run benchmarks/setup-netns.sh";
        }
        if (!Cmd.run(List.of("ethtool", "--version")).ok()) {
            return "needs ethtool (veth offloads must be off); run benchmarks/setup-netns.sh";
        }
        if (options.profiles().stream().anyMatch(NetProfile::lossy)) {
            dropTool = Topology.DropTool.detect();
            if (dropTool == null) {
                return "needs nft or iptables for the kernel drop rule; run benchmarks/setup-netns.sh";
            }
        }
        return null;
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** The spread of each reported row's runs, by identity. */
    private final Map<NetnsTable.Row, Repeats<NetnsTable.Row>> spreads = new IdentityHashMap<>();

    List<NetnsTable.Row> run() throws InterruptedException {
        List<NetnsTable.Row> rows = new ArrayList<>();
        allowCongestionControls();
        for (NetProfile p : options.profiles()) {
            long bytes = options.bytesFor(p);
            if (p.delayed() && options.linkemu() == null) {
                for (NetnsOptions.TransportSpec t : options.transports()) {
                    rows.add(new NetnsTable.Row(p, t.name(), bytes, 0,
                            "n/a: no netem in this kernel and no linkemu.py for the delay (--linkemu)", 0, -1, null));
                }
                continue;
            }
            log.printf(Locale.ROOT, "netns: profile %s (%d MiB per transfer)%n", p.name(), bytes >> 20);
            // Bounds the relay's life: every transfer's timeout plus the peers' start-up, with room to spare.
            long relaySeconds = options.transports().size() * (options.timeoutSeconds() + 2 * READY_SECONDS + 60);
            try {
                current = Topology.open(names, p, dropTool, python(), options.linkemu(), relaySeconds);
            } catch (RuntimeException e) {
                log.println("netns: cannot set up " + p.name() + ": " + e.getMessage());
                for (NetnsOptions.TransportSpec t : options.transports()) {
                    rows.add(new NetnsTable.Row(p, t.name(), bytes, 0, "failed: set-up: " + oneLine(e.getMessage()),
                            0, -1, null));
                }
                continue;
            }
            try {
                String available = current.availableCongestionControl();
                for (Repeats<NetnsTable.Row> picked : Repeats.roundRobin(options.transports(), options.repeat(), (t, r) -> {
                    NetnsTable.Row row = transfer(p, t, bytes, available);
                    log.printf(Locale.ROOT, "netns:   %-13s %s, %.1f MB in %.2f s%s%n", t.name(), row.status(),
                            row.received() / 1e6, row.seconds(),
                            options.repeat() > 1 ? " (run " + r + "/" + options.repeat() + ")" : "");
                    return row;
                }, row -> row.status().equals("ok") || row.status().startsWith("n/a"),
                        row -> row.hasRate() ? row.mbPerSecond() : 0)) {
                    rows.add(picked.reported());
                    spreads.put(picked.reported(), picked);
                }
            } finally {
                current.close();
                if (p.delayed()) {
                    log.println("netns:   linkemu.py: " + current.relayOutput().replace('\n', ' '));
                }
                current = null;
            }
        }
        return rows;
    }

    private NetnsTable.Row transfer(NetProfile p, NetnsOptions.TransportSpec t, long bytes, String availableCc) {
        if (t.kind() == Peer.Kind.TCP) {
            if (!(" " + availableCc + " ").contains(" " + t.cc() + " ")) {
                return new NetnsTable.Row(p, t.name(), bytes, 0, "n/a: kernel has no " + t.cc() + " (" + availableCc + ")",
                        0, -1, null);
            }
            current.congestionControl(t.cc());
        }
        long retrans0 = t.kind() == Peer.Kind.TCP ? current.tcpRetransSegs() : -1;
        long[] drops0 = current.dropCounters();
        PeerProcess receiver = null;
        PeerProcess sender = null;
        try {
            receiver = startPeer(current.names().nsB(), "receive", t, bytes,
                    List.of("--bind", Topology.ADDR_B, "--accept-timeout", String.valueOf(READY_SECONDS)));
            String[] ready = receiver.await("READY", READY_SECONDS);
            sender = startPeer(current.names().nsA(), "send", t, bytes,
                    List.of("--to", Topology.ADDR_B + ":" + ready[1], "--fingerprint", ready[2]));
            String[] result = receiver.await("RESULT", READY_SECONDS + options.timeoutSeconds() + 30);
            // The sender learns by the end of its stdin that the receiver is done, reports and exits.
            sender.process.getOutputStream().close();
            String[] sent = sender.poll("SENT", 15);
            long received = Long.parseLong(result[1]);
            boolean complete = Boolean.parseBoolean(result[2]);
            boolean crcOk = Boolean.parseBoolean(result[3]);
            double seconds = Double.parseDouble(result[4]);
            long retransmitted;
            if (t.kind() == Peer.Kind.TCP) {
                long segs = current.tcpRetransSegs();
                retransmitted = retrans0 < 0 || segs < 0 ? -1 : (segs - retrans0) * NetnsTable.TCP_MSS;
            } else {
                retransmitted = sent == null ? -1 : Long.parseLong(sent[1]);
            }
            long[] drops1 = current.dropCounters();
            long[] drops = new long[4];
            for (int i = 0; i < 4; i++) {
                drops[i] = drops0[i] < 0 || drops1[i] < 0 ? -1 : drops1[i] - drops0[i];
            }
            String status = !crcOk ? "corrupt" : complete ? "ok" : "timeout";
            return new NetnsTable.Row(p, t.name(), bytes, received, status, seconds, retransmitted, drops);
        } catch (Exception e) {
            return new NetnsTable.Row(p, t.name(), bytes, 0, "failed: " + oneLine(String.valueOf(e.getMessage())), 0, -1,
                    null);
        } finally {
            stop(sender);
            stop(receiver);
        }
    }

    /** {@code ip netns exec NS java -cp <this class path> dev.rudp.bench.netns.Peer MODE ...}. */
    private PeerProcess startPeer(String ns, String mode, NetnsOptions.TransportSpec t, long bytes, List<String> extra)
            throws IOException {
        List<String> argv = peerCommand(ns, mode, t, bytes, options, javaBinary(), absoluteClassPath());
        argv.addAll(extra);
        PeerProcess p = new PeerProcess(mode, new ProcessBuilder(argv).start());
        live.add(p.process);
        return p;
    }

    /**
     * The command line of one peer JVM (pure, for the tests). Peers run with Netty's leak detection as
     * this JVM was told ({@code -Dio.netty.leakDetection.level}), else off, as bin/fileserver and
     * bin/fileclient run: its sampled stack traces cost 5-6% of a paced sender's event loop.
     */
    static List<String> peerCommand(String ns, String mode, NetnsOptions.TransportSpec t, long bytes,
            NetnsOptions o, String java, String classPath) {
        return new ArrayList<>(List.of("ip", "netns", "exec", ns, java,
                "-Dio.netty.leakDetection.level=" + System.getProperty("io.netty.leakDetection.level", "disabled"),
                "-cp", classPath,
                Peer.class.getName(), mode,
                "--transport", t.kind().name().toLowerCase(Locale.ROOT),
                "--cc", t.kind() == Peer.Kind.RUDP ? t.cc() : "BBR",
                "--dtls", String.valueOf(t.dtls()),
                "--bytes", String.valueOf(bytes),
                "--timeout", String.valueOf(o.timeoutSeconds()),
                "--seed", String.valueOf(o.seed()),
                "--datagram", String.valueOf(o.datagram()),
                "--offload", String.valueOf(o.offload()),
                "--warmup", String.valueOf(o.warmup()),
                "--warmup-rounds", String.valueOf(o.warmupRounds())));
    }

    /** This JVM's class path with absolute entries, so the peers need not share its working directory. */
    private static String absoluteClassPath() {
        StringBuilder sb = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                sb.append(sb.length() == 0 ? "" : File.pathSeparator).append(Paths.get(entry).toAbsolutePath());
            }
        }
        return sb.toString();
    }

    private static String javaBinary() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String python() {
        return Files.isExecutable(Paths.get("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** A peer JVM with its stdout lines queued and the tail of its stderr kept for error messages. */
    private static final class PeerProcess {
        private final String mode;
        final Process process;
        private final BlockingQueue<String> out = new LinkedBlockingQueue<>();
        private final Deque<String> errTail = new ArrayDeque<>();

        PeerProcess(String mode, Process process) {
            this.mode = mode;
            this.process = process;
            drain(process.getInputStream(), out::add, "peer-stdout");
            drain(process.getErrorStream(), line -> {
                synchronized (errTail) {
                    errTail.addLast(line);
                    if (errTail.size() > 40) {
                        errTail.removeFirst();
                    }
                }
            }, "peer-stderr");
        }

        private static void drain(InputStream stream, Consumer<String> sink, String name) {
            Thread t = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        sink.accept(line);
                    }
                } catch (IOException e) {
                    // the peer ended; await() notices
                }
            }, name);
            t.setDaemon(true);
            t.start();
        }

        /** The first stdout line starting with {@code tag} within {@code seconds}, split on blanks; throws otherwise. */
        String[] await(String tag, long seconds) throws InterruptedException {
            String[] line = poll(tag, seconds);
            if (line == null) {
                throw new IllegalStateException(mode + " peer gave no " + tag + " within " + seconds + " s"
                        + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")") + ": " + stderr());
            }
            return line;
        }

        /** Like {@link #await} but null instead of throwing; returns early once the peer exited. */
        String[] poll(String tag, long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                String line = out.poll(200, TimeUnit.MILLISECONDS);
                if (line != null && line.startsWith("STATS ")) {
                    System.out.println("    " + mode + ": " + line.substring(6));
                    continue;
                }
                if (line != null && line.startsWith(tag + " ")) {
                    return line.split(" ");
                }
                if (line == null && !process.isAlive() && out.isEmpty()) {
                    // stdout may still be draining for a moment after exit
                    line = out.poll(500, TimeUnit.MILLISECONDS);
                    if (line == null) {
                        return null;
                    }
                    if (line.startsWith(tag + " ")) {
                        return line.split(" ");
                    }
                }
            }
            return null;
        }

        /** The last lines of stderr that are not stack frames. */
        String stderr() {
            synchronized (errTail) {
                return errTail.stream().filter(l -> !l.trim().startsWith("at ")).reduce((x, y) -> x + " / " + y).orElse("");
            }
        }
    }

    private void stop(PeerProcess peer) {
        if (peer == null) {
            return;
        }
        Process p = peer.process;
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        live.remove(p);
    }

    /**
     * A namespace may only choose a default congestion control that the root namespace allows, so the
     * runner adds cubic and bbr to {@code tcp_allowed_congestion_control} while it runs (restored in
     * {@link #cleanUp()}).
     */
    private void allowCongestionControls() {
        Path allowed = Paths.get("/proc/sys/net/ipv4/tcp_allowed_congestion_control");
        try {
            // Not Files.readString: procfs reports a size that makes it return a truncated first chunk.
            allowedCcBefore = String.join(" ", Files.readAllLines(allowed)).trim();
            List<String> want = new ArrayList<>(List.of(allowedCcBefore.split("\\s+")));
            for (NetnsOptions.TransportSpec t : options.transports()) {
                if (t.kind() == Peer.Kind.TCP && !want.contains(t.cc())) {
                    want.add(t.cc());
                }
            }
            if (!String.join(" ", want).equals(allowedCcBefore)) {
                Files.writeString(allowed, String.join(" ", want));
            } else {
                allowedCcBefore = null;
            }
        } catch (IOException e) {
            log.println("netns: cannot widen " + allowed + " (" + e.getMessage() + "); TCP rows may fail");
            allowedCcBefore = null;
        }
    }

    /** Kills the peers and the relay, deletes the namespaces, restores the allowed congestion controls. Idempotent. */
    synchronized void cleanUp() {
        for (Process p : live) {
            p.destroyForcibly();
        }
        live.clear();
        Topology t = current;
        if (t != null) {
            t.close();
        } else {
            Topology.cleanup(names);
        }
        if (allowedCcBefore != null) {
            try {
                Files.writeString(Paths.get("/proc/sys/net/ipv4/tcp_allowed_congestion_control"), allowedCcBefore);
                allowedCcBefore = null;
            } catch (IOException e) {
                log.println("netns: could not restore tcp_allowed_congestion_control to '" + allowedCcBefore + "'");
            }
        }
    }

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(java.time.ZoneOffset.UTC);
    /** The raw run last written by {@link #record}. */
    private Path lastWritten;

    /** Writes the run's header, table and targets under results/ ({@link RawRun}); returns the text. */
    String record(List<NetnsTable.Row> rows, String command) throws IOException {
        Files.createDirectories(options.out());
        StringBuilder sb = new StringBuilder();
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        sb.append("## Namespace run ").append(DateTimeFormatter.ISO_INSTANT.format(started))
                .append("\n\n");
        sb.append("- command: `").append(command).append("`\n");
        sb.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        sb.append("- machine: ").append(Machine.describe()).append('\n');
        sb.append("- kernel: ").append(System.getProperty("os.version")).append(", git commit: ")
                .append(Machine.gitCommit()).append('\n');
        sb.append(String.format(Locale.ROOT, "- settings: %d MiB per transfer (%d MiB on lossy profiles), timeout %d s, "
                + "warm-up rounds of %d MiB per peer JVM over its loopback until its JIT settles (at most %d), "
                + "%d run(s) per transfer (the median reported), payload seed %d, rudp datagram %d B, UDP offload %s, "
                + "64 KiB messages, initial window %d MiB; TCP: blocking NIO, sendfile on the sender%n", options.bytes() >> 20,
                options.lossyBytes() >> 20, options.timeoutSeconds(), options.warmup() >> 20, options.warmupRounds(), options.repeat(), options.seed(),
                options.datagram(), options.offload() ? "on" : "off", RudpPeer.INITIAL_WINDOW >> 20));
        sb.append("- path: sender JVM in namespace A, receiver JVM in namespace B, joined by a veth pair (TSO, GSO, GRO off), "
                + "MTU 1500. Loss: ").append(dropTool == Topology.DropTool.IPTABLES
                        ? "iptables `statistic --mode random` in INPUT"
                        : "nftables `numgen random` in a netdev ingress chain")
                .append(" on each side, so each direction loses P % of its IP packets after they left the sender. "
                        + "Rate: `tbf` on each side's egress (bucket max(32 KiB, 2 ms), queue max(256 KiB, BDP)). "
                        + "Delay (rttM only): this kernel has no netem, so the link is two TUN devices joined by ")
                .append(options.linkemu() == null ? "linkemu.py (not found: such profiles were not run)"
                        : "`" + options.linkemu() + "` (a user-space relay outside this repository, adding M/2 ms each way; "
                                + "loss and rate stay with the kernel as above)")
                .append(". TCP congestion control: the sender namespace's `net.ipv4.tcp_congestion_control`.\n");
        sb.append("- columns: MB/s = 10^6 payload bytes per second from the connection being established to the last byte, "
                + "timed by the receiver; % of limit = goodput over the tbf rate; retransmitted: rudp's own count, "
                + "TCP's RetransSegs x 1448; dropped = what the drop rules counted; * = against a transfer that timed out "
                + "(its rate is over the time it ran)\n\n");
        sb.append(NetnsTable.render(rows, spreads));
        String targets = NetnsTable.targets(rows);
        if (!targets.isEmpty()) {
            sb.append('\n').append(targets);
        }
        lastWritten = RawRun.write(options.out(), "netns", STAMP.format(started), sb.toString());
        return sb.toString();
    }

    private static String commandLine(String[] args) {
        return ProcessHandle.current().info().commandLine()
                .orElse("java -jar benchmarks/target/benchmarks.jar netns " + String.join(" ", args));
    }

    private static String oneLine(String s) {
        String t = s == null ? "" : s.replace('\n', ' ').replace('|', '/');
        return t.length() > 160 ? t.substring(0, 160) + "…" : t;
    }
}
