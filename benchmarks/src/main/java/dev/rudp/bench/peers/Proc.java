package dev.rudp.bench.peers;

import dev.rudp.bench.files.ProcCpu;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One program of a tool row, started in an end's namespace with its output in a log file.
 *
 * <p>CPU time: a program that runs to its exit (a client, a sender) is started under {@code sh -c
 * '"$@"; times > FILE'}, whose {@code times} reports the CPU its child (the tool with everything the tool
 * reaped) used; the JVM reaps the shell at once, so /proc could not tell. A program that stays up (a
 * server) is read live in /proc ({@link #cpuNow()}: itself and its reaped children, such as sshd's
 * connection processes), before and after the transfer. Arguments are passed as {@code "$@"}, never
 * parsed by the shell.
 */
final class Proc implements AutoCloseable {
    private static final String TIMES = "\"$@\"; s=$?; times > \"$0\"; exit $s";
    private static final Pattern DURATION = Pattern.compile("(\\d+)m([\\d.]+)s");

    /** Every program still running, stopped by {@link #stopAll()} when the runner is interrupted. */
    private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final String name;
    private final Process process;
    private final Path log;
    private final Path cpuFile;

    private Proc(String name, Process process, Path log, Path cpuFile) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.cpuFile = cpuFile;
    }

    /**
     * Starts {@code argv} in {@code side}'s namespace.
     *
     * @param toExit true for a program that ends by itself (timed by {@code times}), false for a server
     * @param stdin text for its standard input, or null for none
     */
    static Proc start(String name, Side side, List<String> argv, Path dir, boolean toExit, Map<String, String> env,
            String stdin) throws IOException {
        Path log = Files.createTempFile(dir, name.replaceAll("[^A-Za-z0-9]", "_") + "-", ".log");
        Path cpu = toExit ? Files.createTempFile(dir, "cpu-", ".txt") : null;
        List<String> cmd = new ArrayList<>();
        if (toExit) {
            cmd.addAll(List.of("sh", "-c", TIMES, cpu.toString()));
        }
        cmd.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(side.exec(cmd)).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        LIVE.add(p);
        p.onExit().thenRun(() -> LIVE.remove(p));
        if (stdin != null) {
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        return new Proc(name, p, log, cpu);
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits at most {@code millis}; true if it exited. */
    boolean await(long millis) throws InterruptedException {
        return process.waitFor(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    int exitCode() {
        return process.exitValue();
    }

    /** A server's CPU so far (itself and its reaped children), from /proc; -1 when unreadable. */
    double cpuNow() {
        return ProcCpu.seconds(process.pid(), true);
    }

    /** A program run to its exit: the CPU its shell's {@code times} reported, 0 when unknown. */
    double cpuAtExit() {
        try {
            List<String> lines = Files.readAllLines(cpuFile, StandardCharsets.UTF_8);
            if (lines.size() < 2) {
                return 0;
            }
            double sum = 0;
            Matcher m = DURATION.matcher(lines.get(1)); // line 2: the children's user and system time
            while (m.find()) {
                sum += Long.parseLong(m.group(1)) * 60 + Double.parseDouble(m.group(2));
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The last {@code max} characters of its output, on one line. */
    String tail(int max) {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8).trim();
            return ToolRow.oneLine(s.length() > max ? s.substring(s.length() - max) : s);
        } catch (IOException e) {
            return "";
        }
    }

    /** Its whole output so far. */
    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until its output contains {@code text}; false when it exited or the time ran out first. */
    boolean awaitOutput(String text, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            if (output().contains(text)) {
                return true;
            }
            if (process.waitFor(20, TimeUnit.MILLISECONDS)) {
                return output().contains(text);
            }
        }
        return false;
    }

    /** Kills every program this runner started that still runs, with their children (shutdown hook). */
    static void stopAll() {
        for (Process p : LIVE) {
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /**
     * Stops it: SIGTERM to the program (under a {@code times} shell: to the shell's children, so the
     * shell still reports), SIGKILL after 5 s.
     */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        if (cpuFile != null) {
            process.toHandle().children().forEach(ProcessHandle::destroy);
        } else {
            process.destroy();
        }
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
