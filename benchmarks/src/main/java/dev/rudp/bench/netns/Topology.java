package dev.rudp.bench.netns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two network namespaces joined by one link, with a profile applied, made and torn down by the benchmark.
 * Without delay the link is a veth pair; with delay it is two TUN devices joined by {@code linkemu.py}
 * (a user-space relay that only delays here), because this kernel has no netem. Either way:
 * <ul>
 *   <li>loss: a kernel rule on each side's <em>ingress</em> drops {@code lossP} % of the IP packets
 *       that arrive (nftables {@code numgen random} in a netdev ingress chain, or iptables
 *       {@code statistic} in INPUT), so the sender's stack saw them leave: real loss, not a local
 *       send error;</li>
 *   <li>rate: {@code tbf} as the root qdisc of each side's egress;</li>
 *   <li>offloads off (TSO, GSO, GRO) so packets are MTU-sized where they are dropped: a dropped
 *       64 KiB TCP super-segment would be forty-odd losses at once.</li>
 * </ul>
 * The command builders are static and pure so the tests can check them without root.
 */
final class Topology implements AutoCloseable {
    static final String ADDR_A = "198.18.0.1";
    static final String ADDR_B = "198.18.0.2";
    static final String TABLE = "rudpbench";

    /** How kernel drops are made. */
    enum DropTool {
        NFT, IPTABLES;

        /** nft if its binary runs, else iptables, else null. */
        static DropTool detect() {
            if (Cmd.run(List.of("nft", "--version")).ok()) {
                return NFT;
            }
            if (Cmd.run(List.of("iptables", "--version")).ok()) {
                return IPTABLES;
            }
            return null;
        }
    }

    /**
     * Names of the namespaces and their devices; unique per process so concurrent runs never meet.
     *
     * @param nsA the sender's namespace
     * @param nsB the receiver's namespace
     * @param devA the device in nsA
     * @param devB the device in nsB
     */
    record Names(String nsA, String nsB, String devA, String devB) {
        static Names forPid(long pid) {
            // Interface names are at most 15 bytes.
            return new Names("rudpbench-a-" + pid, "rudpbench-b-" + pid, "rba" + pid, "rbb" + pid);
        }
    }

    private final Names names;
    private final NetProfile profile;
    private final DropTool dropTool;
    private Process relay;
    private Thread relayReader;
    private final StringBuilder relayLog = new StringBuilder();

    private Topology(Names names, NetProfile profile, DropTool dropTool) {
        this.names = names;
        this.profile = profile;
        this.dropTool = dropTool;
    }

    // ---- pure command builders ----

    static List<List<String>> createNamespaces(Names n) {
        return List.of(List.of("ip", "netns", "add", n.nsA()), List.of("ip", "netns", "add", n.nsB()));
    }

    static List<List<String>> createVeth(Names n) {
        return List.of(List.of("ip", "link", "add", n.devA(), "netns", n.nsA(), "type", "veth",
                "peer", "name", n.devB(), "netns", n.nsB()));
    }

    /** Moves the relay's TUN devices (made in the root namespace) into the two namespaces. */
    static List<List<String>> moveTuns(Names n) {
        return List.of(List.of("ip", "link", "set", n.devA(), "netns", n.nsA()),
                List.of("ip", "link", "set", n.devB(), "netns", n.nsB()));
    }

    static List<List<String>> address(Names n) {
        return List.of(
                List.of("ip", "-n", n.nsA(), "link", "set", "lo", "up"),
                List.of("ip", "-n", n.nsB(), "link", "set", "lo", "up"),
                List.of("ip", "-n", n.nsA(), "addr", "add", ADDR_A + "/24", "dev", n.devA()),
                List.of("ip", "-n", n.nsB(), "addr", "add", ADDR_B + "/24", "dev", n.devB()),
                List.of("ip", "-n", n.nsA(), "link", "set", n.devA(), "up"),
                List.of("ip", "-n", n.nsB(), "link", "set", n.devB(), "up"));
    }

    static List<List<String>> offloadsOff(Names n) {
        return List.of(
                List.of("ip", "netns", "exec", n.nsA(), "ethtool", "-K", n.devA(), "tso", "off", "gso", "off", "gro", "off"),
                List.of("ip", "netns", "exec", n.nsB(), "ethtool", "-K", n.devB(), "tso", "off", "gso", "off", "gro", "off"));
    }

