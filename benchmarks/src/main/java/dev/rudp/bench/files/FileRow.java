package dev.rudp.bench.files;

import dev.rudp.bench.Repeats;
import dev.rudp.bench.e2e.Payload;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What one file transfer produced.
 *
 * @param transfer the row's name: {@code fileclient put}, {@code fileclient get} (each also with
 *     {@code , new JVM}), {@code tcp+fsync},
 *     {@code sftp put} or {@code sftp get}
 * @param bytes size of the file
 * @param received bytes that landed in the target file (all of them when ok)
 * @param status "ok", "timeout", "corrupt" (size or checksum of the landed file wrong), "failed: reason"
 *     or "skipped (reason)"
 * @param seconds wall time of the timed span (see {@link FileBench} for what each row times)
 * @param cpuSeconds CPU time of every process of both ends over the same span
 * @param spread with {@code --repeat}: the lowest and highest rate of the runs and their number, else "-"
 */
public record FileRow(String transfer, long bytes, long received, String status, double seconds, double cpuSeconds,
        String spread) {

    /** One run: no spread. */
    public FileRow(String transfer, long bytes, long received, String status, double seconds, double cpuSeconds) {
        this(transfer, bytes, received, status, seconds, cpuSeconds, "-");
    }

    /** The run a table reports for {@code runs}: the median by rate, or a failure (see {@link Repeats}). */
    static FileRow pick(List<FileRow> runs) {
        Repeats<FileRow> r = Repeats.of(runs, FileRow::ok, FileRow::mbPerSecond);
        FileRow f = r.reported();
        return new FileRow(f.transfer, f.bytes, f.received, f.status, f.seconds, f.cpuSeconds, r.spread());
    }

    /** A row that was not run, with the reason shown as its status. */
    static FileRow skipped(String transfer, long bytes, String reason) {
        return new FileRow(transfer, bytes, 0, "skipped (" + reason + ")", 0, 0);
    }

    /** A row whose transfer threw. */
    static FileRow failed(String transfer, long bytes, Throwable e, double seconds, double cpuSeconds) {
        String why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return new FileRow(transfer, bytes, 0, "failed: " + why.replace('|', '/').replace('\n', ' '), seconds, cpuSeconds);
    }

    /**
     * A transfer that exited successfully: ok when what landed at {@code landed} (null for a session
     * without a file) is the payload's first {@code bytes}, else "corrupt" with nothing counted.
     */
    static FileRow landed(String transfer, Payload payload, Path landed, long bytes, double seconds, double cpuSeconds)
            throws IOException {
        if (landed == null) {
            return new FileRow(transfer, 0, 0, "ok", seconds, cpuSeconds);
        }
        String check = DiskFiles.check(payload, landed, bytes);
        return new FileRow(transfer, bytes, check.equals("ok") ? bytes : 0, check, seconds, cpuSeconds);
    }

    public boolean ok() {
        return status.equals("ok");
    }

    /** MB/s (10^6 bytes) of what landed, or 0 when nothing did. */
    public double mbPerSecond() {
        return seconds > 0 ? received / 1e6 / seconds : 0;
    }
}
