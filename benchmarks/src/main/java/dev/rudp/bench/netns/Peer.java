package dev.rudp.bench.netns;

import dev.rudp.CongestionControl;
import dev.rudp.bench.Sizes;
import dev.rudp.bench.e2e.Payload;
import dev.rudp.bench.e2e.Warmup;
import dev.rudp.sim.ImpairmentProfile;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One end of a transfer, run as its own JVM inside a network namespace by {@link NetnsRunner}
 * ({@code ip netns exec NS java -cp benchmarks.jar dev.rudp.bench.netns.Peer receive|send ...}).
 * It talks to the runner by lines on stdout:
 * <pre>
 * receive: READY port [fingerprint]     listening; then, once the transfer ended:
 *          RESULT received complete crcOk seconds
 * send:    SENT retransmittedBytes      (-1 when the transport does not say), once its stdin ended
 * </pre>
 * The receiver times the transfer itself, from the connection being established to the last byte,
 * and gives up {@code --timeout} seconds after the connection started, reporting what arrived by
 * then. Before any of that each peer moves {@code --warmup} bytes through the same transport over
 * its namespace's loopback so the JIT has compiled the path (sender and receiver code alike).
 */
public final class Peer {
    private Peer() {
    }

    /** How the runner names transports, and what each means for a peer. */
    enum Kind {
        RUDP, TCP
    }

    /**
     * Options of one peer.
     *
     * @param kind rudp or tcp
     * @param cc rudp congestion control (ignored for TCP: the namespace's sysctl chooses)
     * @param dtls rudp over DTLS 1.2
     * @param bytes bytes to move
     * @param timeoutMillis receiver: give up this long after the connection started
     * @param seed payload seed
     * @param datagram rudp MAX_DATAGRAM_SIZE
     * @param offload rudp UDP_OFFLOAD
     * @param warmup bytes moved over loopback first, 0 for none
     */
    record Settings(Kind kind, CongestionControl cc, boolean dtls, long bytes, long timeoutMillis, long seed,
            int datagram, boolean offload, long warmup) {
    }

    /** The receiving side of one transfer, listening once constructed. */
    interface Receiving extends AutoCloseable {
        int port();

        /** The pinned certificate fingerprint the sender must see, or "-" without DTLS. */
        String fingerprint();

        /** Waits up to {@code acceptMillis} for a connection, then for the transfer (bounded by the timeout). */
        Outcome await(long acceptMillis) throws Exception;

        @Override
        void close();
    }

    /**
     * What the receiver saw.
     *
     * @param received bytes received
     * @param complete all of them arrived before the timeout
     * @param crcOk the CRC32C of what arrived equals that of the same prefix of the payload
     * @param seconds from the connection being established to the last byte (or to the timeout)
     */
    record Outcome(long received, boolean complete, boolean crcOk, double seconds) {
    }

    static Receiving receive(Settings s, Payload payload, String bindHost) throws Exception {
        return s.kind() == Kind.TCP ? TcpPeer.receive(s, payload, bindHost) : RudpPeer.receive(s, payload, bindHost);
    }

    /**
     * Sends everything, then keeps the connection until {@code receiverDone} completes (the receiver has
     * all of it, or gave up) or {@code timeoutMillis} passed: a sender cannot tell by itself when its last
     * bytes arrived. Returns the bytes it retransmitted, or -1 when the transport does not say.
     */
    static long send(Settings s, Payload payload, InetSocketAddress to, String fingerprint, long timeoutMillis,
            CompletableFuture<?> receiverDone) throws Exception {
        return s.kind() == Kind.TCP ? TcpPeer.send(s, payload, to, timeoutMillis, receiverDone)
                : RudpPeer.send(s, payload, to, fingerprint, timeoutMillis, receiverDone);
    }

