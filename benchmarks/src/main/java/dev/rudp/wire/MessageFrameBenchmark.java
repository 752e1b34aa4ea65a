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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding and decoding of a MESSAGE fragment filling a 1400-byte datagram: encoding copies the
 * fragment's bytes out of the application's message, decoding slices them. Buffers are direct.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class MessageFrameBenchmark {
    /** Payload bytes of a MESSAGE fragment in a 1400-byte datagram (header, trailer and frame fields aside). */
    static final int FRAGMENT = 1360;

    private final MessageFrame message = new MessageFrame();
    private ByteBuf out;
    private ByteBuf encoded;
    private ByteBuf body;

    @Setup(Level.Trial)
    public void setUp() {
        out = Unpooled.directBuffer(2048);
        body = Unpooled.directBuffer(64 << 10).writeZero(64 << 10);
        encoded = Unpooled.directBuffer(2048);
        MessageFrame.encode(encoded, true, 123_456, body, 32 << 10, FRAGMENT);
        encoded.skipBytes(1); // decode starts after the type byte
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        out.release();
        body.release();
        encoded.release();
    }

    @Benchmark
    public int encode() {
        out.clear();
        MessageFrame.encode(out, true, 123_456, body, 32 << 10, FRAGMENT);
        return out.writerIndex();
    }

    @Benchmark
    public boolean decode() {
        return message.decode(encoded.duplicate(), true);
    }
}
