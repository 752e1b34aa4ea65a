package dev.rudp.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector reports a leaked buffer, so a leak breaks the
 * build instead of scrolling past in a log. Registered for every test class through JUnit's
 * extension auto-detection (see META-INF/services); other modules get it from the test-jar.
 * A leak is found when the garbage collector frees the buffer, so it may be reported after the
 * class that caused it: the message carries Netty's access records, which name the culprit.
 */
public final class LeakDetectionExtension implements AfterAllCallback {
    private static final List<String> LEAKS = new ArrayList<>();

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                    long maxActive) {
                return new ResourceLeakDetector<T>(resource, samplingInterval) {
                    @Override
                    protected void reportTracedLeak(String resourceType, String records) {
                        record(resourceType + " leaked: " + records);
                    }

                    @Override
                    protected void reportUntracedLeak(String resourceType) {
                        record(resourceType + " leaked (no records)");
                    }
                };
            }
        });
    }

    private static void record(String leak) {
        synchronized (LEAKS) {
            LEAKS.add(leak);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        // Leaks surface when the GC enqueues the lost buffers and the detector next polls its queue.
        for (int i = 0; i < 3; i++) {
            collect();
            ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(8);
            probe.release();
        }
        List<String> found;
        synchronized (LEAKS) {
            found = new ArrayList<>(LEAKS);
            LEAKS.clear();
        }
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " ByteBuf leak(s) detected:\n" + String.join("\n\n", found));
        }
    }

    /**
     * A collection, then a wait until the reference handler thread has handed this collection's
     * cleared references to their queues: a sentinel's own reference arriving in its queue tells so
     * (bounded by a second, in case the JVM ignores System.gc()).
     */
    private static void collect() throws InterruptedException {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), queue);
        System.gc();
        queue.remove(1000);
        Reference.reachabilityFence(sentinel);
    }
}
