package dev.rudp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding and decoding of an ACK frame with {@code ranges} ranges (the receiver writes one per packet
 * burst, the sender parses each; rudp sends at most 32, a peer may send 256). The MESSAGE frame is in
 * {@link MessageFrameBenchmark}. Buffers are direct, as on the socket path.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class AckFrameBenchmark {
    @Param({"1", "16", "256"})
    int ranges;

    private final AckFrame ack = new AckFrame();
    private final AckFrame decoded = new AckFrame();
    private ByteBuf out;
    private ByteBuf encodedAck;

    @Setup(Level.Trial)
    public void setUp() {
        // Ranges of 8 packets separated by single holes, below a largest acknowledged near 1M.
        ack.reset(1234);
        long high = 1_000_000;
        for (int i = 0; i < ranges; i++) {
            ack.addRange(high - 7, high);
            high -= 9;
        }
        out = Unpooled.directBuffer(4096);
        encodedAck = Unpooled.directBuffer(4096);
        ack.encode(encodedAck, ranges);
        encodedAck.skipBytes(1); // decode starts after the type byte
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        out.release();
        encodedAck.release();
    }

    @Benchmark
    public int ackEncode() {
        out.clear();
        ack.encode(out, ranges);
        return out.writerIndex();
    }

    @Benchmark
    public boolean ackDecode() {
        return decoded.decode(encodedAck.duplicate());
    }
}
