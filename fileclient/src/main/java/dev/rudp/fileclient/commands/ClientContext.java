package dev.rudp.fileclient.commands;

import dev.rudp.fileclient.connection.CancelToken;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.connection.Transfers;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * What commands work with: the connection, the remote and local working folders, the output
 * streams (results on {@code out}, errors and progress on {@code err}), the cancel token set by
 * Ctrl-C, and a factory of progress displays.
 */
public final class ClientContext {
    /** Replaced after a reconnect ({@link Failover}); read on the command thread and by completion. */
    volatile FileConnection conn;
    volatile Transfers transfers;
    final String user;
    final PrintWriter out;
    final PrintWriter err;
    final CancelToken cancel = new CancelToken();
    final Supplier<TransferListener> progress;
    String remoteCwd = "~";
    Path localCwd;
    boolean exitRequested;
    private dev.rudp.fileclient.p2p.PeerClient peers;
    private volatile java.util.function.Consumer<String> announcer;
    private Path identityFile;
    private dev.rudp.fileclient.connection.Reconnector reconnector;
    /** While a command runs again after a reconnect: its transfers resume (as reget/reput). */
    boolean resumeTransfers;
    /** The reconnect line not printed yet: the first resumed transfer prints it with its offset. */
    String pendingNotice;

    public ClientContext(FileConnection conn, String user, PrintWriter out, PrintWriter err,
            Supplier<TransferListener> progress, Path localCwd) {
        this.conn = conn;
        this.transfers = conn == null ? null : new Transfers(conn);
        this.user = user;
        this.out = out;
        this.err = err;
        this.progress = progress;
        this.localCwd = localCwd.toAbsolutePath().normalize();
        if (conn != null) {
            conn.cancelWith(cancel);
        }
    }

    /** The prompt: {@code user@host:cwd> }. */
    public String prompt() {
        return user + "@" + (conn == null ? "?" : conn.host()) + ":" + remoteCwd + "> ";
    }

    /** Turns failover on: a command that loses its server reconnects with {@code r} (null: off). */
    public void reconnectWith(dev.rudp.fileclient.connection.Reconnector r) {
        this.reconnector = r;
    }

    /** See {@link #reconnectWith}; null when a lost server ends the session. */
    public dev.rudp.fileclient.connection.Reconnector reconnector() {
        return reconnector;
    }

    /**
     * Moves the session to {@code next} (logged in, working folder not restored yet): closes the old
     * connection, its transfer engine and the peer-to-peer side (an {@code accept-peers} must be given
     * again), keeping the reply timeout and the cancel token.
     */
    void replaceConnection(FileConnection next) {
        FileConnection old = conn;
        next.timeoutMillis(old.timeoutMillis());
        next.cancelWith(cancel);
        Transfers oldTransfers = transfers;
        transfers = new Transfers(next);
        conn = next;
        if (oldTransfers != null) {
            oldTransfers.close();
        }
        synchronized (this) {
            if (peers != null) {
                peers.close();
                peers = null;
            }
        }
        old.close();
    }

    /** The token Ctrl-C sets to cancel the running transfer. */
    public CancelToken cancel() {
        return cancel;
    }

    public FileConnection connection() {
        return conn;
    }

    /** The local working folder. */
    public Path localCwd() {
        return localCwd;
    }

    /** The remote working folder as the server last reported it ({@code ~} until a cd). */
    public String remoteCwd() {
        return remoteCwd;
    }

    /** Whether exit or quit was run. */
    public boolean exitRequested() {
        return exitRequested;
    }

    /** Resolves a local path against the local working folder (with ~ for the user's home). */
    Path local(String p) {
        if (p.equals("~") || p.startsWith("~/")) {
            return Path.of(System.getProperty("user.home")).resolve(p.length() > 2 ? p.substring(2) : "")
                    .normalize();
        }
        return localCwd.resolve(p).normalize();
    }

    /** Prints a batch echo line on the output stream. */
    public void echo(String line) {
        out.println(line);
        out.flush();
    }

    /** Releases the transfer engine's thread (and the peer-to-peer endpoint, if open). */
    public void close() {
        if (transfers != null) {
            transfers.close();
        }
        synchronized (this) {
            if (peers != null) {
                peers.close();
            }
        }
    }

    /** The peer-to-peer side of this session, created on first use. */
    public synchronized dev.rudp.fileclient.p2p.PeerClient peers() {
        if (peers == null) {
            peers = new dev.rudp.fileclient.p2p.PeerClient(conn);
            peers.announceWith(this::announce);
        }
        return peers;
    }

    /** Where notices from background work go (the shell: above the prompt); default the error stream. */
    public void announceWith(java.util.function.Consumer<String> sink) {
        this.announcer = sink;
    }

    /** Prints a one-line notice from background work (offers, arrivals). */
    public void announce(String line) {
        java.util.function.Consumer<String> a = announcer;
        if (a != null) {
            a.accept(CommandTable.printable(line));
        } else {
            synchronized (err) {
                err.println(CommandTable.printable(line));
                err.flush();
            }
        }
    }

    /** The private key file {@code add-key} uses by default (the client's {@code --identity}). */
    public void identityFile(Path file) {
        this.identityFile = file;
    }

    /** See {@link #identityFile(Path)}; default {@code ~/.fileclient/id_ed25519}. */
    public Path identityFile() {
        return identityFile != null ? identityFile : dev.rudp.fileclient.keys.Identity.defaultFile();
    }

    /** The stream for results. */
    public PrintWriter out() {
        return out;
    }

    /** The stream for errors and progress. */
    public PrintWriter err() {
        return err;
    }

    /** A new progress display for one transfer. */
    public TransferListener newProgress() {
        return progress.get();
    }

    /** Resolves a local path as local commands do (against the local working folder, ~ for home). */
    public Path resolveLocal(String p) {
        return local(p);
    }
}
