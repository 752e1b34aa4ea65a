package dev.rudp.fileclient.p2p;

import static dev.rudp.fileclient.commands.Command.ArgKind.LOCAL;
import static dev.rudp.fileclient.commands.Command.ArgKind.NONE;

import dev.rudp.fileclient.commands.ClientContext;
import dev.rudp.fileclient.commands.Command;
import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileserver.p2p.PeerInbox;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Status;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The peer-to-peer commands: {@code accept-peers}, {@code peers}, {@code send}, {@code offers},
 * {@code accept}, {@code decline} and {@code receive} (batch mode). Exit codes of {@code receive}: 0
 * when the files arrived intact, 30 on timeout, 23 when a transfer failed (checksum mismatch, or the
 * sender left part way), 20 when interrupted, 11 when the folder cannot be written.
 */
public final class PeerCommands {
    private PeerCommands() {
    }

    /** The commands, for the command table. */
    public static List<Command> all() {
        return List.of(
                new Command("accept-peers", List.of(), "accept-peers on|auto|off [--peer-address HOST] [DIR]",
                        "Accept files sent directly by other users (send) into DIR (default: the local folder):"
                                + " listens on an ephemeral port with DTLS and registers with the server. on: each"
                                + " offer waits for accept/decline; auto: every offer is accepted; off: stop."
                                + " --peer-address: the address to advertise (default: the one this client reaches"
                                + " the server from).",
                        List.of(NONE, LOCAL), PeerCommands::acceptPeers),
                new Command("peers", List.of(), "peers", "List the users online who accept peer transfers.",
                        List.of(), (ctx, a) -> {
                            for (String u : ctx.connection().call(Op.PEERS, List.of()).lines()) {
                                ctx.out().println(u);
                            }
                        }),
                new Command("send", List.of(), "send [-a] USER FILE...",
                        "Send local files directly to USER's client (who must accept-peers); the server only"
                                + " introduces you and the bytes never pass through it. -a resumes an interrupted"
                                + " send. SHA-256 checked; the receiver renames the file in place only when intact.",
                        List.of(NONE, LOCAL), PeerCommands::send),
                new Command("offers", List.of(), "offers", "List the peer offers waiting for accept or decline.",
                        List.of(), (ctx, a) -> {
                            ctx.peers().pending().forEach((n, o) -> ctx.out().println(n + "  " + o.sender() + "  "
                                    + o.name() + "  " + o.size() + " bytes"));
                        }),
                new Command("accept", List.of(), "accept [N|all]",
                        "Accept peer offer N (default: the oldest; all: every one) into the receive folder.",
                        List.of(), (ctx, a) -> decide(ctx, a, true)),
                new Command("decline", List.of(), "decline [N|all]",
                        "Decline peer offer N (default: the oldest; all: every one); the sender is told.",
                        List.of(), (ctx, a) -> decide(ctx, a, false)),
                new Command("receive", List.of(), "receive [--count N] [--timeout S] [--peer-address HOST] [DIR]",
                        "Wait for peer files and accept them into DIR (default: the local folder); succeeds once"
                                + " N (default 1) files arrived intact. Exit codes: 30 timeout (default 300 s), 23"
                                + " a transfer failed, 20 interrupted.",
                        List.of(LOCAL), PeerCommands::receive));
    }

