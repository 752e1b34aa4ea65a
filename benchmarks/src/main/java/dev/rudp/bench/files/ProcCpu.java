package dev.rudp.bench.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time of other processes, from {@code /proc/PID/stat} (Linux only): what a process used itself
 * and what its children that it already reaped used. sftp, ssh and sshd's per-connection processes
 * are counted this way: a child's time reaches its parent's "children" fields once the parent has
 * waited for it.
 */
public final class ProcCpu {
    /** Clock ticks per second of /proc's time fields; 100 on every Linux this runs on (USER_HZ). */
    static final double TICKS_PER_SECOND = 100;

    private ProcCpu() {
    }

    /** Seconds of {@code pid}'s own CPU time plus its reaped children's, or -1 when unreadable. */
    public static double seconds(long pid, boolean own) {
        try {
            // Not Files.readString: procfs sizes can make it stop after a first chunk.
            String stat = String.join(" ", Files.readAllLines(Path.of("/proc", String.valueOf(pid), "stat")));
            String[] f = fieldsAfterName(stat);
            long ticks = Long.parseLong(f[13]) + Long.parseLong(f[14]);
            if (own) {
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
            return ticks / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Seconds of CPU time of a HotSpot JVM's compiler threads ({@code C1 CompilerThre...} and
     * {@code C2 CompilerThre...} in /proc/PID/task), or -1 when unreadable: how much the JIT is still
     * doing.
     */
    public static double compilerSeconds(long pid) {
        long ticks = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = String.join(" ", Files.readAllLines(task.resolve("stat")));
                } catch (IOException ended) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    String[] f = fieldsAfterName(stat);
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                }
            }
            return ticks / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The fields of a /proc stat line after the command name: {@code f[0]} is field 3 (state), utime
     * is {@code f[11]}, stime {@code f[12]}, cutime {@code f[13]}, cstime {@code f[14]}. The name
     * (field 2) is in parentheses and may hold spaces, so this counts from its end.
     */
    private static String[] fieldsAfterName(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    }

    /** {@code after - before} of two {@link #seconds} readings, 0 when either was unreadable. */
    public static double delta(double after, double before) {
        return after < 0 || before < 0 ? 0 : after - before;
    }
}
