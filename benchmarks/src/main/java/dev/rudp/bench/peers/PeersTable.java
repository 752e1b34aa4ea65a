package dev.rudp.bench.peers;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The rows as a Markdown table for the console and as CSV for {@code benchmarks/results/}. "share of
 * ceiling" is MB/s over the profile's measured ceiling ({@link Ceiling}); "vs fileclient get" is the
 * fileclient get row of the same profile over this row (how much faster the product is).
 */
final class PeersTable {
    static final String CSV_HEADER = "profile,tool,label,bytes,received,status,seconds,mb_per_s,runs_range,"
            + "ceiling_mb_per_s,share_of_ceiling,client_cpu_s,server_cpu_s,client_cpu_s_per_gb,server_cpu_s_per_gb";

    private PeersTable() {
    }

    static String markdown(List<ToolRow> rows, Map<String, Double> ceilings) {
        StringBuilder sb = new StringBuilder();
        sb.append("| path | tool | what it does | MiB | status | s | MB/s | MB/s range (runs) | share of ceiling "
                + "| client CPU-s | server CPU-s | CPU-s/GB client / server | fileclient get vs this |\n");
        sb.append("|---|---|---|---:|---|---:|---:|---|---:|---:|---:|---|---:|\n");
        for (ToolRow r : rows) {
            ToolRow ours = find(rows, r.profile(), "bin/fileclient get");
            Double ceiling = ceilings.get(r.profile());
            sb.append("| ").append(r.profile()).append(" | ").append(r.tool()).append(" | ").append(r.label())
                    .append(" | ").append(r.bytes() >> 20).append(" | ").append(r.status());
            if (!r.hasRate()) {
                sb.append(" | - | - | ").append(r.spread()).append(" | - | - | - | - | - |\n");
                continue;
            }
            sb.append(" | ").append(f("%.2f", r.seconds()))
                    .append(" | ").append(f("%.1f", r.mbPerSecond()))
                    .append(" | ").append(r.spread())
                    .append(" | ").append(ceiling == null || ceiling <= 0 ? "-" : f("%.0f%%", 100 * r.mbPerSecond() / ceiling))
                    .append(" | ").append(f("%.2f", r.clientCpu()))
                    .append(" | ").append(f("%.2f", r.serverCpu()))
                    .append(" | ").append(f("%.1f", perGb(r.clientCpu(), r))).append(" / ").append(f("%.1f", perGb(r.serverCpu(), r)))
                    .append(" | ").append(ours == null || ours == r || !ours.hasRate() ? "-"
                            : f("%.2fx", ours.mbPerSecond() / r.mbPerSecond()))
                    .append(" |\n");
        }
        return sb.toString();
    }

    static String csv(List<ToolRow> rows, Map<String, Double> ceilings) {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (ToolRow r : rows) {
            Double ceiling = ceilings.get(r.profile());
            boolean rate = r.hasRate();
            sb.append(String.join(",", r.profile(), r.tool(), "\"" + r.label().replace("\"", "'") + "\"",
                    String.valueOf(r.bytes()), String.valueOf(r.received()), "\"" + r.status().replace("\"", "'") + "\"",
                    f("%.3f", r.seconds()), rate ? f("%.2f", r.mbPerSecond()) : "",
                    r.spread().equals("-") ? "" : r.spread(), ceiling == null ? "" : f("%.2f", ceiling),
                    rate && ceiling != null && ceiling > 0 ? f("%.3f", r.mbPerSecond() / ceiling) : "",
                    f("%.2f", r.clientCpu()), f("%.2f", r.serverCpu()),
                    rate ? f("%.2f", perGb(r.clientCpu(), r)) : "", rate ? f("%.2f", perGb(r.serverCpu(), r)) : ""))
                    .append('\n');
        }
        return sb.toString();
    }

    private static double perGb(double cpu, ToolRow r) {
        return r.received() > 0 ? cpu / (r.received() / 1e9) : 0;
    }

    static ToolRow find(List<ToolRow> rows, String profile, String tool) {
        for (ToolRow r : rows) {
            if (r.profile().equals(profile) && r.tool().equals(tool)) {
                return r;
            }
        }
        return null;
    }

    private static String f(String format, double v) {
        return String.format(Locale.ROOT, format, v);
    }
}
