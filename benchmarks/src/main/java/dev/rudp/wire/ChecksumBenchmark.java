package dev.rudp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.ThreadLocalRandom;
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
 * The plaintext-mode CRC32C trailer ({@link Checksum}) on packets of {@code size} bytes, on a direct
 * buffer (the socket path) and on a heap buffer: appending it on send and checking it on receive.
 * Bytes per second = size / time per op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class ChecksumBenchmark {
    @Param({"1200", "1452", "9000"})
    int size;

    @Param({"direct", "heap"})
    String buffer;

    private final Checksum checksum = new Checksum();
    private ByteBuf packet;
    private int payload;

    @Setup(Level.Trial)
    public void setUp() {
        payload = size - Checksum.SIZE;
        byte[] bytes = new byte[payload];
        ThreadLocalRandom.current().nextBytes(bytes);
        packet = buffer.equals("direct") ? Unpooled.directBuffer(size) : Unpooled.buffer(size);
        packet.writeBytes(bytes);
        checksum.append(packet); // a valid trailer for verify()
        packet.writerIndex(payload);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        packet.release();
    }

    /** Appends the trailer, then drops it again so the next op sees the same packet. */
    @Benchmark
    public int append() {
        checksum.append(packet);
        packet.writerIndex(payload);
        return packet.getInt(payload);
    }

    /** Checks and strips the trailer appended in setup (restoring the writer index brings it back). */
    @Benchmark
    public boolean verify() {
        packet.writerIndex(size);
        return checksum.verifyAndStrip(packet);
    }
}
