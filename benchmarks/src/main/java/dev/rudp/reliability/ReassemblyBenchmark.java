package dev.rudp.reliability;

import dev.rudp.RudpErrorCode;
import dev.rudp.wire.FrameType;
import dev.rudp.wire.MessageFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
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
 * Reassembly of one {@code messageKiB} KiB ordered message from 1360-byte fragments through
 * {@link InboundAssembler}: decoding each MESSAGE frame, copying its bytes into the message buffer,
 * tracking the byte ranges, and delivering the whole message (which the sink releases). Fragments
 * arrive in order, in reverse, or shuffled (seeded). Each invocation uses a fresh assembler and the same
 * pre-encoded fragments; time is per message.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class ReassemblyBenchmark {
    static final int FRAGMENT = 1360;

    @Param({"64", "1024"})
    int messageKiB;

    @Param({"inOrder", "reversed", "shuffled"})
    String order;

    private final List<ByteBuf> frames = new ArrayList<>();
    private final MessageFrame frame = new MessageFrame();
    private InboundAssembler assembler;
    private long delivered;

    @Setup(Level.Trial)
    public void encode() {
        int length = messageKiB << 10;
        ByteBuf message = Unpooled.directBuffer(length).writeZero(length);
        for (int off = 0; off < length; off += FRAGMENT) {
            int n = Math.min(FRAGMENT, length - off);
            ByteBuf b = Unpooled.directBuffer(n + 32);
            MessageFrame.encode(b, true, 0, message, off, n);
            frames.add(b);
        }
        message.release();
        if (order.equals("reversed")) {
            Collections.reverse(frames);
        } else if (order.equals("shuffled")) {
            Collections.shuffle(frames, new Random(7));
        }
    }

    @TearDown(Level.Trial)
    public void release() {
        for (ByteBuf b : frames) {
            b.release();
        }
        frames.clear();
    }

    @Setup(Level.Invocation)
    public void freshAssembler() {
        assembler = new InboundAssembler(ByteBufAllocator.DEFAULT, 1 << 20, 16L << 20, 64L << 20, 64,
                (buf, ordered) -> {
                    delivered += buf.readableBytes();
                    buf.release();
                });
    }

    @Benchmark
    public long reassemble() {
        for (ByteBuf b : frames) {
            ByteBuf in = b.duplicate();
            if (in.readUnsignedByte() != FrameType.MESSAGE_ORDERED.code() || !frame.decode(in, true)) {
                throw new IllegalStateException("bad frame");
            }
            RudpErrorCode error = assembler.onFragment(frame, 1_000L);
            if (error != null) {
                throw new IllegalStateException(error.toString());
            }
        }
        return delivered;
    }
}
