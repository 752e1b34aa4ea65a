package dev.rudp.fileclient.commands;

import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.Reconnector;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileserver.protocol.Op;
import java.util.List;
import java.util.Set;

/**
 * What a command does when its server goes away (issue 15): reconnect to the same address with the
 * session's {@link Reconnector}, put the remote working folder back, and run the command again where
 * that is safe. Transfers run again as {@code reget}/{@code reput} (from the local {@code .part}, or
 * the part the server or store holds); read-only commands run again as they were; a command that
 * changes something ({@code mv}, {@code rm}, {@code cp}, {@code mkdir}, {@code cmd}, ...) is not run
 * again, because the server may have done it before the connection broke: the session reconnects and
 * the command reports its failure.
 */
final class Failover {
    /** Commands that read only, or resume: running them again after a reconnect does nothing twice. */
    static final Set<String> RETRIED = Set.of("ls", "stat", "cd", "pwd", "checksum", "df", "get", "reget", "put",
            "reput", "keys", "peers", "offers");
    /** Commands that need no server (no reconnect before them). */
    static final Set<String> LOCAL = Set.of("lls", "lcd", "lpwd", "lmkdir", "exit", "help", "stats");

    private Failover() {
    }

    /** Whether {@code c} moves files (its rerun resumes, and its reconnect line names the offset). */
    static boolean isTransfer(Command c) {
        return switch (c.name()) {
            case "get", "reget", "put", "reput" -> true;
            default -> false;
        };
    }

    /** Whether {@code e} means the server is gone (or leaving) rather than a refusal of this command. */
    static boolean lostServer(ClientContext ctx, ClientException e) {
        FileConnection c = ctx.conn;
        if (c == null || ctx.reconnector() == null || ctx.cancel.isCancelled()) {
            return false;
        }
        return switch (e.code()) {
            case CONNECTION_LOST -> true;
            // a transfer cut by the loss (PARTIAL), a wait that ended with it, a draining server's refusal
            case PARTIAL, TIMEOUT, CONNECT -> !c.isOpen() || c.moving();
            default -> false;
        };
    }

    /** Before a command that needs the server: reconnects a session whose server left or asked to move. */
    static void beforeCommand(ClientContext ctx, Command c) throws ClientException {
        FileConnection conn = ctx.conn;
        if (conn == null || ctx.reconnector() == null || LOCAL.contains(c.name())
                || (conn.isOpen() && !conn.moving())) {
            return;
        }
        int attempt = reconnect(ctx, 0, null);
        notice(ctx, attempt, "");
    }

    /**
     * Reconnects after attempt {@code done} failed (0: none made yet). Returns the attempt that
     * succeeded; throws the error that stops trying: the identity check (never retried), the login,
     * Ctrl-C, or the last failure when every attempt failed ({@code cause}, when given, names what broke).
     */
    static int reconnect(ClientContext ctx, int done, ClientException cause) throws ClientException {
        Reconnector r = ctx.reconnector();
        ClientException last = null;
        for (int attempt = done + 1; attempt <= r.attempts(); attempt++) {
            FileConnection next;
            try {
                next = r.attempt(attempt, ctx.cancel);
            } catch (ClientException e) {
                if (e.code() == ExitCode.CONNECT || e.code() == ExitCode.TIMEOUT
                        || e.code() == ExitCode.CONNECTION_LOST) {
                    last = e;
                    continue;
                }
                throw e;
            }
            String cwd = ctx.remoteCwd;
            ctx.replaceConnection(next);
            if (!"~".equals(cwd)) {
                try {
                    ctx.remoteCwd = next.call(Op.CD, List.of(cwd)).lines().get(0);
                } catch (ClientException e) {
                    if (!next.isOpen()) {
                        last = e;
                        continue;
                    }
                    ctx.remoteCwd = "~";
                    ctx.err.println("fileclient: the remote folder " + cwd + " is gone; now in ~");
                }
            }
            return attempt;
        }
        throw new ClientException(cause != null ? cause.code() : ExitCode.CONNECTION_LOST,
                (cause != null ? cause.getMessage() + "; " : "") + "could not reconnect to " + r.address() + " ("
                        + r.attempts() + " attempts): " + (last == null ? "no attempt left" : last.getMessage()));
    }

    /** The one line saying the session reconnected: {@code reconnected to HOST:PORT (attempt 1 of 3)WHAT}. */
    static String line(ClientContext ctx, int attempt) {
        Reconnector r = ctx.reconnector();
        return "reconnected to " + r.address() + " (attempt " + attempt + " of " + r.attempts() + ")";
    }

    static void notice(ClientContext ctx, int attempt, String what) {
        ctx.err.println(line(ctx, attempt) + what);
        ctx.err.flush();
    }

    /**
     * A transfer's listener that prints the pending reconnect line, with where the transfer resumes,
     * when the first transfer after the reconnect starts.
     */
    static TransferListener announcing(ClientContext ctx, String verb, TransferListener l) {
        if (ctx.pendingNotice == null) {
            return l;
        }
        return new TransferListener() {
            @Override
            public void started(String name, long start, long total) {
                String n = ctx.pendingNotice;
                if (n != null) {
                    ctx.pendingNotice = null;
                    ctx.err.println(n + "; resuming " + verb + " " + CommandTable.printable(name) + " at " + start);
                    ctx.err.flush();
                }
                l.started(name, start, total);
            }

            @Override
            public void progress(long done, long total) {
                l.progress(done, total);
            }

            @Override
            public void finished(boolean ok) {
                l.finished(ok);
            }
        };
    }
}
