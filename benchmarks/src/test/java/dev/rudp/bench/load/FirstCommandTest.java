package dev.rudp.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.auth.PasswordHasher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/fileclient}'s first batch command, which stays behind as the agent (fileclient's
 * {@code agent.FirstRun}), run as users run it: the script, its FIFO for the exit status, its
 * standard input. Here because this module's tests run after the client's jar is packaged (the
 * script runs the jar); the server is {@code bin/fileserver} ({@link ServerProc}).
 */
@Timeout(180)
class FirstCommandTest {
    private static final long WAIT_SECONDS = 60;

    @TempDir
    Path tmp;

    private record Run(int code, String out) {
    }

    /** A failed test must not leave its agent behind (it would idle for ten minutes). */
    @AfterEach
    void noAgentLeft() {
        ClientScript.destroyAgents(tmp.resolve("agents"));
    }

    private Run fileclient(List<String> argv, String stdin) throws Exception {
        return fileclient(argv, stdin, Map.of());
    }

    private Run fileclient(List<String> argv, String stdin, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(tmp.toFile()).redirectErrorStream(true);
        pb.environment().put("FILECLIENT_AGENT_DIR", tmp.resolve("agents").toString());
        pb.environment().put("HOME", tmp.resolve("home").toString());
        pb.environment().put("TMPDIR", Files.createDirectories(tmp.resolve("scratch")).toString());
        pb.environment().remove("FILECLIENT_PASSWORD");
        pb.environment().remove("FILECLIENT_AGENT");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        // the output must end when the command does, though a JVM of it goes on as the agent
        String out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return "read failed: " + e;
            }
        }).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "bin/fileclient ends: " + out);
        return new Run(p.exitValue(), out);
    }

    /** The first command's JVM serving as the agent of this test's folder. */
    private ProcessHandle agent() {
        return ProcessHandle.allProcesses().filter(h -> h.info().arguments()
                .map(a -> String.join(" ", a).contains("dev.rudp.fileclient.agent.FirstRun")).orElse(false)
                && ClientScript.inAgentFolder(h, tmp.resolve("agents")))
                .findFirst().orElseThrow();
    }

    private static List<String> sockets(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(Path::toString).filter(f -> f.endsWith(".sock")).toList();
        }
    }

    @Test
    void theFirstCommandsStatusAndOutputArriveAndItsJvmServesTheNext() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path key = tmp.resolve("id_ed25519");
        KeyAccount.create(data, "alice", key);
        Files.writeString(data.resolve("home").resolve("alice").resolve("a.txt"), "a");
        try (ServerProc server = ServerProc.start(data, tmp, List.of())) {
            List<String> base = new ArrayList<>(List.of(ServerProc.repo().resolve("bin/fileclient").toString()));
            base.addAll(KeyAccount.options(server, "alice", key));
            // after a build bin/fileclient's first run records its class archive, in-process and leaving no agent
            List<String> record = new ArrayList<>(base);
            record.addAll(List.of("--no-agent", "-c", "pwd", "127.0.0.1"));
            assertEquals(0, fileclient(record, null).code());
            assertEquals(List.of(), sockets(tmp.resolve("agents")));
            // a failing first command: its status, through the FIFO; the session stays as the agent. A
            // relative local path lands in the command's folder, though the JVM runs in / (it holds
            // no folder of the user's busy while it idles as the agent)
            // run with a descriptor 5 of the caller's open, which the agent must not keep
            List<String> get = new ArrayList<>(List.of("bash", "-c", "exec 5>\"$0\"; exec \"$@\"",
                    tmp.resolve("held.txt").toString()));
            get.addAll(base);
            get.addAll(List.of("-c", "get a.txt got.txt; get nosuch.bin x", "127.0.0.1"));
            Run first = fileclient(get, null);
            assertEquals(3, first.code(), first.out());
            assertTrue(first.out().contains("get: no such file: nosuch.bin"), first.out());
            assertEquals("a", Files.readString(tmp.resolve("got.txt")));
            assertEquals(1, sockets(tmp.resolve("agents")).size(), "the first command's JVM serves as the agent");
            ProcessHandle agent = agent();
            assertEquals(Path.of("/"), Files.readSymbolicLink(Path.of("/proc", String.valueOf(agent.pid()), "cwd")));
            try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(agent.pid()), "fd"))) {
                List<String> held = fds.map(fd -> {
                    try {
                        return Files.readSymbolicLink(fd).toString();
                    } catch (java.io.IOException e) {
                        return "";
                    }
                }).filter(t -> t.endsWith("held.txt")).toList();
                assertEquals(List.of(), held, "the caller's descriptor is not held by the agent");
            }
            // Netty's epoll library comes from the file the build unpacked (bin/fileclient's
            // -Djava.library.path), not from the copy Netty otherwise makes in a temporary folder
            String maps = Files.readString(Path.of("/proc", String.valueOf(agent.pid()), "maps"));
            assertTrue(maps.contains("fileclient/target/native/META-INF/native/libnetty_transport_native_epoll"),
                    "the epoll library's mapping: " + maps.lines().filter(l -> l.contains("netty")).toList());
            // the next batch, from standard input, through that agent
            List<String> batch = new ArrayList<>(base);
            batch.addAll(List.of("-b", "-", "127.0.0.1"));
            Run next = fileclient(batch, "ls\npwd\n");
            assertEquals(0, next.code(), next.out());
            assertEquals("fileclient> ls\na.txt\nfileclient> pwd\n~\n", next.out());
            String log = Files.readString(Files.list(tmp.resolve("agents")).filter(f -> f.toString().endsWith(".log"))
                    .findFirst().orElseThrow());
            assertTrue(log.contains("kept the session of the first command") && log.contains("batch done, exit 0"), log);
            List<String> stop = new ArrayList<>(base);
            stop.remove("-q");
            stop.addAll(List.of("--agent-stop", "127.0.0.1"));
            assertEquals(0, fileclient(stop, null).code());
            assertEquals(List.of(), sockets(tmp.resolve("agents")), "stopped and gone");
        }
    }

    @Test
    void aPasswordFromTheEnvironmentReachesTheFirstCommandButNotItsAgentsEnvironment() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        AccountStore.open(data).put(new Account("bob", false, PasswordHasher.DEFAULT.hash("pw-bob-1".toCharArray())));
        Files.createDirectories(data.resolve("home").resolve("bob"));
        try (ServerProc server = ServerProc.start(data, tmp, List.of())) {
            List<String> base = new ArrayList<>(List.of(ServerProc.repo().resolve("bin/fileclient").toString(),
                    "--port", String.valueOf(server.port), "--user", "bob", "-i", "none", "--fingerprint",
                    server.fingerprint, "-q"));
            List<String> record = new ArrayList<>(base);
            record.addAll(List.of("--no-agent", "-c", "pwd", "127.0.0.1"));
            assertEquals(0, fileclient(record, null, Map.of("FILECLIENT_PASSWORD", "pw-bob-1")).code());
            List<String> pwd = new ArrayList<>(base);
            pwd.addAll(List.of("-c", "pwd", "127.0.0.1"));
            Run first = fileclient(pwd, null, Map.of("FILECLIENT_PASSWORD", "pw-bob-1"));
            assertEquals(0, first.code(), first.out());
            assertEquals("fileclient> pwd\n~\n", first.out());
            String environ = ClientScript.environ(agent().pid());
            assertTrue(environ.contains("FILECLIENT_AGENT_DIR=") && !environ.contains("FILECLIENT_PASSWORD"),
                    "the agent's environment holds no password");
            try (Stream<Path> left = Files.list(tmp.resolve("scratch"))) {
                assertEquals(List.of(), left.toList(), "both FIFOs' names are gone");
            }
            // the agent logged in with it: the next command needs no password
            Run next = fileclient(pwd, null, Map.of());
            assertEquals(0, next.code(), next.out());
            List<String> stop = new ArrayList<>(base);
            stop.remove("-q");
            stop.addAll(List.of("--agent-stop", "127.0.0.1"));
            assertEquals(0, fileclient(stop, null).code());
        }
    }

    /**
     * The exit status reaches the script whole when its line straddles the script's one-second read
     * timeout, as on a busy machine: a JVM that writes the status, waits past the timeout and only then
     * ends the line. Before, the script kept only the line's end and exited with bash's own error
     * ("exit: : numeric argument required", status 2). A stand-in for the JVM (FILECLIENT_JAVA) writes
     * 7 so, and stays running as the agent would; no server is needed.
     */
    @Test
    void anExitStatusSplitAcrossTheReadTimeoutArrivesWhole() throws Exception {
        Path standIn = tmp.resolve("slow-status-java");
        Files.writeString(standIn, """
                #!/bin/bash
                exec </dev/null >/dev/null 2>&1
                for a in "$@"; do case "$a" in -Dfileclient.status=*) fifo=${a#-Dfileclient.status=} ;; esac; done
                exec 3>"$fifo"
                rm -f "$fifo"
                printf 7 >&3
                sleep 1.6
                printf '\\n' >&3
                exec 3>&-
                sleep 1
                """);
        Files.setPosixFilePermissions(standIn, PosixFilePermissions.fromString("rwx------"));
        List<String> argv = List.of(ServerProc.repo().resolve("bin/fileclient").toString(), "--port", "9", "--user",
                "bob", "-q", "-c", "pwd", "127.0.0.1");
        // no class cache, so that this first batch goes to the first-command JVM, not to a recording run
        Run run = fileclient(argv, null, Map.of("FILECLIENT_JAVA", standIn.toString(), "FILECLIENT_CDS", "0"));
        assertEquals(7, run.code(), run.out());
        assertEquals("", run.out());
    }
}
