package dev.rudp.bench.e2e;

import dev.rudp.bench.Repeats;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Formats outcomes as a Markdown table, with ratios against TCP and QUIC of the same profile. */
final class Table {
    private Table() {
    }

    static String render(List<Outcome> outcomes) {
        return render(outcomes, Map.of());
    }

    /** With {@code spreads}: the MB/s range of each outcome's repeated runs (absent or one run: "-"). */
    static String render(List<Outcome> outcomes, Map<Outcome, Repeats<Outcome>> spreads) {
        StringBuilder sb = new StringBuilder();
        sb.append("| profile | transport | MiB | status | MB/s | MB/s range (runs) | CPU s | JIT s | GC s | CPU s/GB | peak heap MiB | peak direct MiB | retransmitted MiB | vs tcp | vs quic |\n");
        sb.append("|---|---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Outcome o : outcomes) {
            Outcome tcp = find(outcomes, o.profile(), "tcp");
            Outcome quic = find(outcomes, o.profile(), "quic");
            sb.append("| ").append(o.profile().name())
                    .append(" | ").append(o.transport())
                    .append(" | ").append(o.bytes() >> 20)
                    .append(" | ").append(o.status());
            if (o.status().equals("n/a") || !o.hasRate()) {
                sb.append(" | - | - | - | - | - | - | - | - | - | - | - |\n");
                continue;
            }
            Repeats<Outcome> spread = spreads.get(o);
            sb.append(" | ").append(f("%.1f", o.mbPerSecond()))
                    .append(" | ").append(spread == null ? "-" : spread.spread())
                    .append(" | ").append(f("%.2f", o.cpuSeconds()))
                    .append(" | ").append(o.jitSeconds() < 0 ? "n/a" : f("%.2f", o.jitSeconds()))
                    .append(" | ").append(f("%.2f", o.gcSeconds()))
                    .append(" | ").append(o.received() > 0 ? f("%.2f", o.cpuSeconds() / (o.received() / 1e9)) : "-")
                    .append(" | ").append(o.peakHeapBytes() >> 20)
                    .append(" | ").append(o.peakDirectBytes() < 0 ? "n/a" : String.valueOf(o.peakDirectBytes() >> 20))
                    .append(" | ").append(o.retransmittedBytes() < 0 ? "n/a" : f("%.2f", o.retransmittedBytes() / 1048576.0))
                    .append(" | ").append(ratio(o, tcp))
                    .append(" | ").append(ratio(o, quic))
                    .append(" |\n");
        }
        return sb.toString();
    }

    private static String ratio(Outcome o, Outcome base) {
        if (base == null || !base.hasRate() || !o.hasRate()) {
            return "-";
        }
        return f("%.2f", o.mbPerSecond() / base.mbPerSecond());
    }

    static Outcome find(List<Outcome> outcomes, Profile profile, String transport) {
        for (Outcome o : outcomes) {
            if (o.profile().equals(profile) && o.transport().equals(transport)) {
                return o;
            }
        }
        return null;
    }

    private static String f(String format, double v) {
        return String.format(Locale.ROOT, format, v);
    }
}
