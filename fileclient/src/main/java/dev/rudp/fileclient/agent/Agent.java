package dev.rudp.fileclient.agent;

import dev.rudp.fileclient.ClientMain;
import dev.rudp.fileclient.batch.BatchRunner;
import dev.rudp.fileclient.commands.ClientContext;
import dev.rudp.fileclient.commands.Command;
import dev.rudp.fileclient.commands.CommandTable;
import dev.rudp.fileclient.commands.Words;
import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.progress.ProgressDisplay;
import dev.rudp.fileserver.protocol.Op;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The agent: one logged-in session to one server, serving batches from launchers on a UNIX domain
 * socket, one at a time. Runs until idle for {@code idleMillis}, until its server session ends, or
 * until a STOP; then it closes the session and removes its socket.
 *
 * <p>Why one batch at a time: the server keeps the remote working folder per session (a {@code cd}
 * in one batch would move another's), and the client's connection has one cancel token; the server
 * does run transfers of one session concurrently, but two batches sharing a folder state would not
 * be what two separate {@code fileclient} runs do. A launcher that finds the agent busy is told so
 * (BUSY) before it reads any input and runs its batch in its own process instead, as without agent.
 *
 * <p>Each batch gets a fresh {@link ClientContext} on the launcher's working folder and streams (no
 * {@code lcd} survives a batch), and the remote folder is put back to {@code ~} after a batch that
 * changed it, so every run starts where a new {@code fileclient} would.
 */
public final class Agent {
    /** Default idle time before the agent logs out and exits: 10 minutes, like a typical ControlPersist. */
    public static final long DEFAULT_IDLE_MILLIS = 600_000;

    /** The idle time {@code seconds} (FILECLIENT_AGENT_IDLE) asks for, at least 1 s; the default when not a count. */
    static long idleMillis(String seconds) {
        return seconds != null && seconds.matches("\\d{1,9}") ? Math.max(1, Long.parseLong(seconds)) * 1000
                : DEFAULT_IDLE_MILLIS;
    }

    /** Agent states; {@link #transitionTo} checks the allowed moves. */
    enum State { IDLE, RUNNING, STOPPED }

    private final Path socket;
    private final String key;
    private final String[] sessionArgv;
    private final long idleMillis;
    private final ServerSocketChannel server;
    private final ScheduledExecutorService timer;
    private final CompletableFuture<String> stopped = new CompletableFuture<>();
    private final Object lock = new Object();
    private State state = State.IDLE;
    private long lastUsedNanos = System.nanoTime();
    private ClientMain.OpenedSession session;
    private BatchRunner running;

