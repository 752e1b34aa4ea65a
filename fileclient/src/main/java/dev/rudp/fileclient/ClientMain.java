package dev.rudp.fileclient;

import dev.rudp.fileclient.batch.BatchRunner;
import dev.rudp.fileclient.commands.ClientContext;
import dev.rudp.fileclient.commands.CommandTable;
import dev.rudp.fileclient.commands.Words;
import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.KnownHosts;
import dev.rudp.fileclient.connection.Reconnector;
import dev.rudp.fileclient.connection.ServerTrust;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.progress.ProgressDisplay;
import dev.rudp.fileclient.shell.Shell;
import dev.rudp.fileserver.MachineId;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * {@code fileclient [--port P] [--user NAME] [--identity F] [--password-file F] [-q] [-b FILE | -c CMDS] HOST}.
 * A key pair ({@code --identity}, default {@code ~/.fileclient/id_ed25519} when present; made by
 * {@code fileclient keygen}) is offered first, as ssh does; when the server does not accept it, or
 * there is none, the password comes from {@code FILECLIENT_PASSWORD}, then {@code --password-file},
 * then a prompt on a terminal. Exit statuses are those of {@link ExitCode}.
 */
public final class ClientMain {
    static final String USAGE = String.join("\n",
            "usage: fileclient [--port P] [--user NAME] [-i FILE] [--password-file F] [-q] [-b FILE | -c \"CMD; CMD\"] HOST",
            "       fileclient keygen [-f FILE] [-C COMMENT] [--force]   (make a key pair; see keygen --help)",
            "  --port P           server port (default 7777)",
            "  --user NAME        account (default: your login name)",
            "  -i, --identity F   private key offered first (default ~/.fileclient/id_ed25519 if present; none: no key)",
            "  --password-file F  read the password from the first line of F (else $FILECLIENT_PASSWORD or a prompt)",
            "  -b FILE            run the commands in FILE ('-' for stdin), stop at the first failure",
            "  -c \"CMD; CMD\"      run these commands, stop at the first failure",
            "  -q                 no progress output in batch mode",
            "  --connect-timeout S  seconds to wait for the server (default 10)",
            "  --timeout S        seconds to wait for a reply or for a stalled transfer (default 60)",
            "  --reconnect N      when the server goes away mid-command, reconnect up to N times and resume",
            "                     (default 3; 0: off, the command fails as the connection did)",
            "  --known-hosts F    pinned server fingerprints (default ~/.fileclient/known_hosts)",
            "  --trust-new        pin an unknown server's fingerprint without asking",
            "  --fingerprint FP   accept only the server with this fingerprint (SHA256:...)",
            "  --plaintext        no encryption (passwords only to loopback servers; a key login works anywhere)",
            "  --no-agent         run this batch in its own process (bin/fileclient; also FILECLIENT_AGENT=0)",
            "usage: fileclient --agent-stop [--port P] [--user NAME] [trust options] HOST",
            "  (bin/fileclient runs -b/-c through a per-user agent that keeps the session open;",
            "   it logs out after FILECLIENT_AGENT_IDLE seconds idle, default 600: see fileclient/README.md)",
            "exit status: 0 ok, 1 usage, 2 protocol, 3 not found, 4 refused by server, 5 cannot connect,",
            "             6 login failed, 7 account locked, 8 server identity not trusted (unknown, changed,",
            "             wrong fingerprint), 10 connection lost, 11 local I/O, 20 interrupted,",
            "             23 partial transfer, 30 timeout");

    private ClientMain() {
    }

    public static void main(String[] args) {
        prepareJvm();
        int code = run(args, System.in, System.out, System.err, System.getenv(), null);
        System.exit(code);
    }

    /**
     * What every client JVM's main (this one, the agent's, a first command's) does first: the machine
     * id, Netty's logging set ({@link StderrLogging}), where it otherwise probes for SLF4J and two
     * Log4Js that are not on the client's class path before java.util.logging, and the transport's
     * and DTLS's set-up started on threads of their own.
     */
    public static void prepareJvm() {
        MachineId.chooseIfUnset();
        io.netty.util.internal.logging.InternalLoggerFactory.setDefaultFactory(StderrLogging.choose());
        // beside this thread's own start (arguments, keys, known hosts), on the other core: 0.03 s of a
        // one-shot command's critical path (fileclient/README.md)
        dev.rudp.NativeTransport.chooseAside();
        dev.rudp.dtls.DtlsWarmup.start();
    }

