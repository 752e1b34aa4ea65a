package dev.rudp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
 * {@code encodePooled*}: as a file transfer sends, into a buffer of Netty's default (adaptive, pooled)
 * allocator from a message made of a frame header and its data (a composite buffer), by
 * {@link ByteCopy} and, for comparison, by the destination's {@code writeBytes}.
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
    private ByteBuf pooledOut;
    private ByteBuf composite;

    @Setup(Level.Trial)
    public void setUp() {
        out = Unpooled.directBuffer(2048);
        body = Unpooled.directBuffer(64 << 10).writeZero(64 << 10);
        encoded = Unpooled.directBuffer(2048);
        MessageFrame.encode(encoded, true, 123_456, body, 32 << 10, FRAGMENT);
        encoded.skipBytes(1); // decode starts after the type byte
        pooledOut = ByteBufAllocator.DEFAULT.directBuffer(2048);
        ByteBuf header = ByteBufAllocator.DEFAULT.directBuffer(18).writeZero(18);
        ByteBuf data = ByteBufAllocator.DEFAULT.heapBuffer(64 << 10).writeZero(64 << 10);
        composite = ByteBufAllocator.DEFAULT.compositeBuffer(2).addComponent(true, header).addComponent(true, data);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        out.release();
        body.release();
        encoded.release();
        pooledOut.release();
        composite.release();
    }

    @Benchmark
    public int encode() {
        out.clear();
        MessageFrame.encode(out, true, 123_456, body, 32 << 10, FRAGMENT);
        return out.writerIndex();
    }

    /** A fragment crossing the composite's two parts (the first of each message), then one inside its data. */
    @Benchmark
    public int encodePooled() {
        pooledOut.clear();
        MessageFrame.encode(pooledOut, true, 123_456, composite, 0, FRAGMENT);
        MessageFrame.encode(pooledOut.clear(), true, 123_456, composite, 32 << 10, FRAGMENT);
        return pooledOut.writerIndex();
    }

    /** {@link #encodePooled}'s copies made by the destination's {@code writeBytes}, as before {@link ByteCopy}. */
    @Benchmark
    public int encodePooledWriteBytes() {
        pooledOut.clear().writeBytes(composite, 0, FRAGMENT);
        pooledOut.clear().writeBytes(composite, 32 << 10, FRAGMENT);
        return pooledOut.writerIndex();
    }

    @Benchmark
    public boolean decode() {
        return message.decode(encoded.duplicate(), true);
    }
}
