package dev.rudp.bench.files;

import java.util.List;
import java.util.Locale;

/**
 * Formats the file rows as a Markdown table. Their ratios compare files moved disk to disk with each
 * other only: "vs sftp" is against sftp in the same direction, "vs tcp+fsync" against the plain TCP
 * copy; the memory-to-memory rows' "vs tcp" and "vs quic" are a different comparison.
 */
public final class FileTable {
    /** Issue 5's targets for fileclient put and get: at least this times sftp's rate ... */
    static final double TARGET_VS_SFTP = 1.5;
    /** ... and at least this times the plain TCP copy with fsync. */
    static final double TARGET_VS_TCP_FSYNC = 0.8;

    private FileTable() {
    }

    public static String render(List<FileRow> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| transfer (disk to disk) | MiB | status | s | MB/s | MB/s range (runs) | CPU s | CPU s/GB "
                + "| vs sftp, same direction | vs tcp+fsync | target: >= " + TARGET_VS_SFTP + "x sftp, >= "
                + TARGET_VS_TCP_FSYNC + "x tcp+fsync |\n");
        sb.append("|---|---:|---|---:|---:|---|---:|---:|---:|---:|---|\n");
        FileRow tcp = find(rows, TcpFsyncCopy.NAME);
        for (FileRow r : rows) {
            sb.append("| ").append(r.transfer()).append(" | ").append(r.bytes() >> 20).append(" | ").append(r.status());
            if (r.ok() && r.bytes() == 0) {
                sb.append(" | ").append(f("%.2f", r.seconds())).append(" | - | - | ").append(f("%.2f", r.cpuSeconds()))
                        .append(" | - | - | - | |\n");
                continue;
            }
            if (!hasRate(r)) {
                sb.append(" | - | - | ").append(r.spread()).append(" | - | - | - | - | - |\n");
                continue;
            }
            FileRow sftp = null;
            if (r.transfer().startsWith("fileclient ")) {
                String direction = r.transfer().substring("fileclient ".length());
                if (direction.endsWith(FileService.NEW_JVM)) {
                    direction = direction.substring(0, direction.length() - FileService.NEW_JVM.length());
                }
                sftp = find(rows, "sftp " + direction);
            }
            sb.append(" | ").append(f("%.2f", r.seconds()))
                    .append(" | ").append(f("%.1f", r.mbPerSecond()))
                    .append(" | ").append(r.spread())
                    .append(" | ").append(f("%.2f", r.cpuSeconds()))
                    .append(" | ").append(r.received() > 0 ? f("%.2f", r.cpuSeconds() / (r.received() / 1e9)) : "-")
                    .append(" | ").append(ratio(r, sftp))
                    .append(" | ").append(r == tcp ? "-" : ratio(r, tcp))
                    .append(" | ").append(r.transfer().startsWith("fileclient ") ? verdict(r, sftp, tcp) : "")
                    .append(" |\n");
        }
        return sb.toString();
    }

    private static String verdict(FileRow r, FileRow sftp, FileRow tcp) {
        if (!r.ok()) {
            return "-";
        }
        return "sftp: " + meets(r, sftp, TARGET_VS_SFTP) + ", tcp+fsync: " + meets(r, tcp, TARGET_VS_TCP_FSYNC);
    }

    private static String meets(FileRow r, FileRow base, double factor) {
        if (base == null || !base.ok()) {
            return "n/a";
        }
        return r.mbPerSecond() >= factor * base.mbPerSecond() ? "met" : "missed";
    }

    private static boolean hasRate(FileRow r) {
        return (r.ok() || r.status().equals("timeout")) && r.seconds() > 0 && r.received() > 0;
    }

    private static String ratio(FileRow r, FileRow base) {
        if (base == null || !hasRate(base)) {
            return "-";
        }
        return f("%.2f", r.mbPerSecond() / base.mbPerSecond());
    }

    static FileRow find(List<FileRow> rows, String transfer) {
        for (FileRow r : rows) {
            if (r.transfer().equals(transfer)) {
                return r;
            }
        }
        return null;
    }

    private static String f(String format, double v) {
        return String.format(Locale.ROOT, format, v);
    }
}