    /**
     * Runs the client. {@code terminal} is used for the shell when given (tests); otherwise a system
     * terminal is built. Returns the exit status.
     */
    public static int run(String[] argv, InputStream in, PrintStream out, PrintStream err, Map<String, String> env,
            Terminal terminal) {
        return run(argv, in, out, err, env, terminal, Path.of(""), null);
    }

    /**
     * Takes over the logged-in session a batch run ends with, instead of the run logging out: the
     * agent a first command becomes ({@link dev.rudp.fileclient.agent.FirstRun}).
     */
    @FunctionalInterface
    public interface SessionKeeper {
        /**
         * Called once a batch ended with its connection open; {@code remoteFolder} is where the batch
         * left the session's remote folder. True when it keeps the session (the run leaves it open).
         */
        boolean keep(OpenedSession session, String remoteFolder);
    }

    /**
     * {@link #run(String[], InputStream, PrintStream, PrintStream, Map, Terminal)} with a batch's local
     * paths resolved in {@code localFolder} (not the JVM's working folder), ending with {@code keeper}.
     */
    public static int run(String[] argv, InputStream in, PrintStream out, PrintStream err, Map<String, String> env,
            Terminal terminal, Path localFolder, SessionKeeper keeper) {
        PrintWriter errW = new PrintWriter(err, true);
        if (argv.length > 0 && argv[0].equals("keygen")) {
            return dev.rudp.fileclient.keys.Keygen.run(Arrays.copyOfRange(argv, 1, argv.length), out, errW);
        }
        Args a;
        try {
            a = Args.parse(argv);
        } catch (ClientException e) {
            errW.println("fileclient: " + e.getMessage());
            errW.println(USAGE);
            return ExitCode.USAGE.code();
        }
        if (a.help) {
            out.println(USAGE);
            return 0;
        }
        dev.rudp.fileclient.keys.Identity identity;
        char[] password = null;
        ServerTrust trust;
        try {
            identity = dev.rudp.fileclient.keys.KeyFirstLogin.identity(a.identity, errW);
            trust = trust(a);
            dev.rudp.fileclient.keys.KeyFirstLogin.prepare(identity, trust, a.host, a.port);
            if (a.plaintext) {
                errW.println("fileclient: WARNING: --plaintext: encryption is OFF; everything travels in the clear");
                if (identity == null) {
                    requireLoopback(a.host);
                }
            }
            // without a key the password is read before connecting, as before; with one only if it is refused
            password = identity == null ? password(a, env) : null;
        } catch (ClientException e) {
            errW.println("fileclient: " + e.getMessage());
            return e.code().code();
        }
        Future<CommandTable> table = a.batch != null || a.commands != null ? CommandTable.buildAside() : null;
        FileConnection conn;
        try {
            conn = connect(a, trust, errW, terminal);
        } catch (ClientException e) {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
            errW.println("fileclient: " + e.getMessage());
            return e.code().code();
        }
        conn.timeoutMillis(a.timeoutMillis);
        conn.waitNotices(line -> errW.println("fileclient: " + line));
        char[] early = password;
        // the password, once asked for, stays in this object (memory only) for reconnects
        dev.rudp.fileclient.keys.SessionPassword kept = new dev.rudp.fileclient.keys.SessionPassword(
                () -> early != null ? early : password(a, env));
        Session session = new Session(conn, reconnector(a, identity, kept));
        boolean handedOver = false;
        try {
            dev.rudp.fileclient.keys.KeyFirstLogin.login(conn, a.user, identity, kept);
            if (table != null) { // a batch (-b or -c)
                int code = batch(a, session, table, in, out, errW, localFolder);
                handedOver = keeper != null && session.connection.isOpen() && keeper.keep(
                        new OpenedSession(session.connection, a.user, session.reconnector), session.remoteFolder);
                return code;
            }
            return shell(a, session, in, out, terminal);
        } catch (ClientException e) {
            errW.println("fileclient: " + e.getMessage());
            return e.code().code();
        } finally {
            if (!handedOver) {
                session.connection.close();
                kept.close();
            }
        }
    }

