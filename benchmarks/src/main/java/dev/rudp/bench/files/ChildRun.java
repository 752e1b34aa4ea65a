package dev.rudp.bench.files;

import dev.rudp.bench.e2e.Meter;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * One child process (sftp, a client JVM) run to its exit, or killed at its time limit, timed from
 * its start: the file rows that run another program all measure it this way.
 *
 * @param code its exit status, or null when it ran past the limit and was killed
 * @param seconds wall time from start to exit (or to the limit)
 * @param cpuSeconds this JVM's CPU over that span plus the child's, which {@code waitFor} reaped, so
 *     it is counted in this process's children's time ({@link ProcCpu})
 */
record ChildRun(Integer code, double seconds, double cpuSeconds) {

    static ChildRun of(ProcessBuilder pb, long timeoutMillis) throws IOException, InterruptedException {
        long self = ProcessHandle.current().pid();
        double childrenBefore = ProcCpu.seconds(self, false);
        try (Meter meter = new Meter()) {
            meter.start();
            Process p = pb.start();
            boolean exited = p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
            meter.stop();
            if (!exited) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            return new ChildRun(exited ? p.exitValue() : null, meter.seconds(),
                    meter.cpuSeconds() + ProcCpu.delta(ProcCpu.seconds(self, false), childrenBefore));
        }
    }

    boolean timedOut() {
        return code == null;
    }
}