    private Agent(Path socket, String key, String[] sessionArgv, long idleMillis, ServerSocketChannel server) {
        this.socket = socket;
        this.key = key;
        this.sessionArgv = sessionArgv.clone();
        this.idleMillis = idleMillis;
        this.server = server;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fileclient-agent-timer");
            t.setDaemon(true);
            return t;
        });
    }

    private void transitionTo(State next) {
        boolean allowed = switch (state) {
            case IDLE -> next == State.RUNNING || next == State.STOPPED;
            case RUNNING -> next == State.IDLE || next == State.STOPPED;
            case STOPPED -> false;
        };
        if (!allowed) {
            throw new IllegalStateException("agent " + state + " -> " + next);
        }
        state = next;
    }

    /**
     * {@code Agent --socket PATH --key KEY [--idle-seconds N] -- SESSION-ARGS...}: binds, prints {@code ready}
     * on stdout and closes it (the launcher waits for that line), then serves until stopped.
     * SESSION-ARGS are fileclient's connection options and HOST, never a secret.
     */
    public static void main(String[] args) throws Exception {
        ClientMain.prepareJvm();
        Path sock = null;
        String key = null;
        long idle = DEFAULT_IDLE_MILLIS;
        int i = 0;
        for (; i < args.length && !args[i].equals("--"); i++) {
            if (args[i].equals("--socket") && i + 1 < args.length) {
                sock = Path.of(args[++i]);
            } else if (args[i].equals("--key") && i + 1 < args.length) {
                key = args[++i];
            } else if (args[i].equals("--idle-seconds") && i + 1 < args.length) {
                idle = idleMillis(args[++i]);
            } else {
                throw new IllegalArgumentException("agent: unexpected argument " + args[i]);
            }
        }
        if (sock == null || key == null || i >= args.length) {
            throw new IllegalArgumentException("usage: Agent --socket PATH --key KEY [--idle-seconds N] -- SESSION-ARGS");
        }
        ignoreTerminalSignals();
        Agent a = start(sock, key, Arrays.copyOfRange(args, i + 1, args.length), idle);
        PrintStream ready = System.out;
        ready.println("ready");
        ready.flush();
        // the launcher reads stdout up to its end: closing it says "ready" for sure, and later output goes to the log
        System.setOut(System.err);
        ready.close();
        if (a == null) {
            log("another agent already serves " + sock + "; leaving");
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> a.stop("terminated")));
        log("stopped: " + a.stopped().get());
        System.exit(0);
    }

    /**
     * Binds {@code socket} (mode 0600) and starts serving; null when a live agent already answers
     * there. A socket file whose agent is gone is removed first.
     */
    public static Agent start(Path socket, String key, String[] sessionArgv, long idleMillis) throws IOException {
        return start(socket, key, sessionArgv, idleMillis, null);
    }

    /**
     * {@link #start(Path, String, String[], long)} holding {@code session} from the first: a first
     * command's own logged-in session ({@link FirstRun}).
     */
    static Agent start(Path socket, String key, String[] sessionArgv, long idleMillis,
            ClientMain.OpenedSession session) throws IOException {
        ServerSocketChannel ssc = bind(socket);
        if (ssc == null) {
            return null;
        }
        Agent a = new Agent(socket, key, sessionArgv, idleMillis, ssc);
        a.session = session;
        Thread acceptor = new Thread(a::acceptLoop, "fileclient-agent-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        a.scheduleCheck();
        log("serving on " + socket + ", idle timeout " + idleMillis / 1000 + " s, pid " + ProcessHandle.current().pid());
        return a;
    }

    /** Completes with the reason once the agent has stopped and removed its socket. */
    public CompletableFuture<String> stopped() {
        return stopped;
    }

    /** Whether it holds a logged-in session now. */
    public boolean hasSession() {
        synchronized (lock) {
            return session != null;
        }
    }

    private static ServerSocketChannel bind(Path socket) throws IOException {
        UnixDomainSocketAddress addr = UnixDomainSocketAddress.of(socket);
        for (int attempt = 0; ; attempt++) {
            ServerSocketChannel ssc = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ssc.bind(addr);
                Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
                return ssc;
            } catch (IOException e) {
                ssc.close();
                if (!Files.exists(socket) || attempt >= 2) {
                    throw e;
                }
                if (answers(socket)) {
                    return null;
                }
                log("removing stale socket " + socket + " (its agent is gone)");
                Files.deleteIfExists(socket);
            }
        }
    }

    /** Whether an agent accepts connections on {@code socket}. */
    static boolean answers(Path socket) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                if (server.isOpen()) {
                    log("accept failed: " + e);
                }
                return;
            }
            Thread t = new Thread(() -> serve(ch), "fileclient-agent-client");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(SocketChannel ch) {
        try (ch) {
            AgentProtocol.Frame f = AgentProtocol.read(ch);
            if (f == null) {
                return;
            }
            if (f.type() == AgentProtocol.STOP) {
                // the EXIT goes out before stopped() completes: the JVM's main thread waits on it and
                // exits at once, which could otherwise close this socket first (the launcher then
                // reported "no answer" and exit 1 for an agent that did stop; a CI run of 2026-12-06)
                String why = "stopped by fileclient --agent-stop";
                boolean first = shutDown(why);
                try {
                    AgentProtocol.write(ch, AgentProtocol.EXIT, AgentProtocol.u32(0));
                } finally {
                    if (first) {
                        stopped.complete(why);
                    }
                }
                return;
            }
            if (f.type() != AgentProtocol.REQUEST) {
                throw new IOException("expected REQUEST, got frame type " + f.type());
            }
            AgentProtocol.Request req;
            try {
                req = AgentProtocol.Request.decode(f.payload());
            } catch (IOException e) {
                AgentProtocol.write(ch, AgentProtocol.BUSY, AgentProtocol.str(e.getMessage()));
                return;
            }
            String refusal = req.key().equals(key) ? claim() : "this agent serves another session";
            if (refusal != null) {
                AgentProtocol.write(ch, AgentProtocol.BUSY, AgentProtocol.str(refusal));
                return;
            }
            int status = ExitCode.INTERRUPTED.code();
            boolean released = false;
            try {
                AgentProtocol.write(ch, AgentProtocol.READY, new byte[0]);
                AgentProtocol.Frame lf = AgentProtocol.read(ch);
                if (lf == null || lf.type() != AgentProtocol.LINES) {
                    return;
                }
                status = run(ch, req, AgentProtocol.linesOf(lf.payload()));
                // free before EXIT, so a launcher that starts right after this one finds the agent idle
                released = true;
                release(status);
                AgentProtocol.write(ch, AgentProtocol.EXIT, AgentProtocol.u32(status));
            } finally {
                if (!released) {
                    release(status);
                }
            }
        } catch (IOException e) {
            log("launcher connection failed: " + e.getMessage());
        }
    }

    /** Takes the agent for one batch; the reason it cannot, or null. */
    private String claim() {
        synchronized (lock) {
            if (state == State.RUNNING) {
                return "the agent is running another command";
            }
            if (state == State.STOPPED) {
                return "the agent is stopping";
            }
            if (ended(session)) {
                // stopped by the timer's next check (never from here: stop takes this lock's state to STOPPED)
                return "the agent's server session ended";
            }
            transitionTo(State.RUNNING);
            return null;
        }
    }

    private void release(int status) {
        String end = null;
        synchronized (lock) {
            lastUsedNanos = System.nanoTime();
            running = null;
            if (state == State.RUNNING) {
                transitionTo(State.IDLE);
                if (session == null) {
                    end = "no session (login did not complete)";
                } else if (ended(session)) {
                    end = "server session ended";
                }
            }
        }
        log("batch done, exit " + status);
        if (end != null) {
            // without a session there is nothing to keep warm for: the next launcher starts afresh
            stop(end);
        }
    }

    /** Runs one batch on the session (logging in first, with prompts relayed to the launcher). */
    private int run(SocketChannel ch, AgentProtocol.Request req, List<String> lines) {
        PrintWriter out = writer(ch, AgentProtocol.OUT);
        PrintWriter err = writer(ch, AgentProtocol.ERR);
        try {
            ClientMain.OpenedSession s;
            synchronized (lock) {
                s = session;
            }
            if (s == null) {
                try {
                    s = ClientMain.openSession(sessionArgv, text -> ask(ch, AgentProtocol.PROMPT_PASSWORD, text));
                } catch (ClientException e) {
                    err.println("fileclient: " + e.getMessage());
                    return e.code().code();
                }
                synchronized (lock) {
                    session = s;
                }
                log("logged in as " + s.user() + " to " + s.connection().host());
            }
            s.connection().timeoutMillis(req.timeoutMillis());
            Supplier<TransferListener> progress = req.quiet() ? () -> TransferListener.NONE
                    : () -> new ProgressDisplay(err, false, Math.max(40, req.width()), System::nanoTime);
            ClientContext ctx = new ClientContext(s.connection(), s.user(), out, err, progress, Path.of(req.cwd()));
            ctx.reconnectWith(s.reconnector());
            BatchRunner runner = new BatchRunner(new CommandTable(), ctx);
            synchronized (lock) {
                running = runner;
            }
            Thread canceller = new Thread(() -> watchForCancel(ch, runner), "fileclient-agent-cancel");
            canceller.setDaemon(true);
            canceller.start();
            try {
                return runner.run(lines.iterator()).code();
            } finally {
                // the canceller ends when this connection closes after EXIT (never interrupted: that
                // would close the channel under the EXIT frame)
                homeAgain(ctx, lines);
                if (ctx.connection() != s.connection()) {
                    // the batch reconnected: the session lives on on the new connection
                    synchronized (lock) {
                        session = s.on(ctx.connection());
                    }
                    log("reconnected to " + s.reconnector().address());
                }
                ctx.close();
            }
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** CANCEL (Ctrl-C in the launcher) or the launcher going away stops the batch, as Ctrl-C does in-process. */
    private static void watchForCancel(SocketChannel ch, BatchRunner runner) {
        try {
            AgentProtocol.Frame f;
            while ((f = AgentProtocol.read(ch)) != null) {
                if (f.type() == AgentProtocol.CANCEL) {
                    runner.interrupt();
                }
            }
            runner.interrupt();
        } catch (IOException e) {
            // closed by the agent at the end of the batch (nothing to cancel), or the launcher died
            if (ch.isOpen()) {
                runner.interrupt();
            }
        }
    }

    /** Puts the session's remote folder back to {@code ~} after a batch that may have moved it. */
    private static void homeAgain(ClientContext ctx, List<String> lines) {
        boolean cd = !"~".equals(ctx.remoteCwd());
        CommandTable table = new CommandTable();
        for (String line : lines) {
            List<String> w = Words.split(line.replaceFirst("^[-@\\s]+", ""));
            Command c = w == null || w.isEmpty() ? null : table.find(w.get(0));
            cd |= c != null && c.name().equals("cd");
        }
        if (cd && ctx.connection().isOpen()) {
            try {
                ctx.connection().call(Op.CD, List.of("~"));
            } catch (ClientException e) {
                log("could not return to ~ after the batch: " + e.getMessage());
            }
        }
    }

    /** Relays a prompt to the launcher; its answer, or null (no terminal there, Ctrl-C, or gone). */
    private static char[] ask(SocketChannel ch, int kind, String text) {
        try {
            AgentProtocol.write(ch, AgentProtocol.PROMPT, AgentProtocol.prompt(kind, text));
            AgentProtocol.Frame f = AgentProtocol.read(ch);
            if (f == null || f.type() != AgentProtocol.ANSWER) {
                return null;
            }
            return AgentProtocol.answerOf(f.payload());
        } catch (IOException e) {
            return null;
        }
    }

    private static PrintWriter writer(SocketChannel ch, int type) {
        OutputStream frames = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len > 0) {
                    AgentProtocol.write(ch, type, b, off, len);
                }
            }
        };
        return new PrintWriter(new OutputStreamWriter(new BufferedOutputStream(frames, 1 << 15),
                StandardCharsets.UTF_8), true);
    }

    private void scheduleCheck() {
        long period = Math.max(20, Math.min(idleMillis / 4, 2_000));
        timer.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Whether {@code s}'s server session is over for good: its connection closed and it does not
     * reconnect (with {@code --reconnect} the next batch reconnects first, so the agent stays).
     */
    private static boolean ended(ClientMain.OpenedSession s) {
        return s != null && !s.connection().isOpen() && s.reconnector() == null;
    }

    private void check() {
        String why = null;
        synchronized (lock) {
            if (state != State.IDLE) {
                return;
            }
            if (ended(session)) {
                why = "server session ended";
            } else if (System.nanoTime() - lastUsedNanos >= TimeUnit.MILLISECONDS.toNanos(idleMillis)) {
                why = "idle for " + idleMillis / 1000 + " s";
            }
        }
        if (why != null) {
            stop(why);
        }
    }

    /**
     * Stops: cancels a running batch, closes the session (the server logs the disconnect), removes
     * the socket. Idempotent.
     */
    public void stop(String why) {
        if (shutDown(why)) {
            stopped.complete(why);
        }
    }

    /** What {@link #stop} does but completing {@link #stopped()}; false when already stopped. */
    private boolean shutDown(String why) {
        ClientMain.OpenedSession s;
        synchronized (lock) {
            if (state == State.STOPPED) {
                return false;
            }
            if (running != null) {
                running.interrupt();
            }
            transitionTo(State.STOPPED);
            s = session;
            session = null;
        }
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            log("cannot remove " + socket + ": " + e.getMessage());
        }
        if (s != null) {
            s.connection().close();
        }
        timer.shutdown();
        log("stopping: " + why);
        return true;
    }

    static void log(String line) {
        System.err.println(Instant.now() + " agent: " + line);
    }

    /**
     * A terminal's Ctrl-C or hang-up must not reach the agent (started with setsid it has no terminal;
     * without setsid it would share the launcher's process group). sun.misc.Signal is the JDK's
     * supported way (module jdk.unsupported).
     */
    @SuppressWarnings("restriction")
    static void ignoreTerminalSignals() {
        for (String sig : new String[] {"INT", "HUP"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(sig), sun.misc.SignalHandler.SIG_IGN);
            } catch (IllegalArgumentException e) {
                // not on this platform
            }
        }
    }
}
