package dev.rudp.bench.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** What the sessions of a load run did: latencies per operation, operations per session, bytes verified, failures. */
final class Recorder {
    /** The operations each session loops over. */
    enum Kind {
        PUT, GET, LS, MV, RM;

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Map<Kind, List<Long>> latencies = new EnumMap<>(Kind.class);
    private final AtomicLongArray perSession;
    private final AtomicLong verifiedBytes = new AtomicLong();
    private final AtomicLong verifiedFiles = new AtomicLong();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

    Recorder(int sessions) {
        for (Kind k : Kind.values()) {
            latencies.put(k, Collections.synchronizedList(new ArrayList<>()));
        }
        perSession = new AtomicLongArray(sessions);
    }

    void op(int session, Kind kind, long nanos) {
        latencies.get(kind).add(nanos);
        perSession.incrementAndGet(session);
    }

    /** A file that came back with the SHA-256 it went up with. */
    void verified(long bytes) {
        verifiedBytes.addAndGet(bytes);
        verifiedFiles.incrementAndGet();
    }

    void failure(int session, String what) {
        failures.add("session " + session + ": " + what.replace('\n', ' '));
    }

    List<String> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    long verifiedBytes() {
        return verifiedBytes.get();
    }

    long verifiedFiles() {
        return verifiedFiles.get();
    }

    long count(Kind k) {
        return latencies.get(k).size();
    }

    long total() {
        long n = 0;
        for (Kind k : Kind.values()) {
            n += count(k);
        }
        return n;
    }

    /** The {@code q}-quantile (0..1) of {@code kind}'s latencies in ms (nearest rank), NaN when none. */
    double quantileMillis(Kind kind, double q) {
        long[] v;
        synchronized (latencies.get(kind)) {
            v = latencies.get(kind).stream().mapToLong(Long::longValue).toArray();
        }
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        int rank = (int) Math.ceil(q * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, rank))] / 1e6;
    }

    /** Operations completed by sessions [from, to): sorted ascending. */
    long[] perSession(int from, int to) {
        long[] v = new long[Math.max(0, to - from)];
        for (int i = from; i < to; i++) {
            v[i - from] = perSession.get(i);
        }
        Arrays.sort(v);
        return v;
    }
}