    /**
     * A logged-in session opened for the agent: the connection, the account it runs as, and how it
     * reconnects (null with {@code --reconnect 0}).
     */
    public record OpenedSession(FileConnection connection, String user, Reconnector reconnector) {
        /** The same session on {@code next}, a connection the reconnector opened. */
        public OpenedSession on(FileConnection next) {
            return new OpenedSession(next, user, reconnector);
        }
    }

    /** The connection of an in-process run, replaced when a command reconnects. */
    private static final class Session {
        FileConnection connection;
        final Reconnector reconnector;
        /** Where the last batch left the remote folder. */
        String remoteFolder = "~";

        Session(FileConnection connection, Reconnector reconnector) {
            this.connection = connection;
            this.reconnector = reconnector;
        }
    }

    /**
     * How the session reconnects: to the same host and port, with the same trust options (the pin),
     * logging in with {@code identity} and the kept password. Null with {@code --reconnect 0}.
     */
    private static Reconnector reconnector(Args a, dev.rudp.fileclient.keys.Identity identity,
            dev.rudp.fileclient.keys.KeyFirstLogin.PasswordSource password) {
        if (a.reconnect <= 0) {
            return null;
        }
        return new Reconnector(a.host, a.port, a.reconnect,
                () -> FileConnection.connect(a.host, a.port, a.connectTimeoutMillis, null, trust(a), a.idleMillis()),
                c -> dev.rudp.fileclient.keys.KeyFirstLogin.login(c, a.user, identity, password));
    }

    /**
     * For the agent ({@link dev.rudp.fileclient.agent}): parses the connection options in {@code argv}
     * (as for a batch run: no trust prompt), asks {@code password} for the password (given the
     * prompt text; null means none, and nothing is sent) only when no key is offered or the key is
     * refused, connects and logs in.
     */
    public static OpenedSession openSession(String[] argv, java.util.function.Function<String, char[]> password)
            throws ClientException {
        Args a = Args.parse(argv);
        // the agent has no terminal: a warning about an unusable key goes to its log
        dev.rudp.fileclient.keys.Identity identity = dev.rudp.fileclient.keys.KeyFirstLogin.identity(a.identity,
                new PrintWriter(System.err, true));
        if (a.plaintext && identity == null) {
            requireLoopback(a.host);
        }
        ServerTrust trust = trust(a); // one for the resume check and the connect it decides about
        dev.rudp.fileclient.keys.KeyFirstLogin.prepare(identity, trust, a.host, a.port);
        FileConnection conn = FileConnection.connect(a.host, a.port, a.connectTimeoutMillis, null, trust,
                a.idleMillis());
        conn.timeoutMillis(a.timeoutMillis);
        conn.waitNotices(line -> System.err.println("fileclient agent: " + line)); // the agent's log
        // with a key, the password is asked for (relayed to the launcher) only if the key is refused; once
        // given it stays in the agent's memory for reconnects, as the logged-in session itself does
        dev.rudp.fileclient.keys.SessionPassword kept = new dev.rudp.fileclient.keys.SessionPassword(() -> {
            char[] pw = password.apply("password for " + a.user + "@" + a.host + ": ");
            if (pw == null) {
                throw new ClientException(ExitCode.USAGE,
                        "no password: set FILECLIENT_PASSWORD, use --password-file, or run on a terminal");
            }
            return pw;
        });
        try {
            dev.rudp.fileclient.keys.KeyFirstLogin.login(conn, a.user, identity, kept);
        } catch (ClientException e) {
            conn.close();
            kept.close();
            throw e;
        }
        return new OpenedSession(conn, a.user, reconnector(a, identity, kept));
    }

    /** The {@link ServerTrust} the options ask for. */
    static ServerTrust trust(Args a) {
        if (a.plaintext) {
            return ServerTrust.plaintext();
        }
        if (a.fingerprint != null) {
            return ServerTrust.fingerprint(a.fingerprint);
        }
        return ServerTrust.knownHosts(new KnownHosts(a.knownHosts != null ? Path.of(a.knownHosts)
                : KnownHosts.defaultFile()), a.trustNew);
    }

