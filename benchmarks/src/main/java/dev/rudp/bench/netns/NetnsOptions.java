package dev.rudp.bench.netns;

import dev.rudp.bench.Sizes;
import dev.rudp.bench.e2e.Warmup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The options of {@code benchmarks.jar netns}.
 *
 * @param profiles the network conditions, in order
 * @param transports the transports, in order
 * @param bytes bytes per transfer on loss-free profiles
 * @param lossyBytes bytes per transfer on lossy profiles
 * @param timeoutSeconds bound of one transfer, from its connection to its last byte
 * @param warmup bytes of each warm-up round a peer JVM runs over its own loopback first
 * @param warmupRounds most warm-up rounds per peer JVM (fewer once its JIT settles)
 * @param repeat runs of each transfer; the median is reported
 * @param seed payload seed
 * @param datagram rudp MAX_DATAGRAM_SIZE
 * @param offload rudp UDP_OFFLOAD (GSO sends, GRO receives)
 * @param linkemu the delay relay for {@code rttM} profiles, or null when none was given or found
 * @param out the directory whose RESULTS.md gets the table
 */
record NetnsOptions(List<NetProfile> profiles, List<TransportSpec> transports, long bytes, long lossyBytes,
        long timeoutSeconds, long warmup, int warmupRounds, int repeat, long seed, int datagram, boolean offload, Path linkemu, Path out) {

    static final String DEFAULT_PROFILES = "clean,loss1,loss5,loss1-rtt20-rate200m";
    static final String DEFAULT_TRANSPORTS = "rudp,rudp-newreno,tcp-cubic,tcp-bbr";

    /**
     * One transport of the run.
     *
     * @param name as in the table
     * @param kind rudp or tcp
     * @param cc rudp: BBR or NEW_RENO; tcp: the kernel's name (cubic, bbr)
     * @param dtls rudp over DTLS 1.2
     */
    record TransportSpec(String name, Peer.Kind kind, String cc, boolean dtls) {
        static TransportSpec parse(String name) {
            return switch (name) {
                case "rudp" -> new TransportSpec(name, Peer.Kind.RUDP, "BBR", false);
                case "rudp-newreno" -> new TransportSpec(name, Peer.Kind.RUDP, "NEW_RENO", false);
                case "rudp+dtls" -> new TransportSpec(name, Peer.Kind.RUDP, "BBR", true);
                case "tcp-cubic" -> new TransportSpec(name, Peer.Kind.TCP, "cubic", false);
                case "tcp-bbr" -> new TransportSpec(name, Peer.Kind.TCP, "bbr", false);
                default -> throw new IllegalArgumentException(
                        "unknown transport '" + name + "' (rudp, rudp-newreno, rudp+dtls, tcp-cubic, tcp-bbr)");
            };
        }
    }

    static String usage() {
        return String.join("\n",
                "usage: java -jar benchmarks.jar netns [options]     (root, iproute2; see benchmarks/setup-netns.sh)",
                "  --profiles LIST       clean, lossP, rttM, rateNm joined by '-' (default " + DEFAULT_PROFILES + ")",
                "  --transports LIST     rudp, rudp-newreno, rudp+dtls, tcp-cubic, tcp-bbr (default " + DEFAULT_TRANSPORTS + ")",
                "  --bytes SIZE          per transfer on loss-free profiles (default 1g)",
                "  --lossy-bytes SIZE    per transfer on lossy profiles (default 256m)",
                "  --timeout SECONDS     bound of one transfer; a slower one reports what it moved (default 60)",
                "  --warmup SIZE         moved by each peer JVM over its own loopback per warm-up round (default 128m, 0: none)",
                "  --warmup-rounds N     warm-up rounds per peer JVM until its JIT settles, at most N (default "
                        + Warmup.DEFAULT_ROUNDS + ")",
                "  --repeat N            run each transfer N times (interleaved) and report the median run (default 1)",
                "  --seed N              payload seed (default 1)",
                "  --datagram BYTES      rudp MAX_DATAGRAM_SIZE (default 65507, the library default: path MTU discovery finds 1472 on the veth)",
                "  --offload true|false  rudp's UDP_OFFLOAD (GSO sends, GRO receives; default false, as the library)",
                "  --linkemu PATH        delay relay for rttM profiles (default ../shared/tools/linkemu.py if present)",
                "  --out DIR             where RESULTS.md gets the table (default ./benchmarks if present, else .)");
    }

    static NetnsOptions parse(String[] args, Path cwd) {
        String profiles = DEFAULT_PROFILES;
        String transports = DEFAULT_TRANSPORTS;
        long bytes = 1L << 30;
        long lossyBytes = 256L << 20;
        long timeout = 60;
        long warmup = 128L << 20;
        int warmupRounds = Warmup.DEFAULT_ROUNDS;
        int repeat = 1;
        long seed = 1;
        int datagram = 65_507;
        boolean offload = false;
        Path linkemu = null;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--profiles" -> profiles = v;
                case "--transports" -> transports = v;
                case "--bytes" -> bytes = Sizes.parse(v);
                case "--lossy-bytes" -> lossyBytes = Sizes.parse(v);
                case "--timeout" -> timeout = Long.parseLong(v);
                case "--warmup" -> warmup = Sizes.parse(v);
                case "--warmup-rounds" -> warmupRounds = Integer.parseInt(v);
                case "--repeat" -> repeat = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--datagram" -> datagram = Integer.parseInt(v);
                case "--offload" -> offload = parseBoolean(v);
                case "--linkemu" -> linkemu = cwd.resolve(v);
                case "--out" -> out = cwd.resolve(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (bytes <= 0 || lossyBytes <= 0 || timeout <= 0 || warmup < 0) {
            throw new IllegalArgumentException("sizes and the timeout must be positive");
        }
        if (warmupRounds < 1 || repeat < 1) {
            throw new IllegalArgumentException("--warmup-rounds and --repeat must be at least 1");
        }
        List<NetProfile> ps = new ArrayList<>();
        for (String p : profiles.split(",")) {
            ps.add(NetProfile.parse(p));
        }
        List<TransportSpec> ts = new ArrayList<>();
        for (String t : transports.split(",")) {
            ts.add(TransportSpec.parse(t.trim().toLowerCase(Locale.ROOT)));
        }
        if (linkemu == null) {
            linkemu = findLinkemu(cwd);
        }
        if (linkemu == null) {
            linkemu = findLinkemu(jarDirectory());
        } else if (!Files.isRegularFile(linkemu)) {
            throw new IllegalArgumentException("--linkemu: no such file: " + linkemu);
        }
        if (out == null) {
            out = Files.isDirectory(cwd.resolve("benchmarks")) ? cwd.resolve("benchmarks") : cwd;
        }
        return new NetnsOptions(List.copyOf(ps), List.copyOf(ts), bytes, lossyBytes, timeout, warmup, warmupRounds, repeat, seed, datagram,
                offload, linkemu, out);
    }

    private static boolean parseBoolean(String v) {
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("--offload takes true or false, not " + v);
        }
        return Boolean.parseBoolean(v);
    }

    /** Where benchmarks.jar (or the classes directory) is, or null. */
    private static Path jarDirectory() {
        try {
            return Paths.get(NetnsOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * The shared relay next to the checkout: {@code shared/tools/linkemu.py} in {@code from} or one of its
     * parents (from the repository root that is {@code ../shared/tools/linkemu.py}), or null.
     */
    static Path findLinkemu(Path from) {
        if (from == null) {
            return null;
        }
        for (Path dir = from.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(Paths.get("shared", "tools", "linkemu.py"));
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Bytes to move on {@code p}. */
    long bytesFor(NetProfile p) {
        return p.lossy() ? lossyBytes : bytes;
    }
}
