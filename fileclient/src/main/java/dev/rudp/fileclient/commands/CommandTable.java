package dev.rudp.fileclient.commands;

import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * All client commands by name and alias, with {@code help} and {@link #execute}, which runs one
 * command line and prints a failure as one line ({@code get: no such file: a.txt}), never a stack
 * trace.
 */
public final class CommandTable {
    private final Map<String, Command> byName = new LinkedHashMap<>();
    private final List<Command> commands = new ArrayList<>();

    public CommandTable() {
        List<Command> all = new ArrayList<>();
        all.addAll(RemoteCommands.all());
        all.addAll(TransferCommands.all());
        all.addAll(LocalCommands.all());
        all.addAll(dev.rudp.fileclient.p2p.PeerCommands.all());
        all.addAll(KeyCommands.all());
        all.add(new Command("help", List.of("?"), "help [COMMAND]", "List the commands, or explain one.",
                List.of(Command.ArgKind.COMMAND), this::help));
        for (Command c : all) {
            commands.add(c);
            byName.put(c.name(), c);
            for (String a : c.aliases()) {
                byName.put(a, c);
            }
        }
    }

    /**
     * A table built on a daemon thread of its own, for a caller with a wait ahead (a one-shot command's
     * connect and login): its sixty commands and their lambdas, linked on a new JVM's first use, cost
     * about 0.02 s, which otherwise come after the login.
     */
    public static Future<CommandTable> buildAside() {
        FutureTask<CommandTable> task = new FutureTask<>(CommandTable::new);
        Thread t = new Thread(task, "fileclient-commands");
        t.setDaemon(true);
        t.start();
        return task;
    }

    /** The table {@link #buildAside()} built, once it is done. */
    public static CommandTable built(Future<CommandTable> aside) {
        try {
            return aside.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CommandTable();
        } catch (ExecutionException e) {
            throw new IllegalStateException("building the command table failed", e.getCause());
        }
    }

    /** The command named (or aliased) {@code name}, or null. */
    public Command find(String name) {
        return byName.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** Every name and alias, sorted (for completion). */
    public List<String> names() {
        return new ArrayList<>(new TreeSet<>(byName.keySet()));
    }

    /** Runs one command line; returns OK or the failure's exit code after printing it. */
    public ExitCode execute(ClientContext ctx, String line) {
        List<String> words = Words.split(line.trim());
        if (words == null) {
            ctx.err.println("unterminated quote");
            ctx.err.flush();
            return ExitCode.USAGE;
        }
        if (words.isEmpty()) {
            return ExitCode.OK;
        }
        String name = words.get(0);
        Command c = find(name);
        if (c == null) {
            ctx.err.println(name + ": unknown command (try help)");
            ctx.err.flush();
            return ExitCode.USAGE;
        }
        List<String> args = words.subList(1, words.size());
        if (c.name().equals("cmd")) {
            // the server parses the command line itself, so it sees exactly what was typed
            String raw = line.trim().substring(name.length()).trim();
            args = raw.isEmpty() ? List.of() : List.of(raw);
        }
        ctx.cancel.reset();
        try {
            Failover.beforeCommand(ctx, c);
        } catch (ClientException e) {
            ctx.err.println(c.name() + ": " + printable(e.getMessage()));
            ctx.err.flush();
            return e.code();
        }
        int attempt = 0;
        try {
            while (true) {
                try {
                    c.action().run(ctx, args);
                    return ExitCode.OK;
                } catch (ClientException e) {
                    if (!Failover.lostServer(ctx, e)) {
                        ctx.err.println(c.name() + ": " + printable(e.getMessage()));
                        return e.code();
                    }
                    // the server is gone: reconnect (the same address; behind a balancer, another server)
                    try {
                        attempt = Failover.reconnect(ctx, attempt, e);
                    } catch (ClientException r) {
                        ctx.err.println(c.name() + ": " + printable(r.getMessage()));
                        return r.code();
                    }
                    if (!Failover.RETRIED.contains(c.name())) {
                        Failover.notice(ctx, attempt, "; " + c.name() + " not run again (it may have taken effect"
                                + " before the connection broke): " + printable(e.getMessage()));
                        return e.code();
                    }
                    ctx.resumeTransfers = true;
                    ctx.pendingNotice = Failover.line(ctx, attempt);
                    if (!Failover.isTransfer(c)) {
                        ctx.pendingNotice = null;
                        Failover.notice(ctx, attempt, "; running " + c.name() + " again");
                    }
                }
            }
        } catch (RuntimeException e) {
            ctx.err.println(c.name() + ": internal error: " + e);
            return ExitCode.PROTOCOL;
        } finally {
            if (ctx.pendingNotice != null) {
                // the resumed command ended before a transfer started: still say it reconnected
                ctx.err.println(ctx.pendingNotice);
                ctx.pendingNotice = null;
            }
            ctx.resumeTransfers = false;
            ctx.out.flush();
            ctx.err.flush();
        }
    }

    /**
     * Reconnects a session whose server went away between commands (the shell does it before showing
     * its prompt again); prints the one reconnect line, or why it could not. Returns whether it is
     * connected now.
     */
    public boolean reconnect(ClientContext ctx) {
        if (ctx.reconnector() == null || ctx.conn == null) {
            return ctx.conn != null && ctx.conn.isOpen();
        }
        ctx.cancel.reset();
        try {
            Failover.notice(ctx, Failover.reconnect(ctx, 0, null), "");
            return true;
        } catch (ClientException e) {
            ctx.err.println("fileclient: " + printable(e.getMessage()));
            ctx.err.flush();
            return false;
        }
    }

    private void help(ClientContext ctx, List<String> args) throws ClientException {
        if (args.isEmpty()) {
            ctx.out.println("commands (help COMMAND for details):");
            for (Command c : commands) {
                ctx.out.printf("  %-34s %s%n", c.usage(), firstSentence(c.help()));
            }
            ctx.out.println("Ctrl-C cancels a running transfer; Ctrl-D or exit leaves.");
            return;
        }
        Command c = find(args.get(0));
        if (c == null) {
            throw new ClientException(ExitCode.USAGE, "no such command: " + args.get(0));
        }
        ctx.out.println("usage: " + c.usage());
        if (!c.aliases().isEmpty()) {
            ctx.out.println("aliases: " + String.join(", ", c.aliases()));
        }
        ctx.out.println(c.help());
    }

    /** The text with control characters (escape sequences from remote names) shown as '?'. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return b.toString();
    }

    private static String firstSentence(String s) {
        int i = s.indexOf(". ");
        return i < 0 ? s : s.substring(0, i + 1);
    }
}