    /** The nft script that counts the IP packets arriving on {@code dev} and drops {@code perMillion} of a million. */
    static String nftScript(String dev, long perMillion) {
        return "table netdev " + TABLE + " {\n"
                + "  chain in {\n"
                + "    type filter hook ingress device \"" + dev + "\" priority 0; policy accept;\n"
                + "    meta protocol ip counter\n"
                + "    meta protocol ip numgen random mod 1000000 < " + perMillion + " counter drop\n"
                + "  }\n"
                + "}\n";
    }

    static List<List<String>> iptablesDrop(String ns, String dev, double lossPercent) {
        return List.of(
                List.of("ip", "netns", "exec", ns, "iptables", "-w", "-A", "INPUT", "-i", dev),
                List.of("ip", "netns", "exec", ns, "iptables", "-w", "-A", "INPUT", "-i", dev, "-m", "statistic",
                        "--mode", "random", "--probability", String.format(Locale.ROOT, "%.6f", lossPercent / 100),
                        "-j", "DROP"));
    }

    static List<String> tbf(String ns, String dev, NetProfile p) {
        return List.of("tc", "-n", ns, "qdisc", "replace", "dev", dev, "root", "tbf", "rate", p.rateMbit() + "mbit",
                "burst", String.valueOf(p.burstBytes()), "limit", String.valueOf(p.queueBytes()));
    }

    static List<String> congestionControl(String ns, String cc) {
        return List.of("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.tcp_congestion_control=" + cc);
    }

    /** The relay: delay only (loss and rate stay with the kernel, as on the veth profiles). */
    static List<String> linkemu(String python, Path script, Names n, NetProfile p, long seconds) {
        return List.of(python, script.toString(), "--tun-a", n.devA(), "--tun-b", n.devB(),
                "--delay-ms", String.valueOf(p.rttMillis() / 2.0), "--seconds", String.valueOf(seconds));
    }

    /** All {@code counter packets N} figures of a listing, in order. */
    static List<Long> counters(String listing) {
        List<Long> out = new ArrayList<>();
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(listing);
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    /** Packet counts of the rules in {@code iptables -nvxL INPUT} output, in order. */
    static List<Long> iptablesCounters(String listing) {
        List<Long> out = new ArrayList<>();
        for (String line : listing.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 2 && f[0].matches("\\d+") && f[1].matches("\\d+")) {
                out.add(Long.parseLong(f[0]));
            }
        }
        return out;
    }

    /** Parses the {@code Tcp: RetransSegs} figure of a {@code /proc/net/snmp} listing, -1 if absent. */
    static long retransSegs(String snmp) {
        String[] header = null;
        for (String line : snmp.split("\n")) {
            if (!line.startsWith("Tcp:")) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            if (header == null) {
                header = f;
            } else {
                for (int i = 0; i < header.length && i < f.length; i++) {
                    if (header[i].equals("RetransSegs")) {
                        return Long.parseLong(f[i]);
                    }
                }
            }
        }
        return -1;
    }

    // ---- doing it ----

    /**
     * Makes the namespaces and the link and applies {@code profile}; on any failure removes what it made.
     *
     * @param linkemu the relay script for delayed profiles (null when the profile has no delay)
     * @param relaySeconds upper bound of the relay's life (it stops by itself after it)
     */
    static Topology open(Names n, NetProfile profile, DropTool dropTool, String python, Path linkemu, long relaySeconds) {
        return open(n, profile, dropTool, python, linkemu, relaySeconds, List.of());
    }