    /**
     * Connects. An unknown server is refused by the DTLS verifier (which runs on a handshake thread
     * and must not wait for a user); in the interactive shell the user is then asked here, on the
     * calling thread, and on "yes" the fingerprint is pinned and the client connects again, trusting
     * exactly the fingerprint that was shown.
     */
    private static FileConnection connect(Args a, ServerTrust trust, PrintWriter err, Terminal terminal)
            throws ClientException {
        try {
            return FileConnection.connect(a.host, a.port, a.connectTimeoutMillis, null, trust, a.idleMillis());
        } catch (ClientException e) {
            String fp = trust.unknownFingerprint();
            boolean interactive = a.batch == null && a.commands == null
                    && (terminal != null || System.console() != null);
            if (fp == null || !interactive) {
                throw e;
            }
            String key = KnownHosts.key(a.host, a.port);
            String question = "The authenticity of server " + key + " can't be established.\n"
                    + "Its DTLS certificate fingerprint is " + fp + ".\n"
                    + "Are you sure you want to trust it and continue connecting (yes/no)? ";
            String answer = ask(question, terminal);
            if (answer == null || !(answer.trim().equalsIgnoreCase("yes") || answer.trim().equalsIgnoreCase("y"))) {
                throw new ClientException(ExitCode.UNTRUSTED, "server " + key + " not trusted (fingerprint " + fp
                        + " not confirmed)");
            }
            try {
                trust.knownHostsFile().add(key, fp);
            } catch (IOException io) {
                throw new ClientException(ExitCode.LOCAL_IO, "cannot write " + trust.knownHostsFile().file() + ": "
                        + io.getMessage());
            }
            err.println("fileclient: pinned " + key + " " + fp + " in " + trust.knownHostsFile().file());
            return FileConnection.connect(a.host, a.port, a.connectTimeoutMillis, null, trust, a.idleMillis());
        }
    }

    /** Asks on {@code terminal} (tests, or the shell's) or else on the console; null at end of input. */
    private static String ask(String question, Terminal terminal) throws ClientException {
        if (terminal == null) {
            Console c = System.console();
            return c.readLine("%s", question);
        }
        PrintWriter w = terminal.writer();
        w.print(question);
        w.flush();
        StringBuilder b = new StringBuilder();
        try {
            org.jline.utils.NonBlockingReader r = terminal.reader();
            for (int i = 0; i < 1024; i++) {
                int c = r.read();
                if (c < 0) {
                    return b.length() == 0 ? null : b.toString();
                }
                if (c == '\n' || c == '\r') {
                    if (b.length() > 0 || c == '\n') {
                        return b.toString();
                    }
                    continue;
                }
                b.append((char) c);
            }
            return b.toString();
        } catch (IOException e) {
            throw new ClientException(ExitCode.LOCAL_IO, "cannot read the answer: " + e.getMessage());
        }
    }

    /**
     * Refuses a non-loopback host in plaintext mode before any packet is sent: the password would
     * travel in the clear.
     */
    static void requireLoopback(String host) throws ClientException {
        java.net.InetAddress[] all;
        try {
            all = java.net.InetAddress.getAllByName(host);
        } catch (java.net.UnknownHostException e) {
            throw new ClientException(ExitCode.CONNECT, "cannot resolve host: " + host);
        }
        for (java.net.InetAddress ip : all) {
            if (!ip.isLoopbackAddress()) {
                throw new ClientException(ExitCode.USAGE, "refusing to send a password in plaintext to " + host
                        + " (" + ip.getHostAddress() + " is not a loopback address); connect without --plaintext");
            }
        }
    }

