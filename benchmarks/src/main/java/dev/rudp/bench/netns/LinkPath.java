package dev.rudp.bench.netns;

import java.nio.file.Path;
import java.util.List;

/**
 * The namespace runner's path ({@link Topology}: two namespaces, kernel loss, tbf rate, delay through
 * {@code linkemu.py}; or the relay making loss and rate too) for runners outside this package that start their own programs in the two
 * namespaces (the real UDP tools of {@code dev.rudp.bench.peers}). Side A is the client's, side B the
 * server's. While open, the root namespace allows CUBIC and BBR so that each namespace may pick one;
 * {@link #close()} restores the list and removes namespaces and relay.
 */
public final class LinkPath implements AutoCloseable {
    private static final Path ALLOWED = Path.of("/proc/sys/net/ipv4/tcp_allowed_congestion_control");

    private final Topology topology;
    private final String allowedBefore;

    private LinkPath(Topology topology, String allowedBefore) {
        this.topology = topology;
        this.allowedBefore = allowedBefore;
    }

    /**
     * Makes the path of {@code profile} with namespaces named after {@code tag} (unique per run).
     *
     * @param linkemu the relay script (needed when the profile has a delay)
     * @param relaySeconds the relay stops by itself after this long
     * @throws IllegalStateException when a set-up command fails (whatever was made is removed)
     */
    public static LinkPath open(String tag, NetProfile profile, String python, Path linkemu, long relaySeconds) {
        return open(tag, profile, python, linkemu, relaySeconds, false);
    }

    /**
     * As above; with {@code relayImpairs} the relay makes the loss and the rate too ({@code linkemu.py
     * --loss --rate-mbit}, its tail-drop queue of 1000 packets), as issue 13's figures were measured,
     * instead of the kernel drop rules and {@code tbf}. A relay drop is silent, as at a router; a full
     * {@code tbf} queue on the sender's own interface instead refuses the send ({@code ENOBUFS}), which
     * punishes a sender without congestion control that a real path would not.
     */
    public static LinkPath open(String tag, NetProfile profile, String python, Path linkemu, long relaySeconds,
            boolean relayImpairs) {
        if (relayImpairs) {
            List<String> extra = List.of("--loss", String.valueOf(profile.lossPercent() / 100), "--rate-mbit",
                    String.valueOf(profile.rateMbit()));
            NetProfile delayOnly = new NetProfile(profile.name(), 0, profile.rttMillis(), 0);
            return openWith(tag, delayOnly, python, linkemu, relaySeconds, extra);
        }
        return openWith(tag, profile, python, linkemu, relaySeconds, List.of());
    }

    private static LinkPath openWith(String tag, NetProfile profile, String python, Path linkemu, long relaySeconds,
            List<String> relayExtra) {
        if (profile.lossy() && Topology.DropTool.detect() == null) {
            throw new IllegalStateException("neither nft nor iptables found; run benchmarks/setup.sh");
        }
        String allowed = Cmd.run(List.of("cat", ALLOWED.toString())).out().trim();
        Cmd.run(List.of("sh", "-c", "echo \"$0 cubic bbr\" > " + ALLOWED, allowed));
        Topology.Names n = new Topology.Names("rbpeer-a-" + tag, "rbpeer-b-" + tag, "rpa" + tag, "rpb" + tag);
        try {
            return new LinkPath(Topology.open(n, profile, Topology.DropTool.detect(), python, linkemu, relaySeconds,
                    relayExtra), allowed);
        } catch (RuntimeException e) {
            restore(allowed);
            throw e;
        }
    }

    private static void restore(String allowed) {
        if (!allowed.isEmpty()) {
            Cmd.run(List.of("sh", "-c", "echo \"$0\" > " + ALLOWED, allowed));
        }
    }

    /** The client's namespace. */
    public String nsA() {
        return topology.names().nsA();
    }

    /** The server's namespace. */
    public String nsB() {
        return topology.names().nsB();
    }

    /** The client's network device (in {@link #nsA()}). */
    public String devA() {
        return topology.names().devA();
    }

    /** The server's network device (in {@link #nsB()}). */
    public String devB() {
        return topology.names().devB();
    }

    public String addrA() {
        return Topology.ADDR_A;
    }

    public String addrB() {
        return Topology.ADDR_B;
    }

    /** Sets both namespaces' TCP congestion control ({@code cubic}, {@code bbr}). */
    public void congestionControl(String cc) {
        topology.congestionControl(cc);
    }

    /** What the relay printed (its counters, once closed). */
    public String relayOutput() {
        return topology.relayOutput();
    }

    @Override
    public void close() {
        topology.close();
        restore(allowedBefore);
    }

    /** The shared relay, {@code shared/tools/linkemu.py} in {@code from} or a parent folder, or null. */
    public static Path findLinkemu(Path from) {
        return NetnsOptions.findLinkemu(from);
    }

    /** Removes namespaces left by an interrupted run with this {@code tag}. */
    public static void cleanup(String tag) {
        Topology.cleanup(new Topology.Names("rbpeer-a-" + tag, "rbpeer-b-" + tag, "rpa" + tag, "rpb" + tag));
    }
}
