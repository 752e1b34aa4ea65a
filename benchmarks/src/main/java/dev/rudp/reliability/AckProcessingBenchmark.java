package dev.rudp.reliability;

import dev.rudp.wire.AckFrame;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One ACK frame with {@code ranges} ranges arriving at a {@link LossDetector} (with {@link NewReno} and
 * the RTT estimator behind it) that has {@link #PACKETS} 1400-byte packets in flight. The ranges split
 * the flight evenly with one-packet holes, so {@code ranges - 1} packets are declared lost by the packet
 * threshold in the same call; {@code ranges = 1} is the loss-free case. Each invocation starts from a
 * fresh detector with the flight already sent (set-up, not measured); time is per ACK. rudp itself
 * sends at most 32 ranges per ACK; up to 256 ({@code AckFrame.MAX_RANGES}) are accepted from a peer.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class AckProcessingBenchmark {
    static final int PACKETS = 1024;
    static final int SIZE = 1400;
    static final long MAX_ACK_DELAY = 5_000_000L;

    @Param({"1", "16", "128", "255"})
    int ranges;

    private final AckFrame ack = new AckFrame();
    private LossDetector detector;
    private long now;
    private final Counting listener = new Counting();

    /** Counts what the detector reports, so nothing is optimised away. */
    static final class Counting implements LossDetector.Listener {
        long acked;
        long lost;
        long spurious;

        @Override
        public void onPacketAcked(SentPacket p, long nowNanos) {
            acked++;
        }

        @Override
        public void onPacketLost(SentPacket p, long nowNanos) {
            lost++;
        }

        @Override
        public void onSpuriousLoss(SentPacket p) {
            spurious++;
        }
    }

    @Setup(Level.Trial)
    public void buildAck() {
        // Ranges high to low over [0, PACKETS - 1], separated by one-packet holes.
        ack.reset(100);
        int holes = ranges - 1;
        int covered = PACKETS - holes;
        long high = PACKETS - 1;
        for (int r = 0; r < ranges; r++) {
            int len = covered / ranges + (r < covered % ranges ? 1 : 0);
            ack.addRange(high - len + 1, high);
            high -= len + 1;
        }
    }

    @Setup(Level.Invocation)
    public void sendFlight() {
        detector = freshFlight(PACKETS);
        now = 1_000_000_000L + PACKETS * 1_000L + 20_000_000L; // 20 ms after the last send
    }

    /** A detector with {@code n} ack-eliciting packets sent 1 us apart from t = 1 s. */
    static LossDetector freshFlight(int n) {
        LossDetector d = new LossDetector(new RttEstimator(333_000_000L), new NewReno(SIZE), MAX_ACK_DELAY,
                new Counting());
        long t = 1_000_000_000L;
        for (int i = 0; i < n; i++) {
            SentPacket p = d.log().append(t);
            p.size = SIZE;
            p.ackEliciting = true;
            p.inFlight = true;
            d.onPacketSent(p);
            t += 1_000L;
        }
        return d;
    }

    @Benchmark
    public long onAck() {
        detector.onAck(ack, now, false);
        return detector.bytesInFlight();
    }
}
