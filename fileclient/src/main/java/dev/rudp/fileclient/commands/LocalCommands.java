package dev.rudp.fileclient.commands;

import static dev.rudp.fileclient.commands.Command.ArgKind.LOCAL;
import static dev.rudp.fileclient.commands.Command.ArgKind.NONE;

import dev.rudp.RudpStats;
import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.progress.ProgressDisplay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;

/** Commands that run on this machine: lls, lcd, lpwd, lmkdir, stats, exit. */
final class LocalCommands {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneOffset.UTC);

    private LocalCommands() {
    }

    static List<Command> all() {
        return List.of(
                new Command("lls", List.of(), "lls [-l] [PATH]", "List a local folder.", List.of(LOCAL),
                        LocalCommands::lls),
                new Command("lcd", List.of(), "lcd [PATH]", "Change the local folder (no PATH: your home).",
                        List.of(LOCAL), (ctx, a) -> {
                            Opts o = Opts.parse("lcd", a, "", 0, 1);
                            Path p = ctx.local(o.operand(0, "~"));
                            if (!Files.isDirectory(p)) {
                                throw new ClientException(Files.exists(p) ? ExitCode.USAGE : ExitCode.NOT_FOUND,
                                        (Files.exists(p) ? "not a folder: " : "no such local folder: ")
                                                + o.operand(0, "~"));
                            }
                            ctx.localCwd = p;
                        }),
                new Command("lpwd", List.of(), "lpwd", "Show the local folder.", List.of(NONE), (ctx, a) -> {
                    Opts.parse("lpwd", a, "", 0, 0);
                    ctx.out.println(ctx.localCwd);
                }),
                new Command("lmkdir", List.of(), "lmkdir PATH", "Create a local folder (with parents).",
                        List.of(LOCAL), (ctx, a) -> {
                            Opts o = Opts.parse("lmkdir", a, "p", 1, 1);
                            try {
                                Files.createDirectories(ctx.local(o.operand(0, "")));
                            } catch (IOException e) {
                                throw new ClientException(ExitCode.LOCAL_IO, "cannot create " + o.operand(0, "")
                                        + ": " + e.getMessage());
                            }
                        }),
                new Command("stats", List.of(), "stats", "Show the connection's transport statistics.",
                        List.of(NONE), (ctx, a) -> {
                            Opts.parse("stats", a, "", 0, 0);
                            RudpStats s = ctx.conn.stats();
                            if (s == null) {
                                throw new ClientException(ExitCode.CONNECTION_LOST, "no statistics: not connected");
                            }
                            ctx.out.printf("rtt %.1f ms (min %.1f, var %.1f), cwnd %s, in flight %s, pacing %s/s%n",
                                    s.smoothedRttNanos() / 1e6, s.minRttNanos() / 1e6, s.rttVarNanos() / 1e6,
                                    ProgressDisplay.human(s.congestionWindow()),
                                    ProgressDisplay.human(s.bytesInFlight()), ProgressDisplay.human(s.pacingRate()));
                            ctx.out.printf("sent %d packets (%s), received %d packets (%s)%n", s.packetsSent(),
                                    ProgressDisplay.human(s.bytesSent()), s.packetsReceived(),
                                    ProgressDisplay.human(s.bytesReceived()));
                            ctx.out.printf("lost %d packets (%s), retransmitted %s, spurious %d, duplicates %d,"
                                    + " invalid %d, probe timeouts %d%n", s.packetsLost(),
                                    ProgressDisplay.human(s.bytesLost()), ProgressDisplay.human(s.bytesRetransmitted()),
                                    s.spuriousRetransmits(), s.duplicatePackets(), s.invalidPackets(),
                                    s.probeTimeouts());
                            ctx.out.printf("windows: peer %s, ours %s; messages delivered %d%n",
                                    ProgressDisplay.human(s.peerMaxData()), ProgressDisplay.human(s.receiveWindow()),
                                    s.messagesDelivered());
                            RudpStats.LimitedBy l = s.limitedBy();
                            long total = Math.max(1, l.totalNanos());
                            ctx.out.printf("limited by (of %.1f s): sending %d%%, cwnd %d%%, pacing %d%%,"
                                    + " receiver window %d%%, application %d%%, socket %d%%%n", l.totalNanos() / 1e9,
                                    100 * l.sendingNanos() / total, 100 * l.congestionWindowNanos() / total,
                                    100 * l.pacingNanos() / total, 100 * l.receiverWindowNanos() / total,
                                    100 * l.applicationNanos() / total, 100 * l.socketNanos() / total);
                            ctx.out.printf("local socket (shared by its connections): %s receive drops, %d errors,"
                                    + " buffers %s receive / %s send (as the kernel reports them)%n",
                                    s.socketReceiveDrops() < 0 ? "unknown" : Long.toString(s.socketReceiveDrops()),
                                    s.socketErrors(), bufferSize(s.socketReceiveBuffer()),
                                    bufferSize(s.socketSendBuffer()));
                            long[] rates = ctx.conn.rateLimits();
                            ctx.out.printf("server rate limits (each way): per account %s, whole server %s%n",
                                    rate(rates[0]), rate(rates[1]));
                        }),
                new Command("exit", List.of("quit", "bye"), "exit", "Leave (Ctrl-D too). The server keeps running.",
                        List.of(NONE), (ctx, a) -> ctx.exitRequested = true));
    }

    private static String rate(long bytesPerSecond) {
        return bytesPerSecond <= 0 ? "none" : ProgressDisplay.human(bytesPerSecond) + "/s";
    }

    private static String bufferSize(int bytes) {
        return bytes < 0 ? "unknown" : ProgressDisplay.human(bytes);
    }

    private static void lls(ClientContext ctx, List<String> a) throws ClientException {
        Opts o = Opts.parse("lls", a, "la", 0, 1);
        Path p = ctx.local(o.operand(0, "."));
        if (!Files.exists(p)) {
            throw new ClientException(ExitCode.NOT_FOUND, "no such local file: " + o.operand(0, "."));
        }
        try (Stream<Path> s = Files.isDirectory(p) ? Files.list(p) : Stream.of(p)) {
            for (Path c : (Iterable<Path>) s.sorted()::iterator) {
                String name = c.getFileName().toString();
                if (!o.has('a') && name.startsWith(".")) {
                    continue;
                }
                boolean dir = Files.isDirectory(c);
                if (o.has('l')) {
                    BasicFileAttributes at = Files.readAttributes(c, BasicFileAttributes.class);
                    ctx.out.printf("%s %14d %s %s%s%n", dir ? "d" : "-", at.size(),
                            TIME.format(Instant.ofEpochMilli(at.lastModifiedTime().toMillis())), name, dir ? "/" : "");
                } else {
                    ctx.out.println(name + (dir ? "/" : ""));
                }
            }
        } catch (IOException e) {
            throw new ClientException(ExitCode.LOCAL_IO, "cannot list " + p + ": " + e.getMessage());
        }
    }
}
