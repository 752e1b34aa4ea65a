package dev.rudp.bench.load;

import dev.rudp.bench.RawRun;
import dev.rudp.bench.e2e.Machine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/** The figures of one flood run, written as {@code results/flood-STAMP.md} and CSVs. */
record FloodReport(FloodRunner.Options o, List<byte[]> captured, int idleOpened, List<String> idleErrors,
        double idleSeconds, long idleOpenAtEnd, double rateBefore, double rateDuring, double rateAfter, double afterSeconds,
        long transfersDuringFlood, long heapBefore, long heapDuring, long heapAfterGc, long[] heapFloodEnd,
        long[] heapAfter, long floodPackets, long floodBytes, long[] kindPackets, long[] kindBytes, long recvPackets,
        long recvBytes, long sendErrors, double cpuBefore, double cpuFlood, List<String> transferErrors,
        long connects, long[] rcvbufDrops) {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    double amplification() {
        return floodBytes == 0 ? 0 : (double) recvBytes / floodBytes;
    }

    /** Prints and writes the run; returns 0 when the correctness checks passed. */
    int write(PrintStream log, String command) throws IOException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        StringBuilder md = new StringBuilder("## flood ").append(DateTimeFormatter.ISO_INSTANT.format(now)).append("\n\n");
        md.append("- command: `").append(command).append("`\n");
        md.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        md.append("- machine: ").append(Machine.describe()).append('\n');
        md.append("- git commit: ").append(Machine.gitCommit()).append('\n');
        md.append(String.format(Locale.ROOT, "- one `bin/fileserver serve` on loopback (%s, --max-sessions %d%s);"
                + " %d idle sessions (%s handshake and key login each, 8 at a time, opened in %.1f s, %d failed);"
                + " two transfers of %d MiB in a loop (one put, one get, key login), %.0f s of warm-up before measuring; flood: %d datagrams/s for %.1f s"
                + " from %d UDP sockets (seed %d), kinds in turn; captured from a real client: %d datagrams (%s)%n",
                o.plaintext() ? "plaintext" : "DTLS 1.2", o.idle() + 16,
                o.userRate() == null ? "" : ", --user-rate " + o.userRate(), idleOpened, o.plaintext() ? "plaintext" : "DTLS", idleSeconds, idleErrors.size(),
                o.file() >> 20, o.warmup(), o.rate(), o.seconds(), o.sockets(), o.seed(), captured.size(), sizes()));
        md.append("- the server sent to the flood's sockets: every byte their receiver read (none of them ever completes"
                + " a handshake, so all of it went to unvalidated addresses); UDP payload bytes both ways\n\n");
        md.append("| phase | s | transfers MB/s (both) | server heap after GC, max MiB (GC log) | server heap used MiB (jcmd, at the phase's end) | server CPU-s | UDP receive-buffer drops (whole machine) |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        md.append(String.format(Locale.ROOT, "| before | %.1f | %.1f | %s | | %.1f | %d |%n", o.before(), rateBefore,
                heap(heapBefore), cpuBefore, rcvbufDrops[0]));
        md.append(String.format(Locale.ROOT, "| flood | %.1f | %.1f | %s | %.1f | %.1f | %d |%n", o.seconds(), rateDuring,
                heap(heapDuring), heapFloodEnd[0] / 1024.0, cpuFlood, rcvbufDrops[1]));
        md.append(String.format(Locale.ROOT, "| after | %.1f | %.1f | %s | %.1f | | %d |%n%n", afterSeconds, rateAfter,
                heap(heapAfterGc), heapAfter[0] / 1024.0, rcvbufDrops[2]));
        md.append("| flood kind | datagrams | bytes |\n|---|---:|---:|\n");
        for (FloodSender.Kind k : FloodSender.Kind.values()) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %d |%n", k.name().toLowerCase(Locale.ROOT),
                    kindPackets[k.ordinal()], kindBytes[k.ordinal()]));
        }
        md.append(String.format(Locale.ROOT, "| all | %d | %d |%n%n", floodPackets, floodBytes));
        double share = rateBefore == 0 ? 0 : rateDuring / rateBefore;
        md.append("| figure | value | target |\n|---|---:|---|\n");
        md.append(String.format(Locale.ROOT, "| transfers' rate during / before | %.2f | >= %.2f: %s |%n", share,
                FloodRunner.MIN_RATE_SHARE, share >= FloodRunner.MIN_RATE_SHARE ? "met" : "missed"));
        md.append(String.format(Locale.ROOT, "| transfers that ran during the flood and completed | %d | >= 1 |%n", transfersDuringFlood));
        md.append(String.format(Locale.ROOT, "| datagrams the server sent to the flood | %d | |%n", recvPackets));
        md.append(String.format(Locale.ROOT, "| bytes the server sent to the flood | %d | |%n", recvBytes));
        md.append(String.format(Locale.ROOT, "| bytes sent / bytes received (amplification) | %.4f | <= %.1f: %s |%n",
                amplification(), FloodRunner.MAX_AMPLIFICATION,
                amplification() <= FloodRunner.MAX_AMPLIFICATION ? "met" : "missed"));
        md.append(String.format(Locale.ROOT, "| flood send errors (socket) | %d | |%n", sendErrors));
        double extra = cpuFlood - cpuBefore * o.seconds() / o.before();
        md.append(String.format(Locale.ROOT, "| server CPU-s during the flood beyond the before phase's rate, per 1000 datagrams | %.3f | |%n",
                floodPackets == 0 ? 0 : extra / (floodPackets / 1000.0)));
        md.append(String.format(Locale.ROOT, "| idle sessions open at the end | %d of %d | all |%n", idleOpenAtEnd,
                idleOpened));
        md.append(String.format(Locale.ROOT, "| server connect log lines | %d | |%n", connects));
        md.append("\n- transfer errors: ").append(transferErrors.isEmpty() ? "none" : String.join("; ", transferErrors))
                .append('\n');
        if (!idleErrors.isEmpty()) {
            md.append("- idle sessions that could not open: ").append(idleErrors.size()).append(", first: ")
                    .append(idleErrors.get(0)).append('\n');
        }
        Path file = RawRun.write(o.out(), "flood", STAMP.format(now), md.toString());
        log.println(md);
        log.println("wrote " + file.toAbsolutePath().normalize() + " and its .csv");
        boolean ok = amplification() <= FloodRunner.MAX_AMPLIFICATION && transfersDuringFlood >= 1
                && idleOpenAtEnd == idleOpened && idleErrors.isEmpty() && transferErrors.isEmpty();
        return ok ? 0 : 1;
    }

    private String sizes() {
        StringBuilder s = new StringBuilder();
        for (byte[] b : captured) {
            s.append(s.length() == 0 ? "" : ", ").append(b.length).append(" B");
        }
        return s.toString();
    }

    private static String heap(long mib) {
        return mib < 0 ? "no GC" : String.valueOf(mib);
    }
}
