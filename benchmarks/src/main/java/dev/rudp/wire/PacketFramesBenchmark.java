package dev.rudp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
 * that waits sends them), as {@code ReliableConnection} reads them: through a {@link WireReader}, the
 * second pass handed the frame the first decoded. {@code heap}: the packet in an array, as the DTLS
 * record path hands it up; {@code direct}: in a direct buffer, as a datagram without DTLS arrives. Time
 * per packet. Run with {@code -jvmArgs -XX:TieredStopAtLevel=1} for the client's C1 code.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class PacketFramesBenchmark {
    private final PacketFrames frames = new PacketFrames();
    private final WireReader reader = new WireReader();
    private ByteBuf heap;
    private ByteBuf direct;

    @Setup
    public void encode() {
        ByteBuf message = Unpooled.directBuffer(128 << 10).writeZero(128 << 10);
        direct = Unpooled.directBuffer(1500);
        direct.writeByte(FrameType.PING.code());
        MessageFrame.encode(direct, true, 4711, message, 70_000, 1360);
        message.release();
        heap = Unpooled.wrappedBuffer(ByteBufUtil.getBytes(direct));
    }

    @TearDown
    public void release() {
        direct.release();
        heap.release();
    }

    @Benchmark
    public long heap() {
        return decode(heap);
    }

    @Benchmark
    public long direct() {
        return decode(direct);
    }

    private long decode(ByteBuf packet) {
        WireReader in = reader.reset(packet);
        int start = in.position();
        if (!frames.wellFormed(in)) {
            throw new IllegalStateException("malformed");
        }
        in.position(start);
        in.readUnsignedByte();
        in.readUnsignedByte();
        return frames.message(in, true).data().readableBytes();
    }
}
