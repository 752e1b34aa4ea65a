package dev.rudp.bench.load;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code bin/fileclient} (or another {@code bin/} script) as the script tests run it, each test adding the environment it is about. */
final class ClientScript {
    private ClientScript() {
    }

    /**
     * {@code root/bin/fileclient args...} run in {@code tmp}, output and errors in one stream, no input, and
     * a home folder of its own in {@code tmp} (so no key, known host or agent of the user running the tests).
     */
    static ProcessBuilder builder(Path root, Path tmp, List<String> args) {
        return builder(root, tmp, "fileclient", args);
    }

    /** As {@link #builder(Path, Path, List)}, for {@code root/bin/script}. */
    static ProcessBuilder builder(Path root, Path tmp, String script, List<String> args) {
        List<String> argv = new ArrayList<>(List.of(root.resolve("bin").resolve(script).toString()));
        argv.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(argv).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("HOME", tmp.resolve("home").toString());
        return pb;
    }

    /** The java of a Java 25 runtime under /usr/lib/jvm, found by its release file as bin/fileclient reads it, or null. */
    static Path java25() throws Exception {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        try (var homes = Files.list(jvms)) {
            for (Path home : homes.sorted().toList()) {
                Path release = home.resolve("release");
                if (Files.isExecutable(home.resolve("bin/java")) && Files.isReadable(release)
                        && Files.readAllLines(release).stream().anyMatch(l -> l.matches("JAVA_VERSION=\"25([.+-].*)?\""))) {
                    return home.resolve("bin/java");
                }
            }
        }
        return null;
    }

    /** The environment of process {@code pid} as /proc shows it (NUL after each entry), empty when unreadable. */
    static String environ(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "environ")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Whether process {@code h}'s environment names {@code agents} as its agent folder. */
    static boolean inAgentFolder(ProcessHandle h, Path agents) {
        return environ(h.pid()).contains("FILECLIENT_AGENT_DIR=" + agents + "\0");
    }

    /** Ends every process whose environment names {@code agents} as its agent folder: a test's agents left behind. */
    static void destroyAgents(Path agents) {
        ProcessHandle.allProcesses().filter(h -> inAgentFolder(h, agents)).forEach(ProcessHandle::destroyForcibly);
    }
}