    /** Options {@code --name VALUE} taken out of {@code args}; the rest stay in order. */
    private static Map<String, String> options(String cmd, List<String> args, List<String> rest, String... names)
            throws ClientException {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (List.of(names).contains(a)) {
                if (i + 1 >= args.size()) {
                    throw new ClientException(ExitCode.USAGE, a + " needs a value");
                }
                o.put(a, args.get(++i));
            } else if (a.startsWith("--")) {
                throw new ClientException(ExitCode.USAGE, cmd + ": unknown option " + a);
            } else {
                rest.add(a);
            }
        }
        return o;
    }

    private static void acceptPeers(ClientContext ctx, List<String> args) throws ClientException {
        List<String> rest = new ArrayList<>();
        Map<String, String> o = options("accept-peers", args, rest, "--peer-address");
        PeerClient p = ctx.peers();
        if (rest.isEmpty()) {
            ctx.out().println(p.listening() ? "accepting peer transfers into " + p.folder() + " at " + show(p.advertised())
                    + (p.autoAccept() ? " (auto)" : "") : "not accepting peer transfers");
            return;
        }
        if (rest.size() > 2) {
            throw new ClientException(ExitCode.USAGE, "accept-peers: wrong number of arguments (see help accept-peers)");
        }
        switch (rest.get(0)) {
            case "off" -> {
                p.stopListening();
                ctx.out().println("no longer accepting peer transfers");
            }
            case "on", "auto" -> {
                boolean auto = rest.get(0).equals("auto");
                Path dir = rest.size() > 1 ? ctx.resolveLocal(rest.get(1)) : ctx.localCwd();
                InetSocketAddress at = p.listen(dir, auto, o.get("--peer-address"));
                ctx.out().println("accepting peer transfers into " + dir + " at " + show(at) + ", certificate "
                        + p.fingerprint() + (auto ? " (every offer accepted)" : " (accept or decline each offer)"));
            }
            default -> throw new ClientException(ExitCode.USAGE, "accept-peers: on, auto or off, not " + rest.get(0));
        }
    }

    private static String show(InetSocketAddress a) {
        return a == null ? "?" : a.getHostString() + ":" + a.getPort();
    }

    private static void send(ClientContext ctx, List<String> args) throws ClientException {
        boolean resume = false;
        List<String> rest = new ArrayList<>();
        for (String a : args) {
            if (a.equals("-a") && rest.isEmpty()) {
                resume = true;
            } else {
                rest.add(a);
            }
        }
        if (rest.size() < 2) {
            throw new ClientException(ExitCode.USAGE, "send: wrong number of arguments (see help send)");
        }
        List<Path> files = new ArrayList<>();
        for (String f : rest.subList(1, rest.size())) {
            Path p = ctx.resolveLocal(f);
            if (Files.isDirectory(p)) {
                throw new ClientException(ExitCode.USAGE, "send: is a folder (send files): " + f);
            }
            if (!Files.isRegularFile(p)) {
                throw new ClientException(ExitCode.NOT_FOUND, "no such local file: " + f);
            }
            files.add(p);
        }
        ctx.peers().send(rest.get(0), files, resume, ctx::newProgress, ctx.cancel(), null, line -> {
            ctx.out().println(line);
            ctx.out().flush();
        });
    }

    private static void decide(ClientContext ctx, List<String> args, boolean yes) throws ClientException {
        String cmd = yes ? "accept" : "decline";
        PeerClient p = ctx.peers();
        int n;
        if (args.isEmpty()) {
            Map<Integer, PeerInbox.Offer> pending = p.pending();
            if (pending.isEmpty()) {
                throw new ClientException(ExitCode.NOT_FOUND, "no pending offer");
            }
            n = pending.keySet().stream().min(Integer::compare).orElseThrow();
        } else if (args.size() == 1 && args.get(0).equals("all")) {
            n = 0;
        } else {
            try {
                n = Integer.parseInt(args.get(0));
            } catch (NumberFormatException e) {
                throw new ClientException(ExitCode.USAGE, cmd + ": not an offer number: " + args.get(0));
            }
            if (n < 1 || args.size() > 1) {
                throw new ClientException(ExitCode.USAGE, cmd + ": see help " + cmd);
            }
        }
        int count = yes ? p.accept(n) : p.decline(n);
        ctx.out().println((yes ? "accepted " : "declined ") + count + (count == 1 ? " offer" : " offers"));
    }

    private static void receive(ClientContext ctx, List<String> args) throws ClientException {
        List<String> rest = new ArrayList<>();
        Map<String, String> o = options("receive", args, rest, "--count", "--timeout", "--peer-address");
        if (rest.size() > 1) {
            throw new ClientException(ExitCode.USAGE, "receive: wrong number of arguments (see help receive)");
        }
        int count;
        long timeoutMillis;
        try {
            count = Integer.parseInt(o.getOrDefault("--count", "1"));
            timeoutMillis = Long.parseLong(o.getOrDefault("--timeout", "300")) * 1000;
        } catch (NumberFormatException e) {
            throw new ClientException(ExitCode.USAGE, "receive: --count and --timeout take whole numbers");
        }
        if (count < 1 || timeoutMillis < 1000) {
            throw new ClientException(ExitCode.USAGE, "receive: --count and --timeout must be positive");
        }
        Path dir = rest.isEmpty() ? ctx.localCwd() : ctx.resolveLocal(rest.get(0));
        PeerClient p = ctx.peers();
        LinkedBlockingQueue<Object[]> events = new LinkedBlockingQueue<>();
        PeerClient.Watcher w = new PeerClient.Watcher() {
            @Override
            public void offered(PeerInbox.Offer offer) {
                events.add(new Object[] {offer});
            }

            @Override
            public void finished(PeerInbox.Offer offer, Reply result) {
                events.add(new Object[] {offer, result});
            }
        };
        boolean wasListening = p.listening();
        Path oldFolder = p.folder();
        boolean oldAuto = p.autoAccept();
        p.watch(w);
        Map<PeerInbox.Offer, TransferListener> running = new HashMap<>();
        try {
            if (wasListening) {
                p.mode(dir, true);
                p.accept(0);
            } else {
                p.listen(dir, true, o.get("--peer-address"));
            }
            ctx.err().println("waiting for " + count + (count == 1 ? " file" : " files") + " at "
                    + show(p.advertised()) + " into " + dir);
            ctx.err().flush();
            int arrived = 0;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (arrived < count) {
                if (ctx.cancel().isCancelled()) {
                    throw new ClientException(ExitCode.INTERRUPTED, "interrupted: " + arrived + " of " + count
                            + " files arrived");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new ClientException(ExitCode.TIMEOUT, "timeout: " + arrived + " of " + count
                            + " files arrived within " + timeoutMillis / 1000 + " s");
                }
                Object[] e;
                try {
                    e = events.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new ClientException(ExitCode.INTERRUPTED, "interrupted");
                }
                running.forEach((offer, l) -> l.progress(offer.done(), offer.size()));
                if (e == null) {
                    continue;
                }
                PeerInbox.Offer offer = (PeerInbox.Offer) e[0];
                if (e.length == 1) {
                    TransferListener l = ctx.newProgress();
                    l.started(offer.name() + " from " + offer.sender(), 0, offer.size());
                    running.put(offer, l);
                    continue;
                }
                Reply r = (Reply) e[1];
                TransferListener l = running.remove(offer);
                if (l != null) {
                    if (r.ok()) {
                        l.progress(offer.size(), offer.size());
                    }
                    l.finished(r.ok());
                }
                if (r.ok()) {
                    arrived++;
                    ctx.out().println("received " + offer.name() + " from " + offer.sender() + " -> " + offer.target()
                            + ": " + offer.size() + " bytes, sha256 " + r.lines().get(0));
                    ctx.out().flush();
                } else if (r.status() == Status.IO_ERROR || r.status() == Status.PERMISSION_DENIED) {
                    throw new ClientException(ExitCode.LOCAL_IO, offer.name() + " from " + offer.sender() + ": "
                            + r.message());
                } else if (r.status() != Status.DECLINED) {
                    throw new ClientException(ExitCode.PARTIAL, offer.name() + " from " + offer.sender() + ": "
                            + r.message());
                }
            }
        } finally {
            running.values().forEach(l -> l.finished(false));
            p.unwatch(w);
            if (wasListening) {
                p.mode(oldFolder, oldAuto);
            }
        }
    }
}
