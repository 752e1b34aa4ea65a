package dev.rudp.bench.peers;

import dev.rudp.bench.RawRun;
import dev.rudp.bench.e2e.Machine;
import dev.rudp.bench.files.DiskFiles;
import dev.rudp.bench.files.ProcCpu;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.KnownHosts;
import dev.rudp.fileclient.connection.ServerTrust;
import dev.rudp.fileclient.keys.Identity;
import dev.rudp.fileclient.keys.KeyFirstLogin;
import dev.rudp.fileserver.protocol.Op;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code java -jar benchmarks.jar oneshot [--repeat N]}: issue 13's target 2, a one-shot command with key
 * login on both sides, as a user types it: {@code sftp -b} with one {@code ls} against an sshd, and
 * {@code bin/fileclient -i KEY -c ls} against {@code bin/fileserver serve}, each a new process on
 * loopback. The fileclient command three ways: {@code --no-agent} (the whole client in its own JVM), as
 * the first command (it becomes the per-user agent; the agent is stopped before each such run), and
 * with the agent a previous command left (a session already open). Rows run round-robin; medians of
 * wall time, client CPU (with the detached agent's) and server CPU. Writes {@code results/oneshot-STAMP}.
 */
public final class OneShot {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final List<String> ROWS = List.of("sftp -b (ls), key auth", "fileclient -c ls, --no-agent",
            "fileclient -c ls, first command (becomes the agent)", "fileclient -c ls, agent open");

    /** Server warm-up: logins per batch, the compiler CPU-s under which a batch ends it, and a cap. */
    private static final int WARM_BATCH = 50;
    private static final double SETTLED_JIT_SECONDS = 0.05;
    private static final int MAX_WARM_LOGINS = 1000;

    private OneShot() {
    }

    /** Entry point; returns the exit status. */
    public static int main(String[] args, PrintStream log) throws Exception {
        int repeat = 5;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--repeat") && i + 1 < args.length) {
                repeat = Math.max(1, Integer.parseInt(args[++i]));
            } else {
                log.println("usage: java -jar benchmarks.jar oneshot [--repeat N]   (default 5)");
                return 2;
            }
        }
        String missing = Sshd.missing();
        if (missing != null) {
            log.println("oneshot: " + missing);
            return 3;
        }
        Path cwd = Paths.get("").toAbsolutePath();
        Path repo = Files.isRegularFile(cwd.resolve("bin/fileclient")) ? cwd : cwd.getParent();
        Path work = Files.createTempDirectory("rudp-bench-oneshot-");
        Path agents = Files.createTempDirectory("rudp-agents-");
        Map<String, List<double[]>> runs = new LinkedHashMap<>();
        int warmLogins = 0;
        ROWS.forEach(r -> runs.put(r, new ArrayList<>()));
        try {
            Path keys = work.resolve("keys");
            Keys.ensure(keys);
            Job job = new Job("loopback", work, keys, null, null, 0, 60_000, Side.LOOPBACK, Side.LOOPBACK);
            Path data = work.resolve("data");
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(new SecureRandom().generateSeed(18));
            Path key = work.resolve("id_ed25519");
            untimed(job, List.of(bin(repo, "fileserver"), "adduser", "--root", data.toString(), Fileclient.USER),
                    Map.of(), password + "\n");
            untimed(job, List.of(bin(repo, "fileclient"), "keygen", "-f", key.toString()), Map.of(), null);
            untimed(job, List.of(bin(repo, "fileserver"), "addkey", "--root", data.toString(), Fileclient.USER,
                    key + ".pub"), Map.of(), null);
            int port = Ports.pick();
            try (Proc server = Proc.start("fileserver", Side.LOOPBACK, List.of(bin(repo, "fileserver"), "serve", "--root",
                    data.toString(), "--bind", "127.0.0.1", "--port", String.valueOf(port)), work, false, Map.of(), null);
                    Sshd sshd = Sshd.start(job)) {
                if (!server.awaitOutput("fingerprint ", 60_000)) {
                    throw new IOException("fileserver did not start: " + server.tail(300));
                }
                String out = server.output();
                String fp = out.substring(out.indexOf("fingerprint ") + "fingerprint ".length()).split("[;,\\s]")[0];
                // Pinned in a known-hosts file, as a user's client pins a server (and so, as for a user, each
                // command resumes the DTLS session the previous one saved beside it)
                Path knownHosts = work.resolve("known_hosts");
                new KnownHosts(knownHosts).add(KnownHosts.key("127.0.0.1", port), fp);
                List<String> client = List.of(bin(repo, "fileclient"), "--port", String.valueOf(port), "--user",
                        Fileclient.USER, "-i", key.toString(), "--known-hosts", knownHosts.toString(), "-q", "-c", "ls",
                        "127.0.0.1");
                Map<String, String> env = Map.of("FILECLIENT_AGENT_DIR", agents.toString());
                List<String> noAgent = new ArrayList<>(client);
                noAgent.add(1, "--no-agent");
                List<String> stop = new ArrayList<>(client.subList(0, client.indexOf("-q")));
                stop.addAll(List.of("--agent-stop", "127.0.0.1"));
                List<String> sftp = Sshd.sftpBatch(job, "127.0.0.1", sshd.port(), "ls\n");
                untimed(job, noAgent, env, null); // bin/fileclient's first run records its class archive
                untimed(job, client, env, null); // starts the agent
                untimed(job, client, env, null); // through it: the launcher records its own archive
                stopAgent(job, stop, env, agents);
                untimed(job, sftp, Map.of(), null);
                warmLogins = warmServer(port, fp, key, work.resolve("warm-up"), server.pid(), log);
                for (int round = 0; round < repeat; round++) {
                    runs.get(ROWS.get(0)).add(timed(job, sftp, Map.of(), () -> sshd.cpu(), agents));
                    runs.get(ROWS.get(1)).add(timed(job, noAgent, env, server::cpuNow, agents));
                    stopAgent(job, stop, env, agents);
                    runs.get(ROWS.get(2)).add(timed(job, client, env, server::cpuNow, agents));
                    runs.get(ROWS.get(3)).add(timed(job, client, env, server::cpuNow, agents));
                    log.printf(Locale.ROOT, "oneshot: round %d/%d done%n", round + 1, repeat);
                }
                stopAgent(job, stop, env, agents);
            }
        } finally {
            Proc.stopAll();
            DiskFiles.deleteTree(work);
            DiskFiles.deleteTree(agents);
        }
        record(runs, repeat, warmLogins, log, "java -jar benchmarks/target/benchmarks.jar oneshot " + String.join(" ", args));
        return 0;
    }

    /**
     * Key logins with an {@code ls} from this JVM, in batches, until a batch costs the server's compiler
     * threads under {@link #SETTLED_JIT_SECONDS} (at most {@link #MAX_WARM_LOGINS}); returns how many.
     * The rows compare clients against a server that has been up a while, as users meet one (the
     * loopback rows do the same with transfers): a new server's first logins run its handshake and
     * login code in the interpreter and its C1 code, and then its C2 compiles them beside the timed
     * command, on the same two cores. Four in five resume the DTLS session and its key login, as the
     * timed commands do; the fifth runs the full handshake and a signed key login.
     */
    private static int warmServer(int port, String fingerprint, Path key, Path dir, long serverPid, PrintStream log)
            throws Exception {
        Identity id = Identity.load(key);
        KnownHosts pins = new KnownHosts(Files.createDirectories(dir).resolve("known_hosts"));
        pins.add(KnownHosts.key("127.0.0.1", port), fingerprint);
        int done = 0;
        while (done < MAX_WARM_LOGINS) {
            double jit0 = ProcCpu.compilerSeconds(serverPid);
            for (int i = 0; i < WARM_BATCH; i++, done++) {
                boolean full = done % 5 == 0;
                try (FileConnection c = FileConnection.connect("127.0.0.1", port, 10_000, null,
                        full ? ServerTrust.fingerprint(fingerprint) : ServerTrust.knownHosts(pins, false))) {
                    KeyFirstLogin.login(c, Fileclient.USER, id, () -> {
                        throw new IllegalStateException("the warm-up logs in by key");
                    });
                    c.call(Op.LS, List.of());
                }
            }
            double jit = ProcCpu.compilerSeconds(serverPid) - jit0;
            log.printf(Locale.ROOT, "oneshot: %d warm-up logins, the server's compilers %.2f CPU-s in the last %d%n",
                    done, jit, WARM_BATCH);
            if (jit0 < 0 || jit < SETTLED_JIT_SECONDS) {
                break;
            }
        }
        return done;
    }

    @FunctionalInterface
    private interface Cpu {
        double now() throws InterruptedException;
    }

    /** One run: {wall s, client CPU-s (with the agent's), server CPU-s}. */
    private static double[] timed(Job job, List<String> argv, Map<String, String> env, Cpu server, Path agents)
            throws IOException, InterruptedException {
        long agent = Fileclient.agentPid(agents);
        double agent0 = agent < 0 ? 0 : ProcCpu.seconds(agent, true);
        double server0 = server.now();
        long t0 = System.nanoTime();
        try (Proc p = Proc.start("oneshot", Side.LOOPBACK, argv, job.dir(), true, env, null)) {
            if (!p.await(60_000) || p.exitCode() != 0) {
                throw new IOException(String.join(" ", argv) + " failed: " + p.tail(300));
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            long after = agent < 0 ? Fileclient.agentPid(agents) : agent;
            double agentCpu = after < 0 ? 0 : ProcCpu.delta(ProcCpu.seconds(after, true), agent0);
            return new double[] {wall, p.cpuAtExit() + agentCpu, server.now() - server0};
        }
    }

    private static void untimed(Job job, List<String> argv, Map<String, String> env, String stdin)
            throws IOException, InterruptedException {
        try (Proc p = Proc.start("setup", Side.LOOPBACK, argv, job.dir(), true, env, stdin)) {
            if (!p.await(60_000) || p.exitCode() != 0) {
                throw new IOException(String.join(" ", argv) + " failed: " + p.tail(300));
            }
        }
    }

    private static void stopAgent(Job job, List<String> stop, Map<String, String> env, Path agents)
            throws IOException, InterruptedException {
        long pid = Fileclient.agentPid(agents);
        if (pid < 0) {
            return;
        }
        untimed(job, stop, env, null);
        Fileclient.awaitExit(pid);
    }

    private static void record(Map<String, List<double[]>> runs, int repeat, int warmLogins, PrintStream log,
            String command) throws IOException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        StringBuilder md = new StringBuilder("## oneshot ").append(DateTimeFormatter.ISO_INSTANT.format(now)).append("\n\n");
        md.append("- command: `").append(command).append("`\n");
        md.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        md.append("- machine: ").append(Machine.describe()).append('\n');
        md.append("- git commit: ").append(Machine.gitCommit()).append('\n');
        md.append("- loopback, key login on both sides, the server pinned in a known-hosts file (bin/fileclient resumes the")
                .append(" DTLS session the previous command saved), medians of ").append(repeat).append(" (round-robin)\n");
        md.append("- the server warmed first by ").append(warmLogins)
                .append(" key logins with an ls from the runner's JVM (four in five resuming the DTLS session and its login; batches of ")
                .append(WARM_BATCH).append(" until one costs its compiler threads under ").append(SETTLED_JIT_SECONDS)
                .append(" CPU-s, at most ").append(MAX_WARM_LOGINS).append(")\n\n");
        md.append("| row | wall s | wall range | client CPU-s | server CPU-s | wall vs sftp |\n|---|---:|---|---:|---:|---:|\n");
        double sftp = median(runs.get(ROWS.get(0)), 0);
        for (Map.Entry<String, List<double[]>> e : runs.entrySet()) {
            List<double[]> r = e.getValue();
            double wall = median(r, 0);
            md.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f-%.3f | %.2f | %.3f | %.2fx |%n", e.getKey(), wall,
                    r.stream().mapToDouble(x -> x[0]).min().orElse(0), r.stream().mapToDouble(x -> x[0]).max().orElse(0),
                    median(r, 1), median(r, 2), wall / sftp));
        }
        Path out = Files.isDirectory(Paths.get("benchmarks")) ? Paths.get("benchmarks") : Paths.get(".");
        Path file = RawRun.write(out, "oneshot", STAMP.format(now), md.toString());
        log.println(md);
        log.println("wrote " + file.toAbsolutePath().normalize() + " and its .csv");
    }

    private static double median(List<double[]> runs, int column) {
        double[] v = runs.stream().mapToDouble(x -> x[column]).sorted().toArray();
        return v.length == 0 ? 0 : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String bin(Path repo, String name) {
        return repo.resolve("bin").resolve(name).toString();
    }
}
