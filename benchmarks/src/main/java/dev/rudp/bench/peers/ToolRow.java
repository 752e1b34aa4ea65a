package dev.rudp.bench.peers;

import dev.rudp.bench.Repeats;
import java.util.List;

/**
 * What one transfer by one tool produced.
 *
 * @param profile {@code loopback} or the link profile's name
 * @param tool the row's name ({@code uftp -R -1}, {@code sftp (TCP BBR)}, ...)
 * @param label what the tool does: congestion control, cipher, whole-file verification
 * @param bytes size of the file
 * @param received bytes that landed and matched (all of them when ok)
 * @param status "ok", "timeout", "corrupt" (SHA-256 of what landed differs), "failed: ...", or
 *     "not installed (run benchmarks/setup.sh)"
 * @param seconds wall time of the client process (uftp: the sender's; udpcast: sender start to both exits)
 * @param clientCpu CPU seconds of every process at the client end (namespace A, the receiver but for
 *     {@code fileclient put}) over the transfer
 * @param serverCpu CPU seconds of every process at the server end (namespace B)
 * @param spread with repeats: lowest and highest rate and the number of runs, else "-"
 */
record ToolRow(String profile, String tool, String label, long bytes, long received, String status, double seconds,
        double clientCpu, double serverCpu, String spread) {

    static final String NOT_INSTALLED = "not installed (run benchmarks/setup.sh)";

    static ToolRow skipped(String profile, String tool, String label, long bytes, String why) {
        return new ToolRow(profile, tool, label, bytes, 0, why, 0, 0, 0, "-");
    }

    static ToolRow failed(String profile, String tool, String label, long bytes, Throwable e) {
        String why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return new ToolRow(profile, tool, label, bytes, 0, "failed: " + oneLine(why), 0, 0, 0, "-");
    }

    static String oneLine(String s) {
        String t = s.replace('|', '/').replace('\n', ' ').replace(',', ';').trim();
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }

    boolean ok() {
        return status.equals("ok");
    }

    /** A rate to show: completed, or timed out with some bytes in. */
    boolean hasRate() {
        return (ok() || status.equals("timeout")) && seconds > 0 && received > 0;
    }

    double mbPerSecond() {
        return seconds > 0 ? received / 1e6 / seconds : 0;
    }

    /** The median run of {@code runs} with their spread ({@link Repeats}). */
    static ToolRow pick(List<ToolRow> runs) {
        Repeats<ToolRow> r = Repeats.of(runs, ToolRow::ok, ToolRow::mbPerSecond);
        ToolRow f = r.reported();
        return new ToolRow(f.profile, f.tool, f.label, f.bytes, f.received, f.status, f.seconds, f.clientCpu, f.serverCpu,
                r.spread());
    }
}
