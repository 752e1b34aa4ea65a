package dev.rudp.bench.idle;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** An {@link IdleServer} in a child JVM, and the line protocol to it. Its stderr goes to ours. */
final class ServerProcess implements AutoCloseable {
    /** What the server reports; {@code used} is after full GCs for {@code heap}, as is for {@code stats}. */
    record Heap(long used, long committed, long direct, int active, long received, long peakHeap, long peakDirect) {
        static Heap parse(String line) throws IOException {
            String[] f = line.split(" ");
            if (f.length != 8 || !f[0].equals("heap")) {
                throw new IOException("unexpected reply from the server: " + line);
            }
            return new Heap(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Integer.parseInt(f[4]),
                    Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]));
        }
    }

    private static final long REPLY_TIMEOUT_SECONDS = 60;

    final Process process;
    final List<String> command;
    private final BufferedReader out;
    final int port;
    final String fingerprint;

    ServerProcess(String xmx, boolean dtls) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + xmx);
        // An OutOfMemoryError must end the process visibly, not leave a half-working server behind.
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(IdleServer.class.getName());
        if (dtls) {
            cmd.add("--dtls");
        }
        this.command = List.copyOf(cmd);
        this.process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String portLine = readLine();
        if (portLine == null || !portLine.startsWith("port ")) {
            close();
            throw new IOException("the server did not start: " + portLine);
        }
        this.port = Integer.parseInt(portLine.substring(5));
        this.fingerprint = dtls ? readLine().substring("fingerprint ".length()) : null;
    }

    /**
     * Our own class path, so the child runs the same code: the shaded jar under {@code java -jar}
     * (relative paths work, the child inherits our working directory), or whatever a test runner set.
     */
    private static String classPath() {
        return System.getProperty("java.class.path");
    }

    private String readLine() throws IOException {
        CompletableFuture<String> f = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            return f.get(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IOException("no reply from the server in " + REPLY_TIMEOUT_SECONDS + " s");
        } catch (ExecutionException e) {
            throw new IOException("reading from the server failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private String ask(String command) throws IOException {
        if (!process.isAlive()) {
            throw new IOException("the server process died (exit " + process.exitValue() + ")");
        }
        process.outputWriter(StandardCharsets.UTF_8).append(command).append('\n').flush();
        String reply = readLine();
        if (reply == null) {
            throw new IOException("the server process ended" + (process.isAlive() ? "" : " (exit " + exitValue() + ")"));
        }
        return reply;
    }

    private int exitValue() {
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** Heap in use after full GCs, with the other figures. */
    Heap heapAfterGc() throws IOException {
        return Heap.parse(ask("heap"));
    }

    /** The figures without collecting first. */
    Heap stats() throws IOException {
        return Heap.parse(ask("stats"));
    }

    void resetPeaks() throws IOException {
        String r = ask("reset");
        if (!r.equals("ok")) {
            throw new IOException("unexpected reply from the server: " + r);
        }
    }

    /** One class's row of a heap histogram. */
    record ClassRow(String name, long instances, long bytes) {
    }

    /**
     * {@code jcmd PID GC.class_histogram} (which collects first) as class name to row; empty, with the
     * reason printed to stderr, if jcmd is missing or fails.
     */
    java.util.Map<String, ClassRow> histogram() {
        java.util.Map<String, ClassRow> rows = new java.util.HashMap<>();
        Path jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.class_histogram")
                    .redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                System.err.println("jcmd failed: " + text.strip());
                return rows;
            }
            // Rows look like "   1:    22174    2446112  [B (java.base@17.0.15)"; the module suffix is dropped.
            for (String line : text.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[0].endsWith(":") && f[1].matches("\\d+") && f[2].matches("\\d+")) {
                    rows.put(f[3], new ClassRow(f[3], Long.parseLong(f[1]), Long.parseLong(f[2])));
                }
            }
        } catch (IOException e) {
            System.err.println("jcmd not available: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return rows;
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                process.outputWriter(StandardCharsets.UTF_8).append("quit\n").flush();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
