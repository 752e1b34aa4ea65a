package dev.rudp.bench.peers;

import dev.rudp.bench.e2e.Machine;
import dev.rudp.bench.e2e.Payload;
import dev.rudp.bench.files.DiskFiles;
import dev.rudp.bench.netns.LinkPath;
import dev.rudp.bench.netns.NetProfile;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar benchmarks.jar peers (loopback | link | sweep)}: the same file (the payload stream the
 * file rows use: 1 MiB of seeded random bytes repeated) moved by {@code bin/fileclient} and by the real
 * tools, each as the processes a user would run, one row per tool ({@link Tool}); each landed file
 * checked by SHA-256. {@code link} and {@code sweep} run both ends in two namespaces joined by the
 * namespace runner's path ({@link LinkPath}: linkemu.py delays, kernel rules drop, tbf limits the
 * rate) and measure each profile's ceiling first ({@link Ceiling}). Rows repeat round-robin and report
 * their median. The run prints a Markdown table and writes {@code results/peers-MODE-STAMP.csv} and
 * {@code .md} (and, for a sweep, the two plots) under {@code --out}.
 */
public final class PeersRunner {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final PeersOptions options;
    private final PrintStream log;
    private final String tag = String.valueOf(ProcessHandle.current().pid());
    private final Map<String, Double> ceilings = new LinkedHashMap<>();
    private volatile LinkPath current;
    private volatile String udpcastNs;
    private Path work;

