package dev.rudp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Both passes over a data packet's frames (a PING and one 1,360-byte message fragment, as a sender
 * that waits sends them): {@code decodedOnce} as {@link PacketFrames} reads them, the second pass
 * handed the frame the first decoded; {@code decodedTwice} as the receive path did before, decoding
 * it again. Time per packet. Run with {@code -jvmArgs -XX:TieredStopAtLevel=1} for the client's C1 code.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class PacketFramesBenchmark {
    private final PacketFrames frames = new PacketFrames();
    private final MessageFrame again = new MessageFrame();
    private ByteBuf packet;

    @Setup
    public void encode() {
        ByteBuf message = Unpooled.directBuffer(128 << 10).writeZero(128 << 10);
        packet = Unpooled.directBuffer(1500);
        packet.writeByte(FrameType.PING.code());
        MessageFrame.encode(packet, true, 4711, message, 70_000, 1360);
        message.release();
    }

    @TearDown
    public void release() {
        packet.release();
    }

    @Benchmark
    public long decodedOnce() {
        ByteBuf in = packet.duplicate();
        if (!frames.wellFormed(in.duplicate())) {
            throw new IllegalStateException("malformed");
        }
        in.readUnsignedByte();
        in.readUnsignedByte();
        return frames.message(in, true).data().readableBytes();
    }

    @Benchmark
    public long decodedTwice() {
        ByteBuf in = packet.duplicate();
        if (!frames.wellFormed(in.duplicate())) {
            throw new IllegalStateException("malformed");
        }
        in.readUnsignedByte();
        in.readUnsignedByte();
        again.decode(in, true);
        return again.data().readableBytes();
    }
}
