package dev.rudp.reliability;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link RangeSet#add(long)} of received packet numbers, as the receiver's ACK tracker does, in three
 * arrival patterns of {@link #PACKETS} packets: in order (one growing range), with every
 * {@code holeEvery}-th packet missing (a range per hole, up to the 256-range cap with eviction), and
 * shuffled within windows of 64 (reordering). Time is per packet number of the span (the holes
 * pattern makes 10% fewer adds).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class RangeSetBenchmark {
    static final int PACKETS = 4096;

    @Param({"inOrder", "holes", "reordered"})
    String pattern;

    private long[] order;
    private RangeSet set;

    @Setup(Level.Trial)
    public void setUp() {
        long[] pns = new long[PACKETS];
        int n = 0;
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < PACKETS; i++) {
            if (pattern.equals("holes") && i % 10 == 9) {
                continue; // every 10th packet lost: 409 holes, more than the 256 ranges kept
            }
            pns[n++] = i;
        }
        order = java.util.Arrays.copyOf(pns, n);
        if (pattern.equals("reordered")) {
            for (int base = 0; base < order.length; base += 64) {
                int end = Math.min(order.length, base + 64);
                for (int i = end - 1; i > base; i--) {
                    int j = base + random.nextInt(i - base + 1);
                    long t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
            }
        }
    }

    @Setup(Level.Iteration)
    public void newSet() {
        set = new RangeSet(256, true);
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public int add() {
        set.clear();
        int fresh = 0;
        for (long pn : order) {
            if (set.add(pn)) {
                fresh++;
            }
        }
        return fresh;
    }
}
