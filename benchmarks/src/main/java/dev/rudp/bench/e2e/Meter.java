package dev.rudp.bench.e2e;

import io.netty.util.internal.PlatformDependent;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures one transfer: wall time and process CPU time between {@link #start()} and {@link #stop()},
 * and the peak heap (and Netty direct memory) in use meanwhile, sampled every {@link #SAMPLE_MILLIS} ms
 * by a daemon thread. Also the JIT compilers' and the garbage collectors' own time over the same span
 * (both are part of the process CPU time, and dominate it in short transfers). {@code stop} may be
 * called from any thread; only its first call counts.
 */
public final class Meter implements AutoCloseable {
    /** Sampling period of the heap sampler. */
    public static final long SAMPLE_MILLIS = 5;

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    private final AtomicLong peakHeap = new AtomicLong();
    private final AtomicLong peakDirect = new AtomicLong(-1);
    private final Thread sampler;
    private volatile boolean running = true;
    private long startNanos;
    private long startCpu;
    private volatile long stopNanos;
    private volatile long stopCpu;
    private long startJitMillis;
    private volatile long stopJitMillis;
    private long startGcMillis;
    private volatile long stopGcMillis;

    public Meter() {
        sampler = new Thread(this::sample, "bench-heap-sampler");
        sampler.setDaemon(true);
    }

    private void sample() {
        while (running) {
            sampleOnce();
            try {
                Thread.sleep(SAMPLE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sampleOnce() {
        peakHeap.accumulateAndGet(MEMORY.getHeapMemoryUsage().getUsed(), Math::max);
        peakDirect.accumulateAndGet(PlatformDependent.usedDirectMemory(), Math::max);
    }

    /** Starts the clocks and the sampler. */
    public void start() {
        sampleOnce();
        sampler.start();
        startJitMillis = jitMillis();
        startGcMillis = gcMillis();
        startCpu = OS.getProcessCpuTime();
        startNanos = System.nanoTime();
    }

    /** Stops the clocks (the last byte arrived); later calls do nothing. */
    public synchronized void stop() {
        if (stopNanos == 0) {
            stopNanos = System.nanoTime();
            stopCpu = OS.getProcessCpuTime();
            stopJitMillis = jitMillis();
            stopGcMillis = gcMillis();
            running = false;
            sampleOnce();
        }
    }

    public boolean stopped() {
        return stopNanos != 0;
    }

    /** Seconds from start to stop, or to now if not stopped. */
    public double seconds() {
        long end = stopNanos != 0 ? stopNanos : System.nanoTime();
        return (end - startNanos) / 1e9;
    }

    /** Process CPU seconds from start to stop, or to now if not stopped. */
    public double cpuSeconds() {
        long end = stopNanos != 0 ? stopCpu : OS.getProcessCpuTime();
        return (end - startCpu) / 1e9;
    }

    /** Total JIT compilation time so far, ms (-1 if the JVM does not say). */
    static long jitMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : -1;
    }

    /** Total time of all collectors so far, ms. */
    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    /** Seconds the JIT compilers spent between start and stop (or now), -1 if unknown. */
    public double jitSeconds() {
        long end = stopNanos != 0 ? stopJitMillis : jitMillis();
        return startJitMillis < 0 ? -1 : (end - startJitMillis) / 1e3;
    }

    /** Seconds the garbage collectors reported between start and stop (or now). */
    public double gcSeconds() {
        long end = stopNanos != 0 ? stopGcMillis : gcMillis();
        return (end - startGcMillis) / 1e3;
    }

    public long peakHeapBytes() {
        return peakHeap.get();
    }

    /** Peak of Netty's direct-memory counter, or -1 when Netty does not count it. */
    public long peakDirectBytes() {
        return peakDirect.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sampler.interrupt();
        if (sampler.isAlive()) {
            sampler.join(1000);
        }
    }
}