    /** As above, with {@code relayExtra} appended to the relay's command line (its own loss and rate). */
    static Topology open(Names n, NetProfile profile, DropTool dropTool, String python, Path linkemu, long relaySeconds,
            List<String> relayExtra) {
        Topology t = new Topology(n, profile, dropTool);
        try {
            t.build(python, linkemu, relaySeconds, relayExtra);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private void build(String python, Path linkemu, long relaySeconds, List<String> relayExtra) {
        all(createNamespaces(names));
        if (profile.delayed() || !relayExtra.isEmpty()) {
            List<String> argv = new ArrayList<>(linkemu(python, linkemu, names, profile, relaySeconds));
            argv.addAll(relayExtra);
            startRelay(argv);
            all(moveTuns(names));
        } else {
            all(createVeth(names));
        }
        all(address(names));
        for (List<String> c : offloadsOff(names)) {
            Cmd.Result r = Cmd.run(c);
            // TUN devices have no TSO/GRO to turn off; veth must, or whole super-segments are dropped.
            if (!r.ok() && !profile.delayed() && relayExtra.isEmpty()) {
                r.check();
            }
        }
        if (profile.lossy()) {
            if (dropTool == DropTool.NFT) {
                Cmd.run(List.of("ip", "netns", "exec", names.nsA(), "nft", "-f", "-"), nftScript(names.devA(), profile.dropPerMillion())).check();
                Cmd.run(List.of("ip", "netns", "exec", names.nsB(), "nft", "-f", "-"), nftScript(names.devB(), profile.dropPerMillion())).check();
            } else {
                all(iptablesDrop(names.nsA(), names.devA(), profile.lossPercent()));
                all(iptablesDrop(names.nsB(), names.devB(), profile.lossPercent()));
            }
        }
        if (profile.rateMbit() > 0) {
            Cmd.run(tbf(names.nsA(), names.devA(), profile)).check();
            Cmd.run(tbf(names.nsB(), names.devB(), profile)).check();
        }
    }

    private static void all(List<List<String>> commands) {
        for (List<String> c : commands) {
            Cmd.run(c).check();
        }
    }

    private void startRelay(List<String> argv) {
        try {
            relay = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (relayLog) {
                        relayLog.append(line).append('\n');
                    }
                    if (line.contains("ready")) {
                        ready.complete(line);
                    }
                }
            } catch (IOException e) {
                // the relay ended; its exit shows below
            }
            ready.complete(null);
        }, "linkemu-output");
        reader.setDaemon(true);
        reader.start();
        relayReader = reader;
        try {
            if (ready.get(10, TimeUnit.SECONDS) == null) {
                throw new IllegalStateException("linkemu.py ended before it was ready: " + relayOutput());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting linkemu.py", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("linkemu.py did not report ready within 10 s: " + relayOutput(), e);
        }
    }

    /** What the relay printed so far (its counters once it stopped). */
    String relayOutput() {
        synchronized (relayLog) {
            return relayLog.toString().trim();
        }
    }

    Names names() {
        return names;
    }

    /** Sets the TCP congestion control of both namespaces (the sender's is the one that matters). */
    void congestionControl(String cc) {
        Cmd.run(congestionControl(names.nsA(), cc)).check();
        Cmd.run(congestionControl(names.nsB(), cc)).check();
    }

    /** The congestion controls the kernel offers, as a namespace sees them. */
    String availableCongestionControl() {
        return Cmd.run(List.of("ip", "netns", "exec", names.nsA(), "cat",
                "/proc/sys/net/ipv4/tcp_available_congestion_control")).check().out().trim();
    }

    /** TCP segments retransmitted so far by the sender's namespace. */
    long tcpRetransSegs() {
        Cmd.Result r = Cmd.run(List.of("ip", "netns", "exec", names.nsA(), "cat", "/proc/net/snmp"));
        return r.ok() ? retransSegs(r.out()) : -1;
    }

    /**
     * Packets that arrived and were dropped so far, per direction: {@code {seenAtoB, droppedAtoB, seenBtoA,
     * droppedBtoA}}; -1 where unknown.
     */
    long[] dropCounters() {
        long[] a = sideCounters(names.nsA(), names.devA());
        long[] b = sideCounters(names.nsB(), names.devB());
        return new long[] {b[0], b[1], a[0], a[1]};
    }

    private long[] sideCounters(String ns, String dev) {
        if (!profile.lossy()) {
            return new long[] {-1, -1};
        }
        Cmd.Result r = dropTool == DropTool.NFT
                ? Cmd.run(List.of("ip", "netns", "exec", ns, "nft", "list", "table", "netdev", TABLE))
                : Cmd.run(List.of("ip", "netns", "exec", ns, "iptables", "-w", "-nvxL", "INPUT"));
        List<Long> c = !r.ok() ? List.of() : dropTool == DropTool.NFT ? counters(r.out()) : iptablesCounters(r.out());
        return c.size() >= 2 ? new long[] {c.get(0), c.get(1)} : new long[] {-1, -1};
    }

    /** Stops the relay, then removes both namespaces (and with them the link); safe to call twice. */
    @Override
    public void close() {
        // The relay first: it reads the TUN devices, which vanish with the namespaces.
        if (relay != null) {
            relay.destroy();
            try {
                if (!relay.waitFor(5, TimeUnit.SECONDS)) {
                    relay.destroyForcibly();
                }
                // Its counters come last, at exit.
                relayReader.join(2000);
            } catch (InterruptedException e) {
                relay.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        cleanup(names);
    }

    /** Deletes the namespaces if they exist; used by {@link #close()} and the runner's shutdown hook. */
    static void cleanup(Names n) {
        Cmd.run(List.of("ip", "netns", "del", n.nsA()));
        Cmd.run(List.of("ip", "netns", "del", n.nsB()));
    }
}