    /**
     * Rounds of {@code s.warmup()} bytes over loopback inside this JVM until its JIT settles ({@link Warmup},
     * at most {@code rounds}; results ignored apart from failures), so the measured transfer does not share
     * the cores with the compiler. For rudp the second half of each transfer goes in Ethernet-sized
     * datagrams with 2% of them dropped each way (the simulator), because the veth run takes those code
     * paths (small datagrams, batched reads, loss recovery) and 64 KiB loopback datagrams do not.
     */
    static void warmUp(Settings s, Payload payload, int rounds) throws Exception {
        if (s.warmup() <= 0) {
            return;
        }
        new Warmup(rounds, System.err).run(s.kind().name().toLowerCase(Locale.ROOT), () -> {
            try {
                if (s.kind() == Kind.TCP) {
                    warmUp(new Settings(s.kind(), s.cc(), s.dtls(), s.warmup(), 60_000, s.seed(), s.datagram(),
                            s.offload(), 0), payload, null);
                } else {
                    long half = Math.max(1, s.warmup() / 2);
                    warmUp(new Settings(s.kind(), s.cc(), s.dtls(), half, 60_000, s.seed(), s.datagram(), s.offload(), 0),
                            payload, null);
                    warmUp(new Settings(s.kind(), s.cc(), s.dtls(), half, 60_000, s.seed(), WARMUP_LOSSY_DATAGRAM,
                            s.offload(), 0), payload, ImpairmentProfile.builder().loss(0.02).build());
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("warm-up transfer failed", e);
            }
            return "ok";
        });
    }

    /** The lossy half of a rudp warm-up: a 1500-byte MTU's IPv6 UDP payload. */
    static final int WARMUP_LOSSY_DATAGRAM = 1452;

    private static void warmUp(Settings w, Payload payload, ImpairmentProfile sim) throws Exception {
        try (Receiving r = w.kind() == Kind.TCP ? receive(w, payload, "127.0.0.1")
                : RudpPeer.receive(w, payload, "127.0.0.1", sim, false)) {
            CompletableFuture<Void> received = new CompletableFuture<>();
            Thread sender = new Thread(() -> {
                try {
                    InetSocketAddress to = new InetSocketAddress("127.0.0.1", r.port());
                    if (w.kind() == Kind.TCP) {
                        send(w, payload, to, r.fingerprint(), 60_000, received);
                    } else {
                        RudpPeer.send(w, payload, to, r.fingerprint(), 60_000, received, sim, false);
                    }
                } catch (Exception e) {
                    System.err.println("warm-up sender: " + e);
                }
            }, "warmup-sender");
            sender.setDaemon(true);
            sender.start();
            Outcome o = r.await(30_000);
            received.complete(null);
            sender.join(30_000);
            if (!o.complete() || !o.crcOk()) {
                throw new IllegalStateException("warm-up transfer failed: " + o);
            }
        }
    }

    /** Entry point of the child JVMs; exits non-zero on any failure. */
    public static void main(String[] args) {
        PrintStream out = System.out;
        try {
            run(args, out);
            out.flush();
            System.exit(0);
        } catch (Throwable t) {
            System.err.println("peer failed: " + t);
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args, PrintStream out) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: Peer receive|send --transport rudp|tcp ...");
        }
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value at " + args[i]);
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        Settings s = new Settings(Kind.valueOf(opts.getOrDefault("transport", "rudp").toUpperCase(Locale.ROOT)),
                CongestionControl.valueOf(opts.getOrDefault("cc", "BBR")),
                Boolean.parseBoolean(opts.getOrDefault("dtls", "false")),
                Sizes.parse(opts.get("bytes")),
                Long.parseLong(opts.getOrDefault("timeout", "60")) * 1000,
                Long.parseLong(opts.getOrDefault("seed", "1")),
                Integer.parseInt(opts.getOrDefault("datagram", "65507")),
                Boolean.parseBoolean(opts.getOrDefault("offload", "false")),
                Sizes.parse(opts.getOrDefault("warmup", "0")));
        try (Payload payload = new Payload(s.seed())) {
            warmUp(s, payload, Integer.parseInt(opts.getOrDefault("warmup-rounds", "1")));
            switch (args[0]) {
                case "receive" -> {
                    try (Receiving r = receive(s, payload, opts.get("bind"))) {
                        out.println("READY " + r.port() + " " + r.fingerprint());
                        out.flush();
                        Outcome o = r.await(Long.parseLong(opts.getOrDefault("accept-timeout", "120")) * 1000);
                        out.printf(Locale.ROOT, "RESULT %d %b %b %.6f%n", o.received(), o.complete(), o.crcOk(),
                                o.seconds());
                    }
                }
                case "send" -> {
                    String[] hp = opts.get("to").split(":");
                    // The runner closes our stdin once the receiver reported: then the transfer is over.
                    CompletableFuture<Void> receiverDone = new CompletableFuture<>();
                    Thread watcher = new Thread(() -> {
                        try {
                            while (System.in.read() >= 0) {
                                // nothing is sent on stdin; only its end matters
                            }
                        } catch (IOException e) {
                            // unreadable stdin counts as its end
                        }
                        receiverDone.complete(null);
                    }, "stdin-watcher");
                    watcher.setDaemon(true);
                    watcher.start();
                    long retransmitted = send(s, payload, new InetSocketAddress(hp[0], Integer.parseInt(hp[1])),
                            opts.getOrDefault("fingerprint", "-"), s.timeoutMillis() + TimeUnit.SECONDS.toMillis(30),
                            receiverDone);
                    out.println("SENT " + retransmitted);
                }
                default -> throw new IllegalArgumentException("receive or send, not " + args[0]);
            }
        }
    }
}
