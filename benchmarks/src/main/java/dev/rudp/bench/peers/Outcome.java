package dev.rudp.bench.peers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Turns a finished transfer into its row: landed file checked by SHA-256 against the source's. */
final class Outcome {
    private Outcome() {
    }

    /**
     * @param timed the program whose run is the row's wall time (ended, or still running at the limit)
     * @param exited whether it ended within the limit
     * @param landed where the file should be
     */
    static ToolRow of(Job job, Tool tool, Proc timed, boolean exited, double seconds, double clientCpu, double serverCpu,
            Path landed) throws IOException {
        long size = Files.isRegularFile(landed) ? Files.size(landed) : 0;
        String status;
        long received;
        if (!exited) {
            status = "timeout";
            received = Math.min(size, job.bytes());
        } else if (size == job.bytes() && sha256(landed).equals(job.sha256())) {
            status = "ok";
            received = size;
        } else if (timed.exitCode() != 0) {
            status = "failed: exit " + timed.exitCode() + " " + timed.tail(200);
            received = 0;
        } else {
            status = "corrupt";
            received = 0;
        }
        return new ToolRow(job.profile(), tool.name(), tool.label(), job.bytes(), received, status, seconds, clientCpu,
                serverCpu, "-");
    }

    /** SHA-256 of a file, lower-case hex. */
    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
