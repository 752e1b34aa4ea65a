package dev.rudp.fileclient.agent;

import dev.rudp.fileclient.commands.Words;
import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.File;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The light front of {@code bin/fileclient} for batch runs: finds (or starts) the agent for this
 * session, hands it the batch, relays its output, prompts and exit status. Loads none of Netty,
 * BouncyCastle or JLine. When it cannot use an agent it exits with {@link #IN_PROCESS} before
 * reading any input, and {@code bin/fileclient} runs the client in-process as it always did.
 */
public final class Launcher {
    /** Exit status asking bin/fileclient to run the command in-process instead. */
    public static final int IN_PROCESS = 125;

    /** How an agent gets started; tests start one in their own JVM. */
    @FunctionalInterface
    public interface Spawner {
        /** Starts an agent serving {@code socket}; true once it answers there. */
        boolean spawn(Path socket, Path log, String key, List<String> sessionArgv) throws IOException;
    }

    private final Map<String, String> env;
    private final InputStream in;
    private final OutputStream out;
    private final OutputStream err;
    private final Path cwd;
    private final String ttys;
    private final Spawner spawner;
    private volatile SocketChannel active;
    private volatile boolean started;

    /**
     * {@code ttys} says which of stdin, stdout, stderr are terminals ({@code i}, {@code o}, {@code e});
     * bin/fileclient learns it with {@code test -t}, which Java 17 cannot do per stream.
     */
    public Launcher(Map<String, String> env, InputStream in, OutputStream out, OutputStream err, Path cwd,
            String ttys, Spawner spawner) {
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
        this.cwd = cwd.toAbsolutePath();
        this.ttys = ttys == null ? "" : ttys;
        this.spawner = spawner;
    }

    public static void main(String[] args) {
        // The JDK's UNIX-domain sockets seed a SecureRandom when first used (the JCA's provider list, 0.01 s
        // in the interpreter): on a thread of its own, beside the arguments, the agent folder and the key.
        Thread sockets = new Thread("fileclient-launcher-sockets") {
            @Override
            public void run() {
                try {
                    SocketChannel.open(StandardProtocolFamily.UNIX).close();
                } catch (IOException | RuntimeException e) {
                    // connect meets it again and says so
                }
            }
        };
        sockets.setDaemon(true);
        sockets.start();
        Launcher l = new Launcher(System.getenv(), System.in, new FileOutputStream(FileDescriptor.out),
                new FileOutputStream(FileDescriptor.err), Path.of(""), System.getProperty("fileclient.tty", ""),
                Launcher::spawnProcess);
        l.onInterrupt();
        System.exit(l.run(args));
    }

    /** Runs {@code argv}; the exit status, or {@link #IN_PROCESS}. */
    public int run(String[] argv) {
        LaunchArgs a = LaunchArgs.parse(argv);
        if (a == null || !(a.agentStop || a.agentMayRun(env, ttys, cwd))) {
            return IN_PROCESS;
        }
        AgentDir dir;
        try {
            dir = AgentDir.open(AgentDir.location(env));
        } catch (IOException e) {
            say("fileclient: agent not used: " + e.getMessage());
            return a.agentStop ? 1 : IN_PROCESS;
        }
        String key = a.key(cwd, build());
        Path sock = dir.socket(key);
        if (a.agentStop) {
            return stop(sock, a);
        }
        SocketChannel ch = connect(sock);
        if (ch == null) {
            try {
                if (!spawner.spawn(sock, dir.log(key), key, a.sessionArgv(cwd))) {
                    say("fileclient: the agent did not start (see " + dir.log(key) + "); running without it");
                    return IN_PROCESS;
                }
            } catch (IOException e) {
                say("fileclient: cannot start the agent: " + e.getMessage() + "; running without it");
                return IN_PROCESS;
            }
            ch = connect(sock);
            if (ch == null) {
                say("fileclient: the agent does not answer on " + sock + "; running without it");
                return IN_PROCESS;
            }
        }
        try (SocketChannel c = ch) {
            return converse(c, a, key);
        }  catch (IOException e) {
            if (!started) {
                say("fileclient: agent error (" + e.getMessage() + "); running without it");
                return IN_PROCESS;
            }
            say("fileclient: lost the agent during the command: " + e.getMessage() + " (see " + dir.log(key) + ")");
            return 10;
        }
    }

    private int converse(SocketChannel ch, LaunchArgs a, String key) throws IOException {
        int width = 80;
        try {
            width = Integer.parseInt(env.getOrDefault("COLUMNS", "80"));
        } catch (NumberFormatException e) {
            // keep 80
        }
        AgentProtocol.write(ch, AgentProtocol.REQUEST, new AgentProtocol.Request(key, cwd.toString(), ttys.contains("o"),
                ttys.contains("e"), a.quiet, width, a.timeoutMillis).encode());
        AgentProtocol.Frame f = AgentProtocol.read(ch);
        if (f == null || f.type() == AgentProtocol.BUSY) {
            say("fileclient: " + (f == null ? "the agent closed the connection" : AgentProtocol.strOf(f.payload()))
                    + "; running this command in its own process");
            return IN_PROCESS;
        }
        if (f.type() != AgentProtocol.READY) {
            throw new IOException("unexpected agent frame " + f.type());
        }
        List<String> lines = lines(a);
        if (lines == null) {
            return IN_PROCESS;
        }
        if (a.plaintext) {
            say("fileclient: WARNING: --plaintext: encryption is OFF; everything travels in the clear");
        }
        active = ch;
        AgentProtocol.write(ch, AgentProtocol.LINES, AgentProtocol.lines(lines));
        started = true;
        while (true) {
            f = AgentProtocol.read(ch);
            if (f == null) {
                throw new IOException("the agent closed the connection");
            }
            switch (f.type()) {
                case AgentProtocol.OUT -> relay(out, f.payload());
                case AgentProtocol.ERR -> relay(err, f.payload());
                case AgentProtocol.PROMPT -> {
                    AgentProtocol.Reader r = new AgentProtocol.Reader(java.nio.ByteBuffer.wrap(f.payload()));
                    int kind = r.u8();
                    char[] answer = answer(kind, r.str(), a);
                    byte[] payload = AgentProtocol.answer(answer);
                    try {
                        AgentProtocol.write(ch, AgentProtocol.ANSWER, payload);
                    } finally {
                        Arrays.fill(payload, (byte) 0);
                        if (answer != null) {
                            Arrays.fill(answer, '\0');
                        }
                    }
                }
                case AgentProtocol.EXIT -> {
                    return java.nio.ByteBuffer.wrap(f.payload()).getInt();
                }
                default -> throw new IOException("unexpected agent frame " + f.type());
            }
        }
    }

    /** Copies output; a closed stdout (| head) is ignored as the in-process client's PrintWriter ignores it. */
    private static void relay(OutputStream to, byte[] bytes) {
        try {
            to.write(bytes);
            to.flush();
        } catch (IOException e) {
            // the reader went away; the batch goes on, as in-process
        }
    }

    /** The batch: -c split as ClientMain splits it, or the -b file or stdin. */
    private List<String> lines(LaunchArgs a) throws IOException {
        if (a.commands != null) {
            return Words.commands(a.commands);
        }
        if (a.batch.equals("-")) {
            return Words.lines(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        try {
            return Words.lines(Files.readString(cwd.resolve(a.batch), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Answers a prompt relayed from the agent: a password from FILECLIENT_PASSWORD, else the
     * password file, else the terminal without echo; a question on the terminal. Null when there is
     * no way to answer.
     */
    private char[] answer(int kind, String text, LaunchArgs a) throws IOException {
        if (kind == AgentProtocol.PROMPT_PASSWORD) {
            String fromEnv = env.get("FILECLIENT_PASSWORD");
            if (fromEnv != null && !fromEnv.isEmpty()) {
                return fromEnv.toCharArray();
            }
            if (a.passwordFile != null) {
                List<String> l = Files.readAllLines(cwd.resolve(a.passwordFile), StandardCharsets.UTF_8);
                return l.isEmpty() || l.get(0).isEmpty() ? null : l.get(0).toCharArray();
            }
        }
        Console c = System.console();
        if (c == null || !ttys.contains("i")) {
            return null;
        }
        if (kind == AgentProtocol.PROMPT_PASSWORD) {
            return c.readPassword("%s", text);
        }
        String line = c.readLine("%s", text);
        return line == null ? null : line.toCharArray();
    }

    /** Ctrl-C: asks the agent to stop the batch (it answers EXIT 20); before the batch started, or a second time, leaves at once. */
    public void cancel() {
        SocketChannel ch = active;
        if (ch == null || !started) {
            return;
        }
        try {
            AgentProtocol.write(ch, AgentProtocol.CANCEL, new byte[0]);
        } catch (IOException e) {
            // the agent is gone: the relay loop ends with its own message
        }
    }

    @SuppressWarnings("restriction")
    private void onInterrupt() {
        int[] count = {0};
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> {
            if (!started || ++count[0] > 1) {
                System.exit(20); // runs Console's hook that turns echo back on
            }
            cancel();
        });
    }

    private int stop(Path sock, LaunchArgs a) {
        String who = a.user + "@" + a.host + ":" + a.port;
        SocketChannel ch = connect(sock);
        if (ch == null) {
            say("fileclient: no agent running for " + who);
            return 0;
        }
        try (ch) {
            AgentProtocol.write(ch, AgentProtocol.STOP, new byte[0]);
            AgentProtocol.Frame f = AgentProtocol.read(ch);
            if (f == null || f.type() != AgentProtocol.EXIT) {
                throw new IOException("no answer");
            }
            say("fileclient: agent for " + who + " stopped");
            return 0;
        } catch (IOException e) {
            say("fileclient: could not stop the agent for " + who + ": " + e.getMessage());
            return 1;
        }
    }

    private static SocketChannel connect(Path sock) {
        if (!Files.exists(sock)) {
            return null;
        }
        try {
            return SocketChannel.open(UnixDomainSocketAddress.of(sock));
        } catch (IOException e) {
            return null; // stale: the agent that made it is gone; a new one replaces it
        }
    }

    private void say(String line) {
        try {
            err.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            err.flush();
        } catch (IOException e) {
            // stderr closed: nothing to tell
        }
    }

    /** Identifies the client build, so a rebuilt jar never talks to an agent running older code. */
    static String build() {
        try {
            Path p = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) ? p + ":" + Files.getLastModifiedTime(p).toMillis() + ":" + Files.size(p)
                    : p.toString();
        } catch (Exception e) {
            return "unknown";
        }
    }

    /**
     * Starts the agent as its own detached JVM: setsid (when present) gives it no controlling
     * terminal, stdin is /dev/null, stdout is a pipe that says "ready", stderr appends to its log
     * (0600). The environment loses FILECLIENT_PASSWORD: secrets only ever cross the socket.
     *
     * <p>With setsid the agent is not this JVM's child: sh starts it in a session of its own
     * ({@code setsid --fork}) and ends as soon as it said "ready" ({@code head -n 1}), or at once if it
     * died first. Otherwise a thread of this JVM would sit in waitpid for the agent's whole life, and
     * JDK 17 holds its exit back by 0.3 s while any thread is in native code: a third of a first
     * command's time. The agent's command line reaches it as sh's positional parameters, which the
     * shell never parses.
     */
    public static boolean spawnProcess(Path socket, Path log, String key, List<String> sessionArgv) throws IOException {
        AgentDir.readyLog(log);
        List<String> cmd = new ArrayList<>();
        for (String s : new String[] {"/usr/bin/setsid", "/bin/setsid"}) {
            if (Files.isExecutable(Path.of(s))) {
                if (Files.isExecutable(Path.of("/bin/sh"))) {
                    cmd.addAll(List.of("/bin/sh", "-c", "\"$0\" --fork \"$@\" | head -n 1", s));
                } else {
                    cmd.add(s);
                }
                break;
            }
        }
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                "java").toString()));
        for (String o : System.getProperty("fileclient.agent.jvm", "").trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Agent.class.getName(), "--socket",
                socket.toString(), "--key", key));
        String idle = System.getenv("FILECLIENT_AGENT_IDLE");
        if (idle != null && idle.matches("\\d+")) {
            cmd.addAll(List.of("--idle-seconds", idle));
        }
        cmd.add("--");
        cmd.addAll(sessionArgv);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(socket.getParent().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().remove("FILECLIENT_PASSWORD");
        Process p = pb.start();
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try (InputStream s = p.getInputStream()) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                s.transferTo(b);
                return b.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        try {
            return ready.get(30, TimeUnit.SECONDS).startsWith("ready");
        } catch (Exception e) {
            return false;
        }
    }
}