    private static int batch(Args a, Session session, Future<CommandTable> table, InputStream in, PrintStream out,
            PrintWriter err, Path localFolder) throws ClientException {
        FileConnection conn = session.connection;
        Supplier<TransferListener> progress = a.quiet ? () -> TransferListener.NONE
                : () -> new ProgressDisplay(err, false, 80, System::nanoTime);
        ClientContext ctx = new ClientContext(conn, a.user, new PrintWriter(out, true), err, progress, localFolder);
        ctx.reconnectWith(session.reconnector);
        a.applyIdentity(ctx);
        BatchRunner runner = new BatchRunner(CommandTable.built(table), ctx);
        Object previous = org.jline.utils.Signals.register("INT", runner::interrupt);
        try {
            Iterator<String> lines;
            if (a.commands != null) {
                lines = Words.commands(a.commands).iterator();
            } else if (a.batch.equals("-")) {
                lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().iterator();
            } else {
                try {
                    lines = Files.readAllLines(Path.of(a.batch), StandardCharsets.UTF_8).iterator();
                } catch (IOException e) {
                    throw new ClientException(ExitCode.NOT_FOUND, "cannot read batch file " + a.batch);
                }
            }
            return runner.run(lines).code();
        } finally {
            org.jline.utils.Signals.unregister("INT", previous);
            session.connection = ctx.connection();
            session.remoteFolder = ctx.remoteCwd();
            ctx.close();
        }
    }

