package dev.rudp.bench.netns;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Optional async-profiler session around the measured transfer of a peer JVM (never around its warm-up),
 * for flame graphs of the per-packet path. Off unless the environment, which the peers inherit from the
 * runner, sets {@code RUDP_NETNS_PROFILE} to async-profiler start options (for example
 * {@code event=cpu,interval=200us} or {@code event=alloc}) and the class path holds async-profiler's jar
 * (Maven Central {@code tools.profiler:async-profiler}, whose jar carries the native library):
 * <pre>
 * RUDP_NETNS_PROFILE=event=cpu RUDP_NETNS_PROFILE_DIR=/tmp/prof java -cp benchmarks.jar:async-profiler-4.1-linux-x64.jar \
 *     dev.rudp.bench.Main netns --profiles loss0.1-rtt50-rate100m --transports rudp
 * </pre>
 * Each peer writes {@code DIR/ROLE-PID.html} (a flame graph) and {@code DIR/ROLE-PID.collapsed} (its stacks
 * as text; {@code RUDP_NETNS_PROFILE_DIR}, default the working directory). Reflection keeps the benchmarks free of a compile-time dependency on it.
 */
final class Profiling {
    private static final String OPTIONS = System.getenv("RUDP_NETNS_PROFILE");
    private static Object profiler;

    private Profiling() {
    }

    /** Starts profiling if asked to; a failure is reported and ignored. */
    static synchronized void start() {
        if (OPTIONS == null || OPTIONS.isBlank() || profiler != null) {
            return;
        }
        try {
            Object p = Class.forName("one.profiler.AsyncProfiler").getMethod("getInstance").invoke(null);
            execute(p, "start," + OPTIONS);
            profiler = p;
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("netns: cannot start async-profiler (" + e + "); is its jar on the class path?");
        }
    }

    /** Stops the session started by {@link #start} and writes its flame graph; does nothing otherwise. */
    static synchronized void stop(String role) {
        if (profiler == null) {
            return;
        }
        String dir = System.getenv().getOrDefault("RUDP_NETNS_PROFILE_DIR", ".");
        Path file = Paths.get(dir, role + "-" + ProcessHandle.current().pid() + ".html").toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
            // The collapsed stacks beside the flame graph, for reading with text tools.
            execute(profiler, "dump,collapsed,file=" + file.toString().replaceFirst("\\.html$", ".collapsed"));
            execute(profiler, "stop,file=" + file);
            System.err.println("netns: profile written to " + file);
        } catch (Exception e) {
            System.err.println("netns: cannot stop async-profiler: " + e);
        }
        profiler = null;
    }

    private static void execute(Object p, String command) throws ReflectiveOperationException {
        Method m = p.getClass().getMethod("execute", String.class);
        m.invoke(p, command);
    }
}
