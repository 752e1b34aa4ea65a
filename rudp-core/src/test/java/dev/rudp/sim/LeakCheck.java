package dev.rudp.sim;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class whose buffers leaked. Netty reports a leak only in a log line, when a later
 * allocation finds a collected buffer that was never released; this extension listens to that
 * logger (JDK logging, as rudp-core's tests have no other backend) and, after the class, collects
 * garbage and allocates until pending reports come out.
 */
final class LeakCheck implements BeforeAllCallback, AfterAllCallback {
    private static final Logger DETECTOR_LOG = Logger.getLogger(ResourceLeakDetector.class.getName());

    private final List<String> leaks = new CopyOnWriteArrayList<>();
    private final Handler recorder = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.SEVERE.intValue() && String.valueOf(r.getMessage()).contains("LEAK")) {
                leaks.add(r.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @Override
    public void beforeAll(ExtensionContext context) {
        flushReports(); // leaks of earlier classes in this JVM are theirs, not ours
        DETECTOR_LOG.addHandler(recorder);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            flushReports();
        } finally {
            DETECTOR_LOG.removeHandler(recorder);
        }
        if (!leaks.isEmpty()) {
            fail(leaks.size() + " buffer leak(s) in " + context.getDisplayName() + ":\n" + String.join("\n", leaks));
        }
    }

    /** Collects garbage, then allocates: each tracked allocation reports leaks found since. */
    private static void flushReports() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            for (int j = 0; j < 100; j++) {
                ByteBufAllocator.DEFAULT.directBuffer(1).release();
                ByteBufAllocator.DEFAULT.heapBuffer(1).release();
            }
        }
    }
}
