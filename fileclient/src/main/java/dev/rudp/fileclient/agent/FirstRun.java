package dev.rudp.fileclient.agent;

import dev.rudp.fileclient.ClientMain;
import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileserver.protocol.Op;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * A batch command run when no agent serves its session yet, in the JVM that then stays behind as that
 * session's agent, as ssh's first connection becomes the master with {@code ControlMaster=auto} and
 * {@code ControlPersist}. bin/fileclient starts it instead of the launcher when the agent folder holds
 * no socket at all (its guess, made without a JVM). Without it a first command paid for two new JVMs
 * in a row, the launcher's and the agent's (0.7 s instead of 0.5 for an {@code ls}); now it pays for one, and
 * the agent it leaves has its code compiled by that command and its session logged in.
 *
 * <p>The batch runs exactly as {@code --no-agent} runs it (the user's own streams, terminal prompts,
 * Ctrl-C). If an agent may serve this command line (the launcher's rules) and the session is still
 * up at the end, this JVM lets go of the user's streams (closing {@code System.in}, {@code out} and
 * {@code err} makes the JDK point descriptors 0-2 at /dev/null, so a pipe reading the output sees its
 * end), logs to the agent's log, ignores the terminal's Ctrl-C and hang-up, and serves on the agent's
 * socket; when another agent already serves there it closes the session and exits instead. A process
 * that goes on running cannot be waited for, so the exit status reaches bin/fileclient as one line
 * written to the FIFO named by {@code -Dfileclient.status}. FILECLIENT_PASSWORD is not in its
 * environment: bin/fileclient hands it over on the FIFO named by {@code -Dfileclient.passwordFifo}.
 */
public final class FirstRun {
    private FirstRun() {
    }

    public static void main(String[] argv) throws Exception {
        ClientMain.prepareJvm();
        Map<String, String> env;
        try {
            env = withPassword(System.getenv(), System.getProperty("fileclient.passwordFifo", ""));
        } catch (IOException e) {
            System.err.println("fileclient: cannot read FILECLIENT_PASSWORD from bin/fileclient: " + e.getMessage());
            System.exit(1); // bin/fileclient sees this JVM end and exits with its status
            return;
        }
        Path cwd = userFolder();
        String[] args = LaunchArgs.withPathsIn(argv, cwd);
        LaunchArgs a = LaunchArgs.parse(args);
        FileChannel status = statusChannel(System.getProperty("fileclient.status", ""));
        // started by hand (no FIFO to say the status on) it runs as --no-agent would
        boolean mayStay = a != null && status != null
                && a.agentMayRun(env, System.getProperty("fileclient.tty", ""), cwd);
        ClientMain.OpenedSession[] kept = {null};
        int code = ClientMain.run(args, System.in, System.out, System.err, env, null, cwd, !mayStay ? null
                : (session, folder) -> {
                    // every batch an agent runs starts in ~, as a new fileclient's would
                    if (!"~".equals(folder)) {
                        try {
                            session.connection().call(Op.CD, List.of("~"));
                        } catch (ClientException e) {
                            return false;
                        }
                    }
                    kept[0] = session;
                    return true;
                });
        System.out.flush();
        System.err.flush();
        if (status == null && code == 0 && Boolean.getBoolean("fileclient.archiving")) {
            loadAgentClasses();
        }
        Agent agent = kept[0] == null ? null : become(a, cwd, env, kept[0]);
        if (!report(status, code)) {
            if (agent != null) {
                agent.stop("bin/fileclient could not be told the exit status"); // it sees this JVM end instead
            }
            System.exit(code);
        }
        if (agent == null) {
            System.exit(code);
        }
        Agent.log("stopped: " + agent.stopped().get());
        System.exit(0);
    }

