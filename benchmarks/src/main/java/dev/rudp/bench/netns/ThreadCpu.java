package dev.rudp.bench.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * CPU time of this JVM's threads, by kind, from {@code /proc/self/task/TID/stat} (Linux only; empty
 * elsewhere). JIT and GC threads are native and invisible to {@code ThreadMXBean}, which is why this reads
 * procfs. A {@link #snapshot()} before and after a transfer gives, by {@link #since}, the CPU each kind of
 * thread spent on it; threads born in between count from zero.
 */
final class ThreadCpu {
    /** Kinds of thread, by their kernel name (15 bytes of the Java name). */
    enum Kind {
        /** Netty's event loops: all of rudp's per-packet work, DTLS record protection included. */
        EVENT_LOOP,
        /** C1 and C2 compiler threads. */
        JIT,
        /** Garbage collector and VM threads. */
        GC_VM,
        /** Everything else (main, DTLS handshakes, the benchmark's own threads). */
        OTHER;

        static Kind of(String comm) {
            if (comm.startsWith("multiThreadIoEv") || comm.startsWith("epollEventLoop") || comm.startsWith("nioEventLoop")) {
                return EVENT_LOOP;
            }
            if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
                return JIT;
            }
            if (comm.startsWith("GC ") || comm.startsWith("G1 ") || comm.startsWith("VM ")) {
                return GC_VM;
            }
            return OTHER;
        }
    }

    /** Clock ticks per second of {@code /proc} times: USER_HZ, 100 on every Linux build that matters. */
    private static final double TICKS_PER_SECOND = 100;

    private final Map<String, long[]> byTid;

    private ThreadCpu(Map<String, long[]> byTid) {
        this.byTid = byTid;
    }

    /** Per thread: {kind ordinal, utime + stime in ticks}. */
    static ThreadCpu snapshot() {
        Map<String, long[]> m = new HashMap<>();
        Path tasks = Paths.get("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return new ThreadCpu(m);
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks)) {
            for (Path t : ds) {
                try {
                    long[] parsed = parse(new String(Files.readAllBytes(t.resolve("stat")), StandardCharsets.US_ASCII));
                    if (parsed != null && parsed[0] == Kind.EVENT_LOOP.ordinal()) {
                        parsed[3] = voluntarySwitches(
                                new String(Files.readAllBytes(t.resolve("status")), StandardCharsets.US_ASCII));
                    }
                    if (parsed != null) {
                        m.put(t.getFileName().toString(), parsed);
                    }
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // no procfs: an empty snapshot
        }
        return new ThreadCpu(m);
    }

    /** {kind ordinal, utime + stime, stime, 0 (for the switches)} of one {@code stat} line, or null if it is not one. */
    static long[] parse(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
            return null;
        }
        String comm = stat.substring(open + 1, close);
        String[] f = stat.substring(close + 2).trim().split(" ");
        // after "(comm) ": state(0) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(11) stime(12)
        if (f.length < 13) {
            return null;
        }
        return new long[] {Kind.of(comm).ordinal(), Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[12]), 0};
    }

    /** The {@code voluntary_ctxt_switches} of a {@code status} file: how often the thread went to sleep. */
    static long voluntarySwitches(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return 0;
    }

    /**
     * Seconds of CPU per kind, indexed by {@link Kind#ordinal()}, spent between {@code before} and this; two
     * more slots at the end hold the event loops' system (kernel) share and how often they slept (their
     * voluntary context switches: each is a wake-up, which costs far more than the work it does).
     */
    double[] since(ThreadCpu before) {
        int kinds = Kind.values().length;
        double[] s = new double[kinds + 2];
        for (Map.Entry<String, long[]> e : byTid.entrySet()) {
            long[] now = e.getValue();
            long[] was = before.byTid.get(e.getKey());
            s[(int) now[0]] += (now[1] - (was == null ? 0 : was[1])) / TICKS_PER_SECOND;
            if (now[0] == Kind.EVENT_LOOP.ordinal()) {
                s[kinds] += (now[2] - (was == null ? 0 : was[2])) / TICKS_PER_SECOND;
                s[kinds + 1] += now[3] - (was == null ? 0 : was[3]);
            }
        }
        return s;
    }

    /**
     * The line a peer prints for the runner's console: CPU by kind, packets, and event-loop microseconds
     * per data packet of the transfer (the figure) and per packet this end handled (sent plus received).
     *
     * @param role "sender" or "receiver"
     * @param cpu from {@link #since}
     * @param dataPackets the packets of the transfer: the sender's packets sent
     * @param sent packets this end sent
     * @param received packets this end received
     * @param bytes payload bytes of the transfer
     */
    static String report(String role, double[] cpu, long dataPackets, long sent, long received, long bytes) {
        double loop = cpu[Kind.EVENT_LOOP.ordinal()];
        double total = 0;
        for (Kind k : Kind.values()) {
            total += cpu[k.ordinal()];
        }
        double gb = bytes / 1e9;
        return String.format(Locale.ROOT, "%s cpu: event loop %.2f s (kernel %.2f), jit %.2f s, gc+vm %.2f s, other %.2f s, total %.2f s"
                + " (%.2f CPU-s/GB, event loop %.2f CPU-s/GB); packets sent %d received %d;"
                + " event loop %.2f us per data packet, %.2f us per packet handled, %.2f wake-ups per data packet",
                role, loop, cpu[Kind.values().length], cpu[Kind.JIT.ordinal()], cpu[Kind.GC_VM.ordinal()], cpu[Kind.OTHER.ordinal()], total,
                gb > 0 ? total / gb : 0, gb > 0 ? loop / gb : 0, sent, received,
                dataPackets > 0 ? loop * 1e6 / dataPackets : 0, sent + received > 0 ? loop * 1e6 / (sent + received) : 0,
                dataPackets > 0 ? cpu[Kind.values().length + 1] / dataPackets : 0);
    }
}