    private static int shell(Args a, Session session, InputStream in, OutputStream out, Terminal given)
            throws ClientException {
        FileConnection conn = session.connection;
        Terminal t = given;
        try {
            if (t == null) {
                t = TerminalBuilder.builder().name("fileclient").system(true).dumb(true).build();
            }
            Terminal term = t;
            PrintWriter w = term.writer();
            boolean bar = Shell.canRedraw(term);
            ClientContext ctx = new ClientContext(conn, a.user, w, w,
                    () -> new ProgressDisplay(w, bar, Math.max(40, term.getWidth()), System::nanoTime), Path.of(""));
            a.applyIdentity(ctx);
            ctx.reconnectWith(session.reconnector);
            try {
                w.println("connected to " + a.host + ":" + a.port + " as " + a.user
                        + (conn.fingerprint() == null ? " (PLAINTEXT, not encrypted"
                                : " (DTLS, server " + conn.fingerprint()) + "; type help, Ctrl-D to leave)");
                w.flush();
                return new Shell(term, ctx, new CommandTable(), Shell.defaultHistory()).run().code();
            } finally {
                session.connection = ctx.connection();
                ctx.close();
            }
        } catch (IOException e) {
            throw new ClientException(ExitCode.LOCAL_IO, "cannot open the terminal: " + e.getMessage());
        } finally {
            if (given == null && t != null) {
                try {
                    t.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }

    private static char[] password(Args a, Map<String, String> env) throws ClientException {
        String fromEnv = env.get("FILECLIENT_PASSWORD");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv.toCharArray();
        }
        if (a.passwordFile != null) {
            try {
                List<String> lines = Files.readAllLines(Path.of(a.passwordFile), StandardCharsets.UTF_8);
                if (lines.isEmpty() || lines.get(0).isEmpty()) {
                    throw new ClientException(ExitCode.USAGE, "empty password file: " + a.passwordFile);
                }
                return lines.get(0).toCharArray();
            } catch (IOException e) {
                throw new ClientException(ExitCode.USAGE, "cannot read password file: " + a.passwordFile);
            }
        }
        Console c = System.console();
        if (c == null) {
            throw new ClientException(ExitCode.USAGE,
                    "no password: set FILECLIENT_PASSWORD, use --password-file, or run on a terminal");
        }
        char[] pw = c.readPassword("password for %s@%s: ", a.user, a.host);
        if (pw == null) {
            throw new ClientException(ExitCode.INTERRUPTED, "no password given");
        }
        return pw;
    }

    /** The parsed command line. */
    static final class Args {
        String host;
        int port = 7777;
        String user = System.getProperty("user.name");
        String passwordFile;
        String identity;
        String batch;
        String commands;
        boolean quiet;
        boolean help;
        String knownHosts;
        String fingerprint;
        boolean trustNew;
        boolean plaintext;
        long connectTimeoutMillis = 10_000;
        long timeoutMillis = FileConnection.REPLY_TIMEOUT_MILLIS;
        int reconnect = Reconnector.DEFAULT_ATTEMPTS;

        /** The transport's idle timeout: short when reconnecting, so that a dead server costs seconds. */
        long idleMillis() {
            return reconnect > 0 ? Reconnector.IDLE_TIMEOUT_MILLIS : FileConnection.IDLE_TIMEOUT_MILLIS;
        }

        static Args parse(String[] argv) throws ClientException {
            Args a = new Args();
            for (int i = 0; i < argv.length; i++) {
                String s = argv[i];
                switch (s) {
                    case "-h", "--help" -> a.help = true;
                    case "-q" -> a.quiet = true;
                    case "--trust-new" -> a.trustNew = true;
                    case "--plaintext" -> a.plaintext = true;
                    case "--no-agent" -> {
                        // bin/fileclient's switch; in-process is what this class always does
                    }
                    case "--port", "-P", "--user", "-u", "--password-file", "-b", "-c", "--connect-timeout",
                            "--timeout", "--known-hosts", "--fingerprint", "--identity", "-i", "--reconnect" -> {
                        if (i + 1 >= argv.length) {
                            throw new ClientException(ExitCode.USAGE, s + " needs a value");
                        }
                        String v = argv[++i];
                        switch (s) {
                            case "--port", "-P" -> {
                                try {
                                    a.port = Integer.parseInt(v);
                                } catch (NumberFormatException e) {
                                    throw new ClientException(ExitCode.USAGE, "not a port: " + v);
                                }
                                if (a.port < 1 || a.port > 65535) {
                                    throw new ClientException(ExitCode.USAGE, "port out of range: " + v);
                                }
                            }
                            case "--user", "-u" -> a.user = v;
                            case "--known-hosts" -> a.knownHosts = v;
                            case "--fingerprint" -> {
                                if (!v.startsWith("SHA256:") || v.length() < 20) {
                                    throw new ClientException(ExitCode.USAGE,
                                            "--fingerprint: expected SHA256:<base64>, as fileserver fingerprint prints");
                                }
                                a.fingerprint = v;
                            }
                            case "--password-file" -> a.passwordFile = v;
                            case "--identity", "-i" -> a.identity = v;
                            case "--connect-timeout", "--timeout" -> {
                                long ms;
                                try {
                                    ms = Math.max(1, Long.parseLong(v)) * 1000;
                                } catch (NumberFormatException e) {
                                    throw new ClientException(ExitCode.USAGE, "not a number of seconds: " + v);
                                }
                                if (s.equals("--timeout")) {
                                    a.timeoutMillis = ms;
                                } else {
                                    a.connectTimeoutMillis = ms;
                                }
                            }
                            case "--reconnect" -> {
                                try {
                                    a.reconnect = Integer.parseInt(v);
                                } catch (NumberFormatException e) {
                                    a.reconnect = -1;
                                }
                                if (a.reconnect < 0 || a.reconnect > 100) {
                                    throw new ClientException(ExitCode.USAGE,
                                            "--reconnect: expected a number of attempts from 0 to 100: " + v);
                                }
                            }
                            case "-b" -> a.batch = v;
                            default -> a.commands = v;
                        }
                    }
                    default -> {
                        if (s.startsWith("-")) {
                            throw new ClientException(ExitCode.USAGE, "unknown option: " + s);
                        }
                        if (a.host != null) {
                            throw new ClientException(ExitCode.USAGE, "unexpected argument: " + s);
                        }
                        a.host = s;
                    }
                }
            }
            if (a.help) {
                return a;
            }
            if (a.host == null) {
                throw new ClientException(ExitCode.USAGE, "missing HOST");
            }
            if (a.batch != null && a.commands != null) {
                throw new ClientException(ExitCode.USAGE, "use either -b or -c, not both");
            }
            if (a.plaintext && (a.fingerprint != null || a.trustNew)) {
                throw new ClientException(ExitCode.USAGE, "--plaintext has no server identity to check;"
                        + " drop --fingerprint/--trust-new");
            }
            return a;
        }

        /** Makes {@code add-key} default to the {@code --identity} file. */
        void applyIdentity(ClientContext ctx) {
            if (identity != null && !identity.equals(dev.rudp.fileclient.keys.KeyFirstLogin.NONE)) {
                ctx.identityFile(Path.of(identity));
            }
        }
    }
}
