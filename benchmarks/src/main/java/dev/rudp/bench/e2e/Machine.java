package dev.rudp.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/** Describes the machine and the checkout for the results file, tolerating missing tools. */
public final class Machine {
    private Machine() {
    }

    /** Cores, CPU model from /proc/cpuinfo, OS and kernel. */
    public static String describe() {
        String model = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            model = "unknown CPU (/proc/cpuinfo unreadable)";
        }
        return Runtime.getRuntime().availableProcessors() + " cores (nproc), " + model + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    /** {@code git rev-parse --short HEAD}, or "unknown". */
    public static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unknown (git timed out)";
            }
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 && !s.isEmpty() ? s : "unknown (not a git checkout)";
        } catch (IOException e) {
            return "unknown (no git)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }
}
