package dev.rudp.reliability;

import dev.rudp.wire.AckFrame;
import java.util.ArrayList;
import java.util.List;
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
 * Loss detection under a hole pattern, as a bulk sender sees it: {@link #PACKETS} packets in flight,
 * and the receiver's ACK stream (built once with the receiver's own {@link AckTracker}, one ACK per two
 * packets, each carrying the newest ranges the tracker holds, up to its 32 per frame) for a path that
 * lost every {@code holeEvery}-th packet. The holes accumulate, so ACKs soon carry the full 32 ranges and
 * the detector holds more lost packets. Time is per ACK processed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class LossDetectionBenchmark {
    static final int PACKETS = 4096;
    static final int ACKS = PACKETS / 2;

    /** 0: no loss; n: every n-th packet lost. */
    @Param({"0", "100", "20", "5"})
    int holeEvery;

    private final List<AckFrame> acks = new ArrayList<>();
    private LossDetector detector;
    private long[] ackTimes;

    @Setup(Level.Trial)
    public void buildAcks() {
        AckTracker tracker = new AckTracker(AckProcessingBenchmark.MAX_ACK_DELAY);
        ackTimes = new long[ACKS];
        long t = 1_000_000_000L;
        for (int pn = 0; pn < PACKETS; pn++) {
            if (holeEvery == 0 || pn % holeEvery != holeEvery - 1) {
                tracker.onPacketNumber(pn);
                tracker.onPacketProcessed(pn, true, false, t);
            }
            if (pn % 2 == 1) {
                AckFrame f = new AckFrame();
                // The ACK for packets up to pn arrives 10 ms after pn was sent (1 us apart).
                long arrival = t + pn * 1_000L + 10_000_000L;
                tracker.fill(f, arrival); // packet 0 always arrives, so the tracker is never empty here
                tracker.onAckSent();
                acks.add(f);
                ackTimes[pn / 2] = arrival;
            }
        }
    }

    @Setup(Level.Invocation)
    public void sendFlight() {
        detector = AckProcessingBenchmark.freshFlight(PACKETS);
    }

    @Benchmark
    @OperationsPerInvocation(ACKS)
    public long ackStream() {
        for (int i = 0; i < ACKS; i++) {
            detector.onAck(acks.get(i), ackTimes[i], false);
        }
        return detector.bytesInFlight();
    }
}
