package dev.rudp.bench.netns;

import dev.rudp.bench.Repeats;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Formats the rows of a namespace run as Markdown, with ratios against kernel TCP and the targets. */
final class NetnsTable {
    /** Ethernet-free MSS of a 1500-byte MTU, to turn TCP's retransmitted segments into bytes. */
    static final int TCP_MSS = 1448;

    private NetnsTable() {
    }

    /**
     * One transfer.
     *
     * @param profile the condition
     * @param transport the transport
     * @param bytes bytes it had to move
     * @param received bytes that arrived (by the timeout if it timed out)
     * @param status "ok", "timeout", "corrupt", "n/a: why" or "failed: why"
     * @param seconds from the connection to the last byte, or the timeout
     * @param retransmittedBytes rudp: the sender's count; TCP: RetransSegs x {@link #TCP_MSS}; -1 unknown
     * @param drops {@code {seenAtoB, droppedAtoB, seenBtoA, droppedBtoA}} from the drop rules, -1 unknown
     */
    record Row(NetProfile profile, String transport, long bytes, long received, String status, double seconds,
            long retransmittedBytes, long[] drops) {
        boolean hasRate() {
            return (status.equals("ok") || status.equals("timeout")) && received > 0 && seconds > 0;
        }

        double mbPerSecond() {
            return received / 1e6 / seconds;
        }

        /** Whether the transfer timed out: its rate is what it moved over the time it ran. */
        boolean partial() {
            return status.equals("timeout");
        }
    }

    static String render(List<Row> rows) {
        return render(rows, Map.of());
    }

    /** With {@code spreads}: the MB/s range of each row's repeated runs (absent or one run: "-"). */
    static String render(List<Row> rows, Map<Row, Repeats<Row>> spreads) {
        StringBuilder sb = new StringBuilder();
        sb.append("| profile | transport | MiB | status | MB/s | MB/s range (runs) | Mbit/s | % of limit | retransmitted MiB | dropped A→B | dropped B→A | vs tcp-cubic | vs tcp-bbr |\n");
        sb.append("|---|---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append("| ").append(r.profile().name()).append(" | ").append(r.transport())
                    .append(" | ").append(r.bytes() >> 20)
                    .append(" | ").append(status(r));
            if (!r.hasRate()) {
                sb.append(" | - | - | - | - | - | ").append(dropped(r.drops(), 0)).append(" | ").append(dropped(r.drops(), 2))
                        .append(" | - | - |\n");
                continue;
            }
            Repeats<Row> spread = spreads.get(r);
            sb.append(" | ").append(f("%.1f", r.mbPerSecond()))
                    .append(" | ").append(spread == null ? "-" : spread.spread())
                    .append(" | ").append(f("%.0f", r.mbPerSecond() * 8))
                    .append(" | ").append(r.profile().rateMbit() > 0 ? f("%.1f %%", goodputPercent(r)) : "-")
                    .append(" | ").append(r.retransmittedBytes() < 0 ? "n/a" : f("%.2f", r.retransmittedBytes() / 1048576.0))
                    .append(" | ").append(dropped(r.drops(), 0))
                    .append(" | ").append(dropped(r.drops(), 2))
                    .append(" | ").append(r.transport().startsWith("tcp") ? "-" : ratio(r, find(rows, r.profile(), "tcp-cubic")))
                    .append(" | ").append(r.transport().startsWith("tcp") ? "-" : ratio(r, find(rows, r.profile(), "tcp-bbr")))
                    .append(" |\n");
        }
        return sb.toString();
    }

    private static String status(Row r) {
        if (r.partial()) {
            return f("timeout after %.0f s with %.1f MB moved", r.seconds(), r.received() / 1e6);
        }
        return r.status();
    }

    /** Goodput (payload bits per second) as a percentage of the profile's rate limit. */
    static double goodputPercent(Row r) {
        return r.mbPerSecond() * 8 / r.profile().rateMbit() * 100;
    }

    private static String dropped(long[] d, int at) {
        if (d == null || d[at] <= 0 || d[at + 1] < 0) {
            return "-";
        }
        return f("%.2f %%", 100.0 * d[at + 1] / d[at]);
    }

    /** {@code r}'s rate over {@code base}'s, starred when either timed out (its rate is over the time it ran). */
    static String ratio(Row r, Row base) {
        if (base == null || !base.hasRate() || !r.hasRate()) {
            return "-";
        }
        return f("%.2f", r.mbPerSecond() / base.mbPerSecond()) + (r.partial() || base.partial() ? "*" : "");
    }

    static Row find(List<Row> rows, NetProfile profile, String transport) {
        for (Row r : rows) {
            if (r.profile().equals(profile) && r.transport().equals(transport)) {
                return r;
            }
        }
        return null;
    }

    /**
     * The targets, judged on the rows that exist: at 5 % loss rudp at least 20x TCP CUBIC and at
     * least TCP BBR; at 1 % loss, 20 ms RTT and 200 Mbit/s, goodput at least 85 % of the limit.
     */
    static String targets(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        for (Row r : rows) {
            if (!r.transport().equals("rudp")) {
                continue;
            }
            NetProfile p = r.profile();
            if (p.lossPercent() == 5 && p.rttMillis() == 0 && p.rateMbit() == 0) {
                sb.append("- target `").append(p.name()).append("`: rudp ≥ 20x tcp-cubic: ")
                        .append(verdict(r, find(rows, p, "tcp-cubic"), 20))
                        .append("; rudp ≥ tcp-bbr: ").append(verdict(r, find(rows, p, "tcp-bbr"), 1)).append('\n');
            }
            if (p.lossPercent() == 1 && p.rttMillis() == 20 && p.rateMbit() == 200) {
                String v = !r.hasRate() ? "not measured (" + r.status() + ")"
                        : f("%.1f %% of the limit", goodputPercent(r)) + (goodputPercent(r) >= 85 ? ", met"
                                : ", NOT met") + (r.partial() ? " (timed out: rate over the time it ran)" : "");
                sb.append("- target `").append(p.name()).append("`: rudp goodput ≥ 85 % of 200 Mbit/s: ").append(v)
                        .append('\n');
            }
        }
        return sb.toString();
    }

    private static String verdict(Row r, Row base, double factor) {
        String ratio = ratio(r, base);
        if (ratio.equals("-")) {
            return "not measured";
        }
        return ratio + (r.mbPerSecond() / base.mbPerSecond() >= factor ? ", met" : ", NOT met");
    }

    private static String f(String format, Object... v) {
        return String.format(Locale.ROOT, format, v);
    }
}