    private PeersRunner(PeersOptions options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    /** Entry point; returns the exit status (0, 2 for bad options, 3 when the machine cannot run it). */
    public static int main(String[] args, PrintStream log) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            log.println(PeersOptions.usage());
            return args.length == 0 ? 2 : 0;
        }
        PeersOptions options;
        try {
            options = PeersOptions.parse(args, Paths.get("").toAbsolutePath());
        } catch (IllegalArgumentException e) {
            log.println("peers: " + e.getMessage());
            log.println(PeersOptions.usage());
            return 2;
        }
        if (!options.mode().equals("loopback")) {
            if (!System.getProperty("user.name").equals("root")) {
                log.println("peers: " + options.mode() + " needs root (it makes network namespaces); run it with sudo");
                return 3;
            }
            if (options.linkemu() == null && options.profiles().stream().anyMatch(NetProfile::delayed)) {
                log.println("peers: no linkemu.py for the delay (--linkemu PATH)");
                return 3;
            }
        }
        PeersRunner runner = new PeersRunner(options, log);
        Thread hook = new Thread(runner::cleanUp, "peers-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        List<ToolRow> rows;
        try {
            rows = runner.run();
        } finally {
            runner.cleanUp();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        runner.record(rows, "java -jar benchmarks/target/benchmarks.jar peers " + String.join(" ", args));
        return 0;
    }

    private List<ToolRow> run() throws IOException, InterruptedException {
        work = Files.createTempDirectory("rudp-bench-peers-");
        Path keys = options.keys() != null ? options.keys() : work.resolve("keys");
        Keys.ensure(keys);
        Path source = work.resolve("source.bin");
        try (Payload payload = new Payload(1)) {
            DiskFiles.write(payload, source, options.bytes());
        }
        String sha = Outcome.sha256(source);
        log.printf(Locale.ROOT, "peers: %s, %d MiB, SHA-256 %s, repeat %d, timeout %d s%n", options.mode(),
                options.bytes() >> 20, sha.substring(0, 16) + "...", options.repeat(), options.timeoutSeconds());
        List<Tool> tools = tools();
        List<ToolRow> rows = new ArrayList<>();
        if (options.mode().equals("loopback")) {
            rows.addAll(rounds("loopback", tools, keys, source, sha, null));
            return rows;
        }
        for (NetProfile p : options.profiles()) {
            long relaySeconds = (options.timeoutSeconds() + 120) * tools.size() * options.repeat() + 120;
            try {
                current = LinkPath.open(tag, p, python(), options.linkemu(), relaySeconds, options.relayImpairs());
            } catch (RuntimeException e) {
                log.println("peers: cannot set up " + p.name() + ": " + e.getMessage());
                for (Tool t : tools) {
                    rows.add(ToolRow.failed(p.name(), t.name(), t.label(), options.bytes(), e));
                }
                continue;
            }
            try {
                ceilings.put(p.name(), ceiling(p));
                rows.addAll(rounds(p.name(), tools, keys, source, sha, current));
            } finally {
                LinkPath path = current;
                current = null;
                path.close();
                log.println("peers:   linkemu.py: " + path.relayOutput().replace('\n', ' '));
            }
        }
        return rows;
    }

    /** Every tool {@code repeat} times round-robin on one path; the median run of each. */
    private List<ToolRow> rounds(String profile, List<Tool> tools, Path keys, Path source, String sha, LinkPath path)
            throws IOException, InterruptedException {
        List<List<ToolRow>> runs = new ArrayList<>();
        tools.forEach(t -> runs.add(new ArrayList<>()));
        for (int round = 1; round <= options.repeat(); round++) {
            for (int i = 0; i < tools.size(); i++) {
                Tool t = tools.get(i);
                ToolRow r = once(profile, t, keys, source, sha, path, round);
                log.printf(Locale.ROOT, "peers: %-24s %-26s %-9s %8.1f MB/s %7.2f s  cpu client %6.2f server %6.2f%s%n",
                        profile, t.name(), r.status().length() > 60 ? r.status().substring(0, 60) + "..." : r.status(),
                        r.mbPerSecond(), r.seconds(), r.clientCpu(), r.serverCpu(),
                        options.repeat() > 1 ? " (run " + round + "/" + options.repeat() + ")" : "");
                runs.get(i).add(r);
            }
        }
        List<ToolRow> picked = new ArrayList<>();
        for (List<ToolRow> each : runs) {
            picked.add(ToolRow.pick(each));
        }
        return picked;
    }

    private ToolRow once(String profile, Tool t, Path keys, Path source, String sha, LinkPath path, int round)
            throws IOException, InterruptedException {
        String missing = t.missing();
        if (missing != null) {
            return ToolRow.skipped(profile, t.name(), t.label(), options.bytes(), missing);
        }
        Side server;
        Side client;
        if (path != null) {
            server = new Side(path.nsB(), path.addrB(), path.devB());
            client = new Side(path.nsA(), path.addrA(), path.devA());
            if (t instanceof SftpTcp s && s.congestionControl() != null) {
                path.congestionControl(s.congestionControl());
            }
        } else if (t instanceof Udpcast) {
            String ns = udpcastNamespace();
            if (ns == null) {
                return ToolRow.skipped(profile, t.name(), t.label(), options.bytes(),
                        "needs root (its broadcast rendezvous runs in a namespace of its own)");
            }
            server = new Side(ns, "127.0.0.1", "lo");
            client = server;
        } else {
            server = options.pin() ? Side.LOOPBACK.pinned("1") : Side.LOOPBACK;
            client = options.pin() ? Side.LOOPBACK.pinned("0") : Side.LOOPBACK;
        }
        Path dir = Files.createDirectories(work.resolve("run-" + round + "-" + t.name().replaceAll("[^A-Za-z0-9]", "_")));
        DiskFiles.sync(options.timeoutSeconds() * 1000);
        try {
            return t.run(new Job(profile, dir, keys, source, sha, options.bytes(), options.timeoutSeconds() * 1000, server,
                    client));
        } catch (RuntimeException e) {
            return ToolRow.failed(profile, t.name(), t.label(), options.bytes(), e);
        } finally {
            DiskFiles.deleteTree(dir);
        }
    }

    /** udpcast's own namespace on loopback (made once), or null without root. */
    private String udpcastNamespace() {
        if (udpcastNs == null && System.getProperty("user.name").equals("root")) {
            String ns = "rbpeer-u-" + tag;
            if (run(List.of("ip", "netns", "add", ns)) && run(List.of("ip", "-n", ns, "link", "set", "lo", "up"))) {
                udpcastNs = ns;
            } else {
                run(List.of("ip", "netns", "del", ns));
            }
        }
        return udpcastNs;
    }

    private static boolean run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The profile's payload ceiling B to A in MB/s ({@link Ceiling}), 0 when it could not be measured. */
    private double ceiling(NetProfile p) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("ceiling"));
        int port = Ports.pick();
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String cp = classPath();
        Side client = new Side(current.nsA(), current.addrA(), null);
        Side server = new Side(current.nsB(), current.addrB(), null);
        double mbps = 0;
        try (Proc rx = Proc.start("ceiling-rx", client, List.of(java, "-cp", cp, Ceiling.class.getName(), "receive",
                current.addrA(), String.valueOf(port), "4"), dir, false, Map.of(), null)) {
            if (rx.awaitOutput("READY", 30_000)) {
                try (Proc tx = Proc.start("ceiling-tx", server, List.of(java, "-cp", cp, Ceiling.class.getName(), "send",
                        current.addrA(), String.valueOf(port), "4", String.valueOf(p.rateMbit())), dir, false, Map.of(), null)) {
                    tx.await(30_000);
                }
                rx.await(40_000);
                Matcher m = Pattern.compile("CEILING ([0-9.]+)").matcher(rx.output());
                if (m.find()) {
                    mbps = Double.parseDouble(m.group(1));
                } else {
                    log.println("peers: ceiling not measured: " + rx.tail(300));
                }
            }
        }
        log.printf(Locale.ROOT, "peers: %s: ceiling %.1f MB/s (UDP payload of 1472-byte datagrams B->A for 4 s, paced at 1.2x the rate)%n",
                p.name(), mbps);
        return mbps;
    }

    private static String classPath() {
        StringBuilder sb = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                sb.append(sb.length() == 0 ? "" : File.pathSeparator).append(Paths.get(entry).toAbsolutePath());
            }
        }
        return sb.toString();
    }

    private static String python() {
        return Files.isExecutable(Paths.get("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    private List<Tool> tools() {
        List<Tool> out = new ArrayList<>();
        for (String id : options.tools()) {
            out.add(switch (id) {
                case "fileclient-get" -> new Fileclient(options.repo(), false, Fileclient.Start.FIRST);
                case "fileclient-put" -> new Fileclient(options.repo(), true, Fileclient.Start.FIRST);
                case "fileclient-get-warm" -> new Fileclient(options.repo(), false, Fileclient.Start.WARM);
                case "fileclient-put-warm" -> new Fileclient(options.repo(), true, Fileclient.Start.WARM);
                case "fileclient-get-noagent" -> new Fileclient(options.repo(), false, Fileclient.Start.NO_AGENT);
                case "fileclient-put-noagent" -> new Fileclient(options.repo(), true, Fileclient.Start.NO_AGENT);
                case "sftp" -> new SftpTcp(null, false);
                case "sftp-put" -> new SftpTcp(null, true);
                case "sftp-cubic" -> new SftpTcp(options.mode().equals("loopback") ? null : "cubic", false);
                case "sftp-bbr" -> new SftpTcp(options.mode().equals("loopback") ? null : "bbr", false);
                case "ngtcp2" -> new Ngtcp2();
                case "uftp" -> new Uftp(false);
                case "uftp-tfmcc" -> new Uftp(true);
                case "kcptun" -> new KcptunSftp();
                case "udpcast" -> new Udpcast();
                default -> throw new IllegalArgumentException(id);
            });
        }
        return out;
    }

    /** Stops every program, removes namespaces and the temporary folder; safe to call twice. */
    private void cleanUp() {
        Proc.stopAll();
        LinkPath path = current;
        if (path != null) {
            path.close();
        }
        LinkPath.cleanup(tag);
        if (udpcastNs != null) {
            run(List.of("ip", "netns", "del", udpcastNs));
        }
        DiskFiles.deleteTree(work);
    }

    /** Prints the table and writes the raw run (CSV and Markdown, plots for a sweep) under results/. */
    private void record(List<ToolRow> rows, String command) throws IOException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String stamp = STAMP.format(now);
        Path results = Files.createDirectories(options.out().resolve("results"));
        StringBuilder md = new StringBuilder();
        md.append("## peers ").append(options.mode()).append(' ').append(DateTimeFormatter.ISO_INSTANT.format(now))
                .append("\n\n");
        md.append("- command: `").append(command).append("`\n");
        md.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        md.append("- machine: ").append(Machine.describe()).append(" (shared with other work: figures are noisy)\n");
        md.append("- git commit: ").append(Machine.gitCommit()).append('\n');
        md.append(String.format(Locale.ROOT, "- %d MiB per row, timeout %d s per row, medians of %d%n",
                options.bytes() >> 20, options.timeoutSeconds(), options.repeat()));
        if (options.pin()) {
            md.append("- pinned: the client end's programs on CPU 0, the server end's on CPU 1 (taskset -c)\n");
        }
        if (!options.mode().equals("loopback")) {
            md.append("- path: client end in namespace A, server end in B, joined by two TUN devices and linkemu.py "
                    + "(half the RTT each way); ").append(options.relayImpairs()
                            ? "loss and rate by the relay too (`--loss`, `--rate-mbit`, its tail-drop queue of 1000 packets)"
                            : "loss by a kernel drop rule on each side's ingress, rate by tbf on each side's egress "
                                    + "(bandwidth-delay-product queue)")
                    .append("; MTU 1500\n");
            md.append("- ceilings (UDP payload of 1472-byte datagrams sent B to A for 4 s at 1.2x the profile's rate, "
                    + "or as fast as the socket takes them without one; rate after the first second): ");
            ceilings.forEach((k, v) -> md.append(k).append(' ').append(String.format(Locale.ROOT, "%.1f MB/s; ", v)));
            md.append('\n');
        }
        md.append('\n').append(PeersTable.markdown(rows, ceilings));
        if (options.mode().equals("sweep")) {
            for (Path plot : SweepPlot.draw(rows, results, stamp)) {
                md.append("\n![").append(plot.getFileName()).append("](").append(plot.getFileName()).append(")\n");
            }
        }
        String base = "peers-" + options.mode() + "-" + stamp;
        Files.writeString(results.resolve(base + ".md"), md.toString(), StandardCharsets.UTF_8);
        Files.writeString(results.resolve(base + ".csv"), PeersTable.csv(rows, ceilings), StandardCharsets.UTF_8);
        log.println(md);
        log.println("wrote " + results.resolve(base + ".csv").toAbsolutePath().normalize() + " and .md");
    }
}
