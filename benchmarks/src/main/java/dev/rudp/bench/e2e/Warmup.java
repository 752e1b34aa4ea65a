package dev.rudp.bench.e2e;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Untimed warm-up rounds, repeated until the JIT compilers settle, the way JMH repeats warm-up
 * iterations. A fixed number of warm-up bytes is not enough: on loopback 128 MiB pass in a tenth of a
 * second, long before HotSpot's C2 has compiled the hot paths (seconds of compilation for rudp with
 * DTLS, and for the Java side of Netty's QUIC codec), and the measured transfer then shares the
 * machine's two cores with the compiler. A round repeats the warm-up transfer for at least
 * {@link #MIN_ROUND_SECONDS}, so that one long compilation does not decide it alone, and counts as
 * settled when the compilers were busy for less than {@link #SETTLED_SHARE} of its wall time. Warming
 * stops at the first settled round or after the bound. Every round is logged: a run shows what a cold
 * JVM does as well as what a warm one does.
 */
public final class Warmup {
    /** Compiler time per wall time under which the JIT counts as settled. */
    public static final double SETTLED_SHARE = 0.05;
    /** Shortest round. */
    public static final double MIN_ROUND_SECONDS = 1.0;
    /** Default bound on rounds per transport. */
    public static final int DEFAULT_ROUNDS = 10;

    /** One warm-up transfer; returns what it did, starting with "ok" when it succeeded. */
    @FunctionalInterface
    public interface Transfer {
        String run() throws IOException, InterruptedException;
    }

    private final int maxRounds;
    private final PrintStream log;
    private final LongSupplier nanoTime;
    private final LongSupplier jitMillis;

    /** @param maxRounds at most this many rounds per {@link #run} */
    public Warmup(int maxRounds, PrintStream log) {
        this(maxRounds, log, System::nanoTime, Meter::jitMillis);
    }

    /** With the clocks given: the wall clock in ns, and the compilers' total time in ms (-1: unknown). */
    Warmup(int maxRounds, PrintStream log, LongSupplier nanoTime, LongSupplier jitMillis) {
        if (maxRounds < 1) {
            throw new IllegalArgumentException("warm-up rounds must be at least 1");
        }
        this.maxRounds = maxRounds;
        this.log = log;
        this.nanoTime = nanoTime;
        this.jitMillis = jitMillis;
    }

    /**
     * Runs rounds of transfers until one round ends with the JIT settled, a transfer fails, or the
     * bound is reached.
     *
     * @return the number of rounds run
     */
    public int run(String name, Transfer transfer) throws IOException, InterruptedException {
        for (int round = 1; round <= maxRounds; round++) {
            long jitBefore = jitMillis.getAsLong();
            long start = nanoTime.getAsLong();
            int transfers = 0;
            String last;
            double seconds;
            do {
                last = transfer.run();
                transfers++;
                seconds = (nanoTime.getAsLong() - start) / 1e9;
            } while (last.startsWith("ok") && seconds < MIN_ROUND_SECONDS);
            long jitAfter = jitMillis.getAsLong();
            double share = jitBefore < 0 ? 0 : (jitAfter - jitBefore) / 1e3 / seconds;
            boolean settled = share < SETTLED_SHARE;
            log.printf(Locale.ROOT, "warm-up %-10s round %2d  %2d transfers %5.2f s  jit busy %3.0f%%  last: %s%s%n", name,
                    round, transfers, seconds, 100 * share, last, settled ? "  (settled)" : "");
            if (settled || !last.startsWith("ok")) {
                return round;
            }
        }
        return maxRounds;
    }
}
