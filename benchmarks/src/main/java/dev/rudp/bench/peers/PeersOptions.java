package dev.rudp.bench.peers;

import dev.rudp.bench.Sizes;
import dev.rudp.bench.netns.LinkPath;
import dev.rudp.bench.netns.NetProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code peers} runner's command line.
 *
 * @param mode {@code loopback}, {@code link} or {@code sweep}
 * @param tools the rows to run, by id ({@link #TOOL_IDS})
 * @param profiles link profiles ({@code link}, {@code sweep})
 * @param bytes file size
 * @param timeoutSeconds limit of each row
 * @param repeat runs of each row (round-robin), median reported
 * @param keys the key folder ({@code benchmarks/setup.sh KEYDIR}), or null for throw-away keys
 * @param relayImpairs true: linkemu.py makes loss and rate too (default); false: kernel drop rules and tbf
 * @param linkemu the relay, or null when not found
 * @param repo the checkout (bin/fileclient, bin/fileserver)
 * @param out where results/ goes
 * @param pin loopback: the client end on CPU 0, the server end on CPU 1 ({@code taskset})
 */
record PeersOptions(String mode, List<String> tools, List<NetProfile> profiles, long bytes, long timeoutSeconds,
        int repeat, Path keys, boolean relayImpairs, Path linkemu, Path repo, Path out, boolean pin) {

    static final List<String> TOOL_IDS = List.of("fileclient-get", "fileclient-put", "fileclient-get-warm",
            "fileclient-put-warm", "fileclient-get-noagent", "fileclient-put-noagent", "sftp", "sftp-put", "sftp-cubic", "sftp-bbr",
            "ngtcp2", "uftp", "uftp-tfmcc", "kcptun", "udpcast");
    static final String LOOPBACK_TOOLS = "fileclient-get,fileclient-put,fileclient-get-warm,fileclient-put-warm,"
            + "fileclient-get-noagent,fileclient-put-noagent,sftp,sftp-put,ngtcp2,uftp,uftp-tfmcc,kcptun,udpcast";
    static final String LINK_TOOLS = "fileclient-get,fileclient-put,sftp-cubic,sftp-bbr,ngtcp2,uftp,uftp-tfmcc,kcptun,"
            + "udpcast";
    static final String SWEEP_TOOLS = "fileclient-get,sftp-cubic,sftp-bbr,ngtcp2,uftp,kcptun";
    /** Issue 13's two paths: (a) 20 ms RTT, 1 % loss each way, 200 Mbit/s; (b) 50 ms, 0.1 %, 100 Mbit/s. */
    static final String LINK_PROFILES = "loss1-rtt20-rate200m,loss0.1-rtt50-rate100m";
    /** Loss 0, 0.1, 1, 3 % at 20 ms, then RTT 2, 50, 100 ms at 0.1 % (20 ms at 0.1 % is in the first set); 100 Mbit/s. */
    static final String SWEEP_PROFILES = "rtt20-rate100m,loss0.1-rtt20-rate100m,loss1-rtt20-rate100m,loss3-rtt20-rate100m,"
            + "loss0.1-rtt2-rate100m,loss0.1-rtt50-rate100m,loss0.1-rtt100-rate100m";

    static String usage() {
        return String.join("\n",
                "usage: java -jar benchmarks.jar peers (loopback | link | sweep) [options]   (root for link, sweep, udpcast)",
                "  loopback: the file on 127.0.0.1 (udpcast in a namespace of its own)",
                "  link:     through linkemu.py between two namespaces, each profile's ceiling measured first",
                "  sweep:    link runs over loss and RTT, plotted (throughput vs loss, vs RTT)",
                "  --tools LIST      of " + String.join(",", TOOL_IDS),
                "                    (loopback: " + LOOPBACK_TOOLS + ";",
                "                     link: " + LINK_TOOLS + "; sweep: " + SWEEP_TOOLS + ")",
                "  --profiles LIST   link profiles lossP-rttM-rateNm (link: " + LINK_PROFILES + ";",
                "                    sweep: " + SWEEP_PROFILES + ")",
                "  --bytes N         file size, k/m/g suffixes (loopback 1g, link 256m, sweep 32m)",
                "  --timeout S       limit of each row in seconds (loopback 300, link 120, sweep 60)",
                "  --repeat N        runs of each row, round-robin; the median is reported (1)",
                "  --keys DIR        keys made by benchmarks/setup.sh DIR (default: throw-away keys)",
                "  --impair WHERE    relay: linkemu.py makes loss and rate too (default, as issue 13 measured);",
                "                    kernel: drop rules and tbf as the netns runner (the relay only delays)",
                "  --linkemu PATH    the relay (default ../shared/tools/linkemu.py if present)",
                "  --out DIR         where results/ goes (default ./benchmarks if present, else .)",
                "  --pin yes|no      loopback: client end on CPU 0, server end on CPU 1 (taskset; default no)");
    }

    static PeersOptions parse(String[] args, Path cwd) {
        if (args.length == 0 || !List.of("loopback", "link", "sweep").contains(args[0])) {
            throw new IllegalArgumentException("first argument: loopback, link or sweep");
        }
        String mode = args[0];
        String tools = mode.equals("loopback") ? LOOPBACK_TOOLS : mode.equals("link") ? LINK_TOOLS : SWEEP_TOOLS;
        String profiles = mode.equals("sweep") ? SWEEP_PROFILES : LINK_PROFILES;
        long bytes = mode.equals("loopback") ? 1L << 30 : mode.equals("link") ? 256L << 20 : 32L << 20;
        long timeout = mode.equals("loopback") ? 300 : mode.equals("link") ? 120 : 60;
        int repeat = 1;
        Path keys = null;
        boolean relayImpairs = true;
        Path linkemu = null;
        Path out = null;
        boolean pin = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--tools" -> tools = v;
                case "--profiles" -> profiles = v;
                case "--bytes" -> bytes = Sizes.parse(v);
                case "--timeout" -> timeout = Long.parseLong(v);
                case "--repeat" -> repeat = Integer.parseInt(v);
                case "--keys" -> keys = cwd.resolve(v);
                case "--linkemu" -> linkemu = cwd.resolve(v);
                case "--impair" -> {
                    if (!v.equals("relay") && !v.equals("kernel")) {
                        throw new IllegalArgumentException("--impair takes relay or kernel, not " + v);
                    }
                    relayImpairs = v.equals("relay");
                }
                case "--out" -> out = cwd.resolve(v);
                case "--pin" -> pin = v.equals("yes");
                default -> throw new IllegalArgumentException("unknown option: " + a);
            }
        }
        List<String> ts = new ArrayList<>();
        for (String t : tools.split(",")) {
            String id = t.trim().toLowerCase(Locale.ROOT);
            if (!TOOL_IDS.contains(id)) {
                throw new IllegalArgumentException("unknown tool: " + t + " (known: " + String.join(",", TOOL_IDS) + ")");
            }
            ts.add(id);
        }
        List<NetProfile> ps = new ArrayList<>();
        if (!mode.equals("loopback")) {
            for (String p : profiles.split(",")) {
                ps.add(NetProfile.parse(p));
            }
        }
        if (bytes <= 0 || timeout <= 0 || repeat <= 0) {
            throw new IllegalArgumentException("--bytes, --timeout and --repeat must be positive");
        }
        if (linkemu == null) {
            linkemu = LinkPath.findLinkemu(cwd);
        } else if (!Files.isRegularFile(linkemu)) {
            throw new IllegalArgumentException("--linkemu: no such file: " + linkemu);
        }
        if (out == null) {
            out = Files.isDirectory(cwd.resolve("benchmarks")) ? cwd.resolve("benchmarks") : cwd;
        }
        // the checkout: here, or one up when run from the benchmarks module (as its tests are)
        Path repo = !Files.isRegularFile(cwd.resolve("bin/fileclient")) && cwd.getParent() != null
                && Files.isRegularFile(cwd.getParent().resolve("bin/fileclient")) ? cwd.getParent() : cwd;
        return new PeersOptions(mode, List.copyOf(ts), List.copyOf(ps), bytes, timeout, repeat, keys, relayImpairs, linkemu,
                repo, out, pin);
    }
}
