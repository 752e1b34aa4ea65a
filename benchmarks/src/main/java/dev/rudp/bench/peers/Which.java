package dev.rudp.bench.peers;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds programs on the PATH and in the sbin folders (sshd, gtlsserver live there). */
final class Which {
    private Which() {
    }

    /** The absolute path of an executable {@code name}, or null. */
    static String find(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toAbsolutePath().toString();
            }
        }
        return null;
    }

    /** {@link ToolRow#NOT_INSTALLED} naming the first of {@code names} missing, or null when all are there. */
    static String missing(String... names) {
        for (String n : names) {
            if (find(n) == null) {
                return ToolRow.NOT_INSTALLED.replace("not installed", n + " not installed");
            }
        }
        return null;
    }
}
