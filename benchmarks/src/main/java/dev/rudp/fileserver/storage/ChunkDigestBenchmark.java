package dev.rudp.fileserver.storage;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.MessageDigest;
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
 * A file's SHA-256, per data chunk ({@link dev.rudp.fileserver.protocol.Data#CHUNK}): from a direct
 * buffer as {@link FileChunks#read} and the client's writer feed it, and from a heap array. A
 * transfer checked by the CRC32C no longer pays it; a transfer checked by the SHA-256 (peer to peer,
 * a resumed download of a file without a recorded CRC32C, an older client) pays it once per byte on
 * each end, and a server once per file for {@code checksum} or the first download that needs it:
 * 1 GB / (CHUNK / time per op) is its CPU-seconds per GB.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class ChunkDigestBenchmark {
    private static final int CHUNK = dev.rudp.fileserver.protocol.Data.CHUNK;

    @Param({"direct", "heap"})
    String buffer;

    private final MessageDigest md = Sha256.newDigest();
    private ByteBuf chunk;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] bytes = new byte[CHUNK];
        ThreadLocalRandom.current().nextBytes(bytes);
        chunk = buffer.equals("direct") ? Unpooled.directBuffer(CHUNK) : Unpooled.buffer(CHUNK);
        chunk.writeBytes(bytes);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        chunk.release();
    }

    @Benchmark
    public MessageDigest update() {
        md.update(chunk.nioBuffer());
        return md;
    }
}
