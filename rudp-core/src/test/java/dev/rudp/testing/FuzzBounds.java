package dev.rudp.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.lang.management.ManagementFactory;

/**
 * Properties every fuzz target checks besides its decoder's own: how many bytes of heap one input
 * made this thread allocate. A decoder that sizes something from a length field it read, before
 * checking that many bytes are there, fails here on a few input bytes, in regression mode as well as
 * while fuzzing (where the JVM's -Xmx and libFuzzer's -rss_limit_mb are the backstop).
 */
public final class FuzzBounds {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Work that may throw anything; the target says which exceptions are documented. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    private FuzzBounds() {
    }

    /**
     * A growing heap buffer outside Netty's leak detector: tests run it at paranoid level, where every
     * tracked buffer records stack traces, which would swamp the allocation figures. Nothing to release.
     */
    public static ByteBuf buffer() {
        return new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 256, Integer.MAX_VALUE);
    }

    /** A copy of {@code bytes} in a {@link #buffer()}. */
    public static ByteBuf copy(byte[] bytes) {
        return buffer().writeBytes(bytes);
    }

    /** Bytes of heap this thread has allocated so far. */
    public static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * Runs {@code work} and fails when it allocated more than {@code fixed + perInputByte * inputLength}
     * bytes on this thread; exceptions from {@code work} pass through. The first run of an input may
     * load and initialize classes, which allocates megabytes once: over the limit, the input runs a
     * second time and that run is the one judged (every target is deterministic).
     */
    public static void boundedAllocation(int inputLength, long fixed, long perInputByte, Work work) throws Exception {
        long limit = fixed + perInputByte * inputLength;
        long before = allocatedBytes();
        try {
            work.run();
        } finally {
            if (allocatedBytes() - before > limit) {
                long again = allocatedBytes();
                try {
                    work.run();
                } catch (Exception | AssertionError e) {
                    // the first run's outcome is what the caller sees
                }
                long used = allocatedBytes() - again;
                if (used > limit) {
                    throw new AssertionError("allocated " + used + " bytes for an input of " + inputLength
                            + " bytes (limit " + limit + ")");
                }
            }
        }
    }
}
