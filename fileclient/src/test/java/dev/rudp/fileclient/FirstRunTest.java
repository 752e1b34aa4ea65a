package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.rudp.fileclient.agent.Agent;
import dev.rudp.fileclient.agent.Launcher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A first command that stays behind as the agent ({@code agent.FirstRun}), in a child JVM as
 * bin/fileclient starts it: its output ends (the pipe closes) while the JVM goes on, its exit status
 * arrives on the FIFO, and the next batch runs on its logged-in session through the launcher. When it
 * cannot stay (a failed login, another agent already serving) it just ends with the command's status.
 */
@Timeout(120)
class FirstRunTest {
    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path tmp;

    private TestServer server;
    private int logins;
    private final Logger serverLog = Logger.getLogger("dev.rudp.fileserver");
    private final List<Agent> inTest = new ArrayList<>();
    private final List<Process> children = new ArrayList<>();
    private final Handler loginCounter = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getMessage() != null && r.getMessage().startsWith("login alice@")) {
                synchronized (FirstRunTest.this) {
                    logins++;
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(tmp.resolve("data"));
        serverLog.addHandler(loginCounter);
        Files.writeString(tmp.resolve("pw-good"), "secret-a\n");
        Files.writeString(tmp.resolve("pw-bad"), "wrong\n");
    }

    @AfterEach
    void stop() {
        serverLog.removeHandler(loginCounter);
        inTest.forEach(a -> a.stop("test over"));
        children.forEach(Process::destroyForcibly);
        server.close();
    }

    private synchronized int logins() {
        return logins;
    }

    private List<String> argv(String passwordFile, String... extra) {
        List<String> v = new ArrayList<>(List.of("--port", String.valueOf(server.port()), "--user", "alice",
                "--fingerprint", server.fingerprint(), "--password-file", passwordFile));
        v.addAll(List.of(extra));
        v.add("127.0.0.1");
        return v;
    }

    /** A FIFO held open for reading and writing, as bin/fileclient holds it. */
    private FileChannel fifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", "-m", "600", p.toString()).start();
        assertEquals(0, mk.waitFor());
        return FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    private Process firstRun(Path status, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UseSerialGC", "-Dfileclient.status=" + status, "-Dfileclient.cwd=" + tmp, "-cp",
                System.getProperty("java.class.path"), "dev.rudp.fileclient.agent.FirstRun"));
        cmd.addAll(args);
        // in / as bin/fileclient runs it: the password file (relative) is found in -Dfileclient.cwd
        ProcessBuilder b = new ProcessBuilder(cmd).directory(new java.io.File("/")).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        b.environment().put("FILECLIENT_AGENT_DIR", tmp.resolve("agents").toString());
        b.environment().put("HOME", tmp.resolve("home").toString());
        b.environment().remove("FILECLIENT_PASSWORD");
        Process p = b.start();
        children.add(p);
        return p;
    }

    /** The child's output up to its end (the child closing its streams, or ending). */
    private static String output(Process p) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "read failed: " + e;
            }
        }).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static String line(FileChannel fifo) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            ByteBuffer b = ByteBuffer.allocate(16);
            try {
                while (b.position() == 0 || b.get(b.position() - 1) != '\n') {
                    fifo.read(b);
                }
            } catch (IOException e) {
                return "read failed: " + e;
            }
            return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
        }).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private Launcher launcher(ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return new Launcher(Map.of("FILECLIENT_AGENT_DIR", tmp.resolve("agents").toString()),
                new ByteArrayInputStream(new byte[0]), out, err, tmp, "", (sock, log, key, argv) -> {
                    Agent a = Agent.start(sock, key, argv.toArray(String[]::new), 600_000);
                    if (a != null) {
                        inTest.add(a);
                    }
                    return true;
                });
    }

    @Test
    void theFirstCommandEndsItsOutputAndItsJvmServesTheNextOnTheSameLogin() throws Exception {
        Files.writeString(server.home("alice").resolve("a.txt"), "a");
        Path status = tmp.resolve("status");
        try (FileChannel fifo = fifo(status)) {
            Process p = firstRun(status, argv("pw-good", "-q", "-c", "mkdir d; cd d; ls ~"));
            assertEquals("fileclient> mkdir d\nfileclient> cd d\nfileclient> ls ~\na.txt\nd/\n", output(p));
            assertEquals("0\n", line(fifo));
            assertTrue(p.isAlive(), "the first command's JVM stays as the agent");
        }
        assertFalse(Files.exists(status), "the FIFO's name is removed once the status is written");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = launcher(out, err).run(argv("pw-bad", "-q", "-c", "pwd").toArray(String[]::new));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertEquals("fileclient> pwd\n~\n", out.toString(StandardCharsets.UTF_8), "back in ~ for the next batch");
        assertTrue(inTest.isEmpty(), "the launcher found the first command's agent and started none");
        assertEquals(1, logins(), "one login: the second batch ran on the first command's session");
        out.reset();
        code = launcher(out, err).run(argv("pw-good", "--agent-stop").toArray(String[]::new));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        Process agent = children.get(0);
        assertTrue(agent.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "stopped");
        assertEquals(0, agent.exitValue());
    }

    @Test
    void aFailedLoginLeavesNoAgentAndEndsWithItsStatus() throws Exception {
        Path status = tmp.resolve("status");
        try (FileChannel fifo = fifo(status)) {
            Process p = firstRun(status, argv("pw-bad", "-q", "-c", "ls"));
            String text = output(p);
            assertTrue(text.startsWith("fileclient: login failed"), text);
            assertEquals("6\n", line(fifo));
            assertTrue(p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "no agent stays");
            assertEquals(6, p.exitValue());
        }
        try (var socks = Files.list(tmp.resolve("agents"))) {
            assertTrue(socks.noneMatch(f -> f.toString().endsWith(".sock")), "no socket");
        } catch (java.nio.file.NoSuchFileException e) {
            // no agent folder at all: no socket either
        }
    }

    @Test
    void whenAnotherAgentServesTheFirstRunEndsItsSessionAndLeaves() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, launcher(out, err).run(argv("pw-good", "-q", "-c", "pwd").toArray(String[]::new)));
        assertEquals(1, inTest.size());
        Path status = tmp.resolve("status");
        try (FileChannel fifo = fifo(status)) {
            Process p = firstRun(status, argv("pw-good", "-q", "-c", "pwd"));
            assertEquals("fileclient> pwd\n~\n", output(p));
            assertEquals("0\n", line(fifo));
            assertTrue(p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "it leaves: the session has its agent");
            assertEquals(0, p.exitValue());
        }
        Path log;
        try (var logs = Files.list(tmp.resolve("agents"))) {
            log = logs.filter(f -> f.toString().endsWith(".log")).findFirst().orElseThrow();
        }
        String text = Files.readString(log);
        if (!text.contains("another agent serves")) {
            fail("the log says why it left: " + text);
        }
    }
}