    /**
     * Loads what {@link #become} loads, for the class-data archive that bin/fileclient records with a
     * run of this class that does not stay ({@code -Dfileclient.archiving}): a later first command that
     * becomes the agent then maps these classes instead of reading and verifying them from the jar
     * while the user waits for its status (about half of become's 13 ms). And the few classes such a
     * command needs that this run did not load (below).
     */
    private static void loadAgentClasses() {
        // this package's own by class literal (a rename is a compile error here, not a silent miss); and
        // what a later first command loads that this one did not: the keeper it stays with, a listing's
        // entries (this run's folder may have been empty), and the part of a resumed handshake a full
        // one leaves out (BouncyCastle's retransmission of the client's last flight, by name below).
        // Each one read from its jar instead cost that command 1-7 ms (the first opens the jar).
        List.of(Agent.class, Agent.State.class, AgentDir.class, Launcher.class, AgentProtocol.class,
                AgentProtocol.Frame.class, ClientMain.SessionKeeper.class,
                dev.rudp.fileserver.protocol.FileEntry.class);
        for (String name : List.of("org.bouncycastle.tls.DTLSReliableHandshake$1",
                "java.net.UnixDomainSocketAddress", "java.nio.channels.ServerSocketChannel",
                "sun.nio.ch.UnixDomainSockets", "sun.nio.ch.UnixDomainSocketsUtil", "sun.nio.ch.ServerSocketChannelImpl",
                "java.util.concurrent.ScheduledThreadPoolExecutor",
                "java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask",
                "sun.nio.fs.UnixUserPrincipals", "sun.nio.fs.UnixUserPrincipals$User")) {
            try {
                Class.forName(name, false, FirstRun.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // another JDK's or BouncyCastle's internals: nothing to archive
            }
        }
    }

    /** Lets go of the user's streams and serves {@code session} as its agent; null when it cannot. */
    private static Agent become(LaunchArgs a, Path cwd, Map<String, String> env, ClientMain.OpenedSession session) {
        String key = a.key(cwd, Launcher.build());
        Path socket;
        PrintStream log;
        try {
            AgentDir dir = AgentDir.open(AgentDir.location(env));
            socket = dir.socket(key);
            Path file = dir.log(key);
            AgentDir.readyLog(file);
            log = new PrintStream(new FileOutputStream(file.toFile(), true), true, StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("fileclient: agent not kept: " + e.getMessage());
            session.connection().close();
            return null;
        }
        // from here a Ctrl-C or hang-up of the user's terminal must not end the agent
        Agent.ignoreTerminalSignals();
        try {
            System.in.close();
        } catch (IOException e) {
            // the JDK points descriptor 0 at /dev/null even so
        }
        System.out.close();
        System.err.close();
        System.setOut(log);
        System.setErr(log);
        Agent agent;
        try {
            long idle = Agent.idleMillis(env.get("FILECLIENT_AGENT_IDLE"));
            agent = Agent.start(socket, key, a.sessionArgv(cwd).toArray(String[]::new), idle, session);
        } catch (IOException e) {
            Agent.log("cannot serve on " + socket + ": " + e.getMessage());
            agent = null;
        }
        if (agent == null) {
            Agent.log("another agent serves " + socket + " (or none can): the first command's session ends");
            session.connection().close();
            return null;
        }
        Agent started = agent;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> started.stop("terminated")));
        Agent.log("kept the session of the first command (pid " + ProcessHandle.current().pid() + ")");
        return agent;
    }

    /**
     * The user's working folder, {@code -Dfileclient.cwd}: bin/fileclient runs this JVM in {@code /}, so
     * that the agent it may become holds no folder of the user's busy (a mount could not be unmounted
     * while it idles); the command's local files and options are resolved here instead.
     */
    private static Path userFolder() {
        String p = System.getProperty("fileclient.cwd", "");
        if (p.isEmpty()) {
            return Path.of("").toAbsolutePath();
        }
        try {
            return Path.of(p).toRealPath(); // as the launcher's own working folder is: no symbolic links
        } catch (IOException | RuntimeException e) {
            return Path.of(p).toAbsolutePath();
        }
    }

    /**
     * {@code env} with FILECLIENT_PASSWORD read from {@code fifo}, where bin/fileclient put it instead of
     * this JVM's environment (an agent's environment never holds it; /proc shows it to the user's other
     * processes for as long as the agent lives): its bytes up to a NUL, already written and held there
     * by the script. The FIFO's name is removed first.
     */
    private static Map<String, String> withPassword(Map<String, String> env, String fifo) throws IOException {
        if (fifo.isEmpty()) {
            return env;
        }
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        try (FileChannel f = FileChannel.open(Path.of(fifo), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Files.deleteIfExists(Path.of(fifo));
            ByteBuffer one = ByteBuffer.allocate(1);
            while (b.size() <= 16 << 10) {
                one.clear();
                if (f.read(one) <= 0 || one.get(0) == 0) {
                    break;
                }
                b.write(one.get(0));
            }
        }
        Map<String, String> withIt = new java.util.HashMap<>(env);
        withIt.put("FILECLIENT_PASSWORD", b.toString(StandardCharsets.UTF_8));
        return withIt;
    }

    /**
     * The status FIFO, opened at once and its name removed, so that nothing is left in the folder
     * whatever ends this JVM or bin/fileclient later; null when there is none. Read-write: opening a
     * FIFO only to write would wait for a reader, forever if bin/fileclient was killed.
     */
    private static FileChannel statusChannel(String fifo) {
        if (fifo.isEmpty()) {
            return null;
        }
        try {
            FileChannel f = FileChannel.open(Path.of(fifo), StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                Files.deleteIfExists(Path.of(fifo)); // bin/fileclient holds it open: a line still reaches it
            } catch (IOException e) {
                // bin/fileclient removes it when this JVM ends
            }
            return f;
        } catch (IOException e) {
            return null;
        }
    }

    /** Writes {@code code} as a line on {@code status}; false when there is none or that failed. */
    private static boolean report(FileChannel status, int code) {
        if (status == null) {
            return false; // nobody to tell but the exit status
        }
        try (status) {
            status.write(ByteBuffer.wrap((code + "\n").getBytes(StandardCharsets.US_ASCII)));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
