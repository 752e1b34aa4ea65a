package dev.rudp.bench.netns;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs one system command (ip, tc, nft, ...) with a time limit and collects its output. */
final class Cmd {
    /** Longest any set-up command may take. */
    static final long TIMEOUT_SECONDS = 20;

    private Cmd() {
    }

    /**
     * What a command did.
     *
     * @param argv the command
     * @param exit its exit status (-1 if it had to be killed)
     * @param out stdout and stderr, merged
     */
    record Result(List<String> argv, int exit, String out) {
        boolean ok() {
            return exit == 0;
        }

        /** Throws unless the command succeeded. */
        Result check() {
            if (exit != 0) {
                throw new IllegalStateException("`" + String.join(" ", argv) + "` failed (" + exit + "): " + out.trim());
            }
            return this;
        }
    }

    static Result run(List<String> argv) {
        return run(argv, null);
    }

    /** Runs {@code argv}, feeding it {@code stdin} if not null; never throws for a non-zero exit. */
    static Result run(List<String> argv, String stdin) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread drain = new Thread(() -> copy(p.getInputStream(), out), "cmd-output");
            drain.setDaemon(true);
            drain.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return new Result(argv, -1, "timed out after " + TIMEOUT_SECONDS + " s");
            }
            drain.join(5000);
            synchronized (out) {
                return new Result(argv, p.exitValue(), out.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            return new Result(argv, 127, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(argv, -1, "interrupted");
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (out) {
                    out.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
