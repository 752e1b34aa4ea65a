package dev.rudp.bench.load;

import dev.rudp.bench.load.Recorder.Kind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A session of a real {@code bin/fileclient} process, as a user runs it: its own {@code HOME} and
 * {@code FILECLIENT_AGENT_DIR}, key login ({@code -i}) or password login ({@code FILECLIENT_PASSWORD},
 * {@code --identity none}), batch mode with a generated batch file ({@code -b}). The first batch starts
 * the user's agent (after a build, bin/fileclient runs the very first one in-process to record its
 * class archive, and the next one starts it), which keeps the session between batches; each batch
 * holds {@link #ROUNDS} rounds of put, get, ls, mv and rm and ends with a {@code pwd} whose echo
 * marks the end of the last rm.
 *
 * <p>Latency of a command: from its echo line ({@code fileclient> CMD}, flushed when the command starts)
 * to the next echo line, timestamped as the lines arrive on the pipe.
 */
final class ProcessSession implements Runnable {
    static final int ROUNDS = 3;
    private static final String ECHO = "fileclient> ";

    private final int index;
    private final String user;
    private final Path keyFile;
    private final String password;
    private final int port;
    private final String fingerprint;
    private final Path dir;
    private final Workload work;
    private final Recorder rec;
    private final SplittableRandom rnd;
    private final long batchTimeoutMillis;
    private int round;

    /** {@code keyFile} null: password login with {@code password}. */
    ProcessSession(int index, String user, Path keyFile, String password, int port, String fingerprint, Path dir,
            Workload work, Recorder rec, long seed, long batchTimeoutMillis) {
        this.index = index;
        this.user = user;
        this.keyFile = keyFile;
        this.password = password;
        this.port = port;
        this.fingerprint = fingerprint;
        this.dir = dir;
        this.work = work;
        this.rec = rec;
        this.rnd = new SplittableRandom(seed);
        this.batchTimeoutMillis = batchTimeoutMillis;
    }

    private List<String> command(String... tail) {
        List<String> argv = new ArrayList<>(List.of(ServerProc.repo().resolve("bin/fileclient").toString(), "--port",
                String.valueOf(port), "--user", user, "--fingerprint", fingerprint, "--connect-timeout", "120"));
        if (keyFile != null) {
            argv.addAll(List.of("-i", keyFile.toString()));
        } else {
            argv.addAll(List.of("--identity", "none"));
        }
        argv.addAll(List.of(tail));
        argv.add("127.0.0.1");
        return argv;
    }

    private ProcessBuilder builder(List<String> argv) {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.put("HOME", dir.resolve("home").toString());
        env.put("FILECLIENT_AGENT_DIR", dir.resolve("agent").toString());
        env.remove("FILECLIENT_AGENT");
        env.put("FILECLIENT_AGENT_IDLE", "120"); // an agent orphaned by a killed run goes away soon
        if (password != null) {
            env.put("FILECLIENT_PASSWORD", password);
        }
        return pb;
    }

    @Override
    public void run() {
        try {
            boolean in;
            try {
                Files.createDirectories(dir.resolve("home"));
                Files.createDirectories(dir.resolve("up"));
                Files.createDirectories(dir.resolve("down"));
                Path agent = Files.createDirectories(dir.resolve("agent"));
                Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwx------"));
                in = work.connect(this::firstBatch); // starts the agent: its connect and login
            } finally {
                work.connected();
            }
            if (!in) {
                return;
            }
            work.awaitStart();
            while (work.goOn()) {
                if (!batch()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            rec.failure(index, String.valueOf(e));
        } finally {
            stopAgent();
        }
    }

    /** The connect phase: a batch of one {@code pwd}, which starts the agent (connect, login); false when it failed. */
    private boolean firstBatch() throws IOException, InterruptedException {
        Path file = dir.resolve("batch.txt");
        Files.write(file, List.of("pwd"), StandardCharsets.UTF_8);
        Process p = builder(command("-q", "-b", file.toString())).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(batchTimeoutMillis, TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            rec.failure(index, "connect: bin/fileclient " + (p.isAlive() ? "did not end" : "exit " + p.exitValue())
                    + ": " + out.strip().replace('\n', ' '));
            return false;
        }
        return true;
    }

    /** One batch of rounds; false when it failed (recorded). */
    private boolean batch() throws IOException, InterruptedException {
        List<String> lines = new ArrayList<>();
        List<String> shas = new ArrayList<>();
        List<Integer> rounds = new ArrayList<>();
        for (int i = 0; i < ROUNDS && work.goOn(); i++, round++) {
            String f = "f" + round;
            String g = "g" + round;
            shas.add(work.randomFile(rnd, dir.resolve("up").resolve(f)));
            rounds.add(round);
            lines.addAll(List.of("put up/" + f + " " + f, "get " + f + " down/" + f, "ls", "mv " + f + " " + g,
                    "rm " + g));
        }
        lines.add("pwd");
        Path file = dir.resolve("batch.txt");
        Files.write(file, lines, StandardCharsets.UTF_8);
        Process p = builder(command("-q", "-b", file.toString())).start();
        List<String> out = new ArrayList<>();
        List<long[]> echoes = new ArrayList<>(); // {kind ordinal or -1, nanos}
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    long now = System.nanoTime();
                    synchronized (out) {
                        out.add(line);
                        if (line.startsWith(ECHO)) {
                            echoes.add(new long[] {kindOf(line.substring(ECHO.length())), now});
                        }
                    }
                }
            } catch (IOException e) {
                // the process is gone: what was read stands
            }
        }, "load-proc-" + index);
        reader.setDaemon(true);
        reader.start();
        if (!p.waitFor(batchTimeoutMillis, TimeUnit.MILLISECONDS)) {
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            rec.failure(index, "bin/fileclient batch did not end within " + batchTimeoutMillis + " ms");
            return false;
        }
        reader.join(10_000);
        synchronized (out) {
            // a command's latency: its echo to the next echo; the last (pwd) only marks the end
            for (int i = 0; i + 1 < echoes.size(); i++) {
                long kind = echoes.get(i)[0];
                if (kind >= 0) {
                    rec.op(index, Kind.values()[(int) kind], echoes.get(i + 1)[1] - echoes.get(i)[1]);
                }
            }
            if (p.exitValue() != 0) {
                String text = String.join(" | ", out);
                rec.failure(index, "bin/fileclient exit " + p.exitValue() + ": "
                        + text.substring(Math.max(0, text.length() - 300)));
                return false;
            }
        }
        for (int i = 0; i < rounds.size(); i++) {
            Path up = dir.resolve("up").resolve("f" + rounds.get(i));
            Path down = dir.resolve("down").resolve("f" + rounds.get(i));
            String got = Workload.sha256(down);
            if (!got.equals(shas.get(i))) {
                rec.failure(index, "get f" + rounds.get(i) + ": SHA-256 " + got + " differs from " + shas.get(i));
                return false;
            }
            rec.verified(Files.size(down));
            Files.delete(up);
            Files.delete(down);
        }
        return true;
    }

    private static long kindOf(String command) {
        String word = command.split(" ", 2)[0];
        for (Kind k : Kind.values()) {
            if (k.word().equals(word)) {
                return k.ordinal();
            }
        }
        return -1;
    }

    /** Logs the agent out and ends it (bounded). */
    private void stopAgent() {
        try {
            Process p = builder(command("--agent-stop")).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            // nothing to stop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
