package dev.rudp.bench.peers;

import dev.rudp.bench.files.ProcCpu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The product as users run it: {@code bin/fileclient -c "get ..."} (or {@code put}) as a new process at
 * the client end against {@code bin/fileserver serve} as its own process at the server end, with the
 * defaults of both (DTLS 1.2 AES-128-GCM, BBR, the whole file checked by the product). The account is
 * made by {@code bin/fileserver adduser} (a random password) and the client logs in by its key
 * ({@code bin/fileclient keygen}, {@code bin/fileserver addkey}), as sftp's rows do; the client pins the
 * server's fingerprint. Wall time and client CPU are
 * the client command's (JVM start, handshake and login included) plus, where the command goes through
 * the per-user agent ({@link Start}), the agent's CPU over the same span; server CPU is the server JVM's
 * over the same span. Each row has an agent folder of its own and stops its agent at the end. Before the
 * timed command untimed puts and gets of the same file warm the server until its JIT settles (and, for
 * {@link Start#WARM}, the agent): the rows compare clients against a server that has been running, as
 * users meet it.
 */
final class Fileclient implements Tool {
    static final String USER = "bench";
    static final String REMOTE = "bench.bin";
    private static final String AGENT_CLASS = "dev.rudp.fileclient.agent.Agent";
    private static final String FIRST_RUN_CLASS = "dev.rudp.fileclient.agent.FirstRun";
    /** A warm-up round whose server JIT used less than this (CPU-s) ends the warm-up. */
    private static final double SETTLED_JIT_SECONDS = 0.3;
    /** At most this many warm-up rounds (a put and a get each) before the timed command. */
    private static final int MAX_WARM_ROUNDS = 4;

    /** How the timed command meets the client's per-user agent (fileclient/README.md, "The agent"). */
    enum Start {
        /** The user's first command: it becomes the agent; its JVM start and JIT warm-up are in the row. */
        FIRST(""),
        /** A later command: the agent an earlier put and get of the same file (untimed) left runs it. */
        WARM(", agent warm"),
        /** {@code --no-agent}: the whole client in the command's own JVM, as before the agent. */
        NO_AGENT(", --no-agent");

        final String suffix;

        Start(String suffix) {
            this.suffix = suffix;
        }
    }

    private final Path repo;
    private final boolean put;
    private final Start start;

    /**
     * @param repo the checkout holding {@code bin/fileclient} and {@code bin/fileserver} (built jars)
     * @param put upload instead of download
     * @param start how the command meets the agent
     */
    Fileclient(Path repo, boolean put, Start start) {
        this.repo = repo;
        this.put = put;
        this.start = start;
    }

    @Override
    public String name() {
        return (put ? "bin/fileclient put" : "bin/fileclient get") + start.suffix;
    }

    @Override
    public String label() {
        return "rudp BBR congestion control, DTLS 1.2 AES-128-GCM, whole file verified (CRC32C where offered, else SHA-256)";
    }

    @Override
    public String missing() {
        Path jar = repo.resolve("fileclient/target/fileclient.jar");
        Path server = repo.resolve("fileserver/target/fileserver.jar");
        if (!Files.isRegularFile(jar) || !Files.isRegularFile(server)) {
            return "not built (mvn -B -q -DskipTests package)";
        }
        return null;
    }

    @Override
    public ToolRow run(Job job) throws InterruptedException {
        Path data = job.dir().resolve("fileserver-data");
        Path home = data.resolve("home").resolve(USER);
        Path local = job.dir().resolve("fileclient-landed.bin");
        try {
            byte[] secret = new byte[18];
            new SecureRandom().nextBytes(secret);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            Proc add = Proc.start("adduser", Side.LOOPBACK, List.of(bin("fileserver"), "adduser", "--root",
                    data.toString(), USER), job.dir(), true, Map.of(), password + "\n");
            if (!add.await(60_000) || add.exitCode() != 0) {
                add.close();
                throw new IOException("fileserver adduser failed: " + add.tail(300));
            }
            Path key = job.dir().resolve("fileclient-key");
            Files.deleteIfExists(key);
            Files.deleteIfExists(Path.of(key + ".pub"));
            for (List<String> step : List.of(List.of(bin("fileclient"), "keygen", "-f", key.toString()),
                    List.of(bin("fileserver"), "addkey", "--root", data.toString(), USER, key + ".pub"))) {
                try (Proc p = Proc.start("key", Side.LOOPBACK, step, job.dir(), true, Map.of(), null)) {
                    if (!p.await(60_000) || p.exitCode() != 0) {
                        throw new IOException(String.join(" ", step) + " failed: " + p.tail(300));
                    }
                }
            }
            Files.createDirectories(home);
            if (!put) {
                Files.createLink(home.resolve(REMOTE), job.source());
            }
            int port = Ports.pick();
            try (Proc server = Proc.start("fileserver", job.server(), List.of(bin("fileserver"), "serve", "--root",
                    data.toString(), "--bind", job.server().addr(), "--port", String.valueOf(port)), job.dir(), false,
                    Map.of(), null)) {
                if (!server.awaitOutput("fingerprint ", 60_000)) {
                    throw new IOException("fileserver did not start: " + server.tail(300));
                }
                String out = server.output();
                String fp = out.substring(out.indexOf("fingerprint ") + "fingerprint ".length()).split("[;,\\s]")[0];
                String command = put ? "put \"" + job.source().toAbsolutePath() + "\" " + REMOTE
                        : "get " + REMOTE + " \"" + local.toAbsolutePath() + "\"";
                List<String> client = new java.util.ArrayList<>(List.of(bin("fileclient"), "--port", String.valueOf(port),
                        "--user", USER, "-i", key.toString(), "--fingerprint", fp, "--connect-timeout", "30", "--timeout",
                        String.valueOf(Math.max(1, job.timeoutMillis() / 1000)), "-q"));
                if (start == Start.NO_AGENT) {
                    client.add("--no-agent");
                }
                String host = job.server().addr();
                // short: a UNIX socket's path holds at most 107 bytes, and the row's folder is deep
                Path agents = Files.createTempDirectory("rudp-agents-");
                Map<String, String> env = Map.of("FILECLIENT_AGENT_DIR", agents.toString());
                // bin/fileclient's first in-process run records its class cache when it has none for the JVM it
                // picks (an AOT cache on Java 25, else a class-data archive; the agent maps it too): a session
                // run once, untimed, as a user's first command, before any timed one.
                runUntimed("fileclient-first", job, with(client, host, "--no-agent", "-c", "pwd"), env);
                try {
                    if (start != Start.NO_AGENT) {
                        // The agent's launcher records its own class archive on the first command through an
                        // agent: one command that starts the agent, one through it, then the agent stopped.
                        runUntimed("fileclient-first", job, with(client, host, "-c", "pwd"), env);
                        runUntimed("fileclient-first", job, with(client, host, "-c", "pwd"), env);
                        stopAgent(job, client, env, agents);
                    }
                    // Untimed puts and gets of the same file first, so the server is warm, as a server that
                    // has been up a while is: through the agent for WARM (which warms the client too), else
                    // by a client process of its own that leaves no agent behind. Rounds go on until the
                    // server's JIT has settled: a new server's C2 spent 3.9, 2.8, 0.8 and 0.2 CPU-s in its
                    // first four rounds of 1 GiB here, and after one round it still compiled through the
                    // timed command (1.6-1.8 CPU-s of C2 beside a 1 GiB get), beside the client on two cores.
                    Path back = job.dir().resolve("fileclient-warm.bin");
                    // No rm of warm.bin: the server frees a removed (or replaced) large file on a background
                    // thread beside its reply, which would overlap the timed command; each later round's put
                    // replaces it, freed during that round's get, and the row's folder goes at the end.
                    String warmUp = "put \"" + job.source().toAbsolutePath() + "\" warm.bin; get warm.bin \""
                            + back.toAbsolutePath() + "\"";
                    for (int round = 1; ; round++) {
                        double jit0 = ProcCpu.compilerSeconds(server.pid());
                        runUntimed("fileclient-warm", job, start == Start.WARM ? with(client, host, "-c", warmUp)
                                : with(client, host, "--no-agent", "-c", warmUp), env);
                        Files.deleteIfExists(back);
                        double jit = ProcCpu.compilerSeconds(server.pid()) - jit0;
                        if (jit0 < 0 || jit < SETTLED_JIT_SECONDS || round == MAX_WARM_ROUNDS) {
                            break;
                        }
                    }
                    long agent = agentPid(agents);
                        double agent0 = agent < 0 ? 0 : ProcCpu.seconds(agent, true);
                    double server0 = server.cpuNow();
                    long t0 = System.nanoTime();
                    Proc cl = Proc.start("fileclient", job.client(), with(client, host, "-c", command), job.dir(), true, env,
                            null);
                    boolean exited = cl.await(job.timeoutMillis());
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    cl.close();
                    double serverCpu = server.cpuNow() - server0;
                    // The agent is a detached process: its CPU is the client's too, but never reaches the
                    // command's shell.
                    long after = agent < 0 ? agentPid(agents) : agent;
                    double agentCpu = after < 0 ? 0
                            : ProcCpu.delta(ProcCpu.seconds(after, true), agent0);
                    return Outcome.of(job, this, cl, exited, seconds, cl.cpuAtExit() + agentCpu, serverCpu,
                            put ? home.resolve(REMOTE) : local);
                } finally {
                    stopAgent(job, client, env, agents);
                    dev.rudp.bench.files.DiskFiles.deleteTree(agents);
                }
            }
        } catch (IOException e) {
            return ToolRow.failed(job.profile(), name(), label(), job.bytes(), e);
        }
    }

    /** {@code options}, then {@code more}, then the host (last, as fileclient's usage has it). */
    private static List<String> with(List<String> options, String host, String... more) {
        List<String> v = new java.util.ArrayList<>(options);
        v.addAll(List.of(more));
        v.add(host);
        return v;
    }

    private void runUntimed(String name, Job job, List<String> argv, Map<String, String> env)
            throws IOException, InterruptedException {
        try (Proc p = Proc.start(name, job.client(), argv, job.dir(), true, env, null)) {
            if (!p.await(job.timeoutMillis()) || p.exitCode() != 0) {
                throw new IOException(name + " failed: " + p.tail(300));
            }
        }
    }

    /**
     * The agent serving sockets in {@code agents}, or -1 when none runs: one the launcher started (its
     * command line names the socket) or a first command that stayed as the agent ({@code FirstRun},
     * whose environment names the folder).
     */
    static long agentPid(Path agents) {
        String dir = agents.toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().arguments().map(a -> String.join(" ", a)).map(
                        a -> a.contains(AGENT_CLASS) && a.contains("--socket " + dir + "/")
                                || a.contains(FIRST_RUN_CLASS) && environ(h.pid()).contains("\0FILECLIENT_AGENT_DIR=" + dir + "\0"))
                        .orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
    }

    /** A process's environment as {@code /proc} has it, NUL-separated with a NUL in front; "" when unreadable. */
    static String environ(long pid) {
        try {
            return "\0" + new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "environ")),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Ends the row's agent: {@code --agent-stop}, then by signal if it is still there after 10 s. */
    private void stopAgent(Job job, List<String> client, Map<String, String> env, Path agents)
            throws InterruptedException {
        long pid = agentPid(agents);
        if (pid < 0) {
            return;
        }
        List<String> stop = new java.util.ArrayList<>(client);
        stop.remove("-q");
        stop.add("--agent-stop");
        stop.add(job.server().addr());
        try (Proc p = Proc.start("fileclient-stop", job.client(), stop, job.dir(), true, env, null)) {
            p.await(10_000);
        } catch (IOException e) {
            // the signal below ends it
        }
        awaitExit(pid);
    }

    /** Waits up to 10 s for the agent {@code pid} that was told to stop, then ends it by force. */
    static void awaitExit(long pid) {
        ProcessHandle.of(pid).ifPresent(h -> {
            try {
                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        });
    }

    private String bin(String name) {
        return repo.resolve("bin").resolve(name).toAbsolutePath().toString();
    }
}
