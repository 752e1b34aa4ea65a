package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.agent.Agent;
import dev.rudp.fileclient.agent.Launcher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent through the launcher, both in this JVM (the agent on its own threads, as a spawned one
 * would run): sessions reused, local paths per launcher, prompts relayed, idle exit, stale sockets,
 * folder permissions, turning it off, Ctrl-C and two launchers at once.
 */
@Timeout(120)
class AgentTest {
    @TempDir
    Path tmp;

    private TestServer server;
    private Path agentDir;
    private final List<Agent> agents = new CopyOnWriteArrayList<>();
    private final List<Path> sockets = new CopyOnWriteArrayList<>();
    private long idleMillis = 600_000;
    private ServerLogLines logins;

    record Run(int code, String out, String err) {
    }

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(tmp.resolve("data"));
        agentDir = tmp.resolve("agents");
        logins = ServerLogLines.starting("login alice@");
    }

    @AfterEach
    void stop() {
        logins.close();
        agents.forEach(a -> a.stop("test over"));
        server.close();
    }

    private Map<String, String> env(String password) {
        Map<String, String> env = new HashMap<>();
        env.put("FILECLIENT_AGENT_DIR", agentDir.toString());
        if (password != null) {
            env.put("FILECLIENT_PASSWORD", password);
        }
        return env;
    }

    private Launcher.Spawner inThisJvm() {
        return (sock, log, key, argv) -> {
            Agent a = Agent.start(sock, key, argv.toArray(String[]::new), idleMillis);
            if (a != null) {
                agents.add(a);
                sockets.add(sock);
            }
            return true;
        };
    }

    private String[] argv(String... extra) {
        List<String> v = new ArrayList<>(List.of("--port", String.valueOf(server.port()), "--user", "alice",
                "--fingerprint", server.fingerprint()));
        v.addAll(List.of(extra));
        v.add("127.0.0.1");
        return v.toArray(String[]::new);
    }

    private Run launch(Map<String, String> env, Path cwd, OutputStream errTap, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        OutputStream e = errTap == null ? err : new TeeStream(err, errTap);
        int code = new Launcher(env, new ByteArrayInputStream(new byte[0]), out, e, cwd, "", inThisJvm())
                .run(argv(args));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run launch(Path cwd, String... args) {
        return launch(env("secret-a"), cwd, null, args);
    }

    @Test
    void theAgentsSessionMovesToTheNextServerWithThePasswordItKeptInMemory() throws Exception {
        Files.writeString(server.home("alice").resolve("kept.txt"), "k");
        Run first = launch(tmp, "-q", "-c", "ls");
        assertEquals(0, first.code(), first.err());
        int port = server.port();
        server.close(); // a graceful stop: the idle agent session is told to move and closed
        server = TestServer.start(tmp.resolve("data"), c -> c.bind(new java.net.InetSocketAddress("127.0.0.1", port)));
        // no password anywhere now: the agent logs in again with the one it holds for its session
        Run next = launch(env(null), tmp, null, "-q", "-c", "ls");
        assertEquals(0, next.code(), next.err());
        assertEquals("fileclient> ls\nkept.txt\n", next.out());
        assertEquals("reconnected to 127.0.0.1:" + port + " (attempt 1 of 3)\n", next.err());
        assertEquals(2, logins.all().size(), "one login per server, none asked of the launcher");
        assertEquals(1, agents.size(), "the same agent");
    }

    @Test
    void logsInByKeyAndAsksForNoPassword() throws Exception {
        Path key = tmp.resolve("id_ed25519");
        dev.rudp.fileclient.keys.Identity.generate("alice@test").save(key, false);
        dev.rudp.fileserver.auth.AuthorizedKeys.open(server.data)
                .add("alice", dev.rudp.fileclient.keys.Identity.load(key).publicKey());
        Run r = launch(env(null), tmp, null, "-q", "-i", key.toString(), "-c", "pwd");
        assertEquals(0, r.code(), r.err());
        assertEquals("fileclient> pwd\n~\n", r.out());
        assertEquals("", r.err(), "no prompt, no notice");
        Run again = launch(env(null), tmp, null, "-q", "-i", key.toString(), "-c", "pwd");
        assertEquals(0, again.code(), again.err());
        assertEquals(1, agents.size(), "the second batch found the first agent");
        assertEquals(1, logins.all().size(), "the server saw one login");
    }

    @Test
    void servesBatchesOnOneSessionWithTheirExitStatus() throws Exception {
        Run r = launch(tmp, "-q", "-c", "mkdir d; ls");
        assertEquals(0, r.code(), r.err());
        assertEquals("fileclient> mkdir d\nfileclient> ls\nd/\n", r.out());
        Run again = launch(tmp, "-c", "ls");
        assertEquals(0, again.code(), again.err());
        assertEquals("fileclient> ls\nd/\n", again.out());
        Run missing = launch(tmp, "-c", "get nothere.txt; mkdir not-reached");
        assertEquals(3, missing.code());
        assertEquals("get: no such file: nothere.txt\n", missing.err());
        assertEquals(1, agents.size(), "one agent served every batch");
        assertEquals(1, logins.all().size(), "the server saw one login");
        assertTrue(agents.get(0).hasSession());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sockets.get(0))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(agentDir)));
    }

    @Test
    void localPathsFollowEachLaunchersFolderAndNothingCarriesOver() throws Exception {
        Path one = Files.createDirectories(tmp.resolve("one/sub"));
        Path two = Files.createDirectories(tmp.resolve("two"));
        Files.writeString(one.getParent().resolve("a.txt"), "from one");
        assertEquals(0, launch(one.getParent(), "-q", "-c", "put a.txt").code());
        assertEquals(0, launch(two, "-q", "-c", "get a.txt").code());
        assertEquals("from one", Files.readString(two.resolve("a.txt")));
        Run lcd = launch(one.getParent(), "-c", "lcd sub; lpwd; mkdir r; cd r; pwd");
        assertEquals(0, lcd.code(), lcd.err());
        assertTrue(lcd.out().contains(one + "\n") && lcd.out().contains("~/r\n"), lcd.out());
        Run next = launch(two, "-c", "lpwd; pwd");
        assertEquals("fileclient> lpwd\n" + two + "\nfileclient> pwd\n~\n", next.out(),
                "neither lcd nor cd of an earlier batch carries over");
        Path script = Files.writeString(two.resolve("script"), "@lls\n");
        Run batch = launch(two, "-b", "script");
        assertEquals(0, batch.code(), batch.err());
        assertTrue(batch.out().contains("a.txt\n"), batch.out());
    }

    @Test
    void thePasswordPromptIsRelayedAndAnsweredByTheLauncher() throws Exception {
        Files.writeString(tmp.resolve("pw"), "secret-a\n");
        Run r = launch(env(null), tmp, null, "--password-file", "pw", "-c", "pwd");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().endsWith("~\n"), r.out());
        // with no password source and no terminal, the relayed prompt gets no answer: as in-process
        Path other = tmp.resolve("agents2");
        Map<String, String> env = env(null);
        env.put("FILECLIENT_AGENT_DIR", other.toString());
        Run none = launch(env, tmp, null, "-c", "pwd");
        assertEquals(1, none.code());
        assertEquals("fileclient: no password: set FILECLIENT_PASSWORD, use --password-file, or run on a terminal\n",
                none.err());
        assertEquals(1, logins.all().size());
        Run wrong = launch(env("nope"), tmp, null, "--user", "bob", "-c", "pwd");
        assertEquals(6, wrong.code());
        assertEquals("fileclient: login failed: bad user name or password\n", wrong.err());
    }

    @Test
    void anIdleAgentLogsOutAndRemovesItsSocket() throws Exception {
        idleMillis = 300;
        assertEquals(0, launch(tmp, "-c", "pwd").code());
        String why = agents.get(0).stopped().get(30, TimeUnit.SECONDS);
        assertTrue(why.startsWith("idle for "), why);
        assertFalse(Files.exists(sockets.get(0)));
        assertEquals(0, launch(tmp, "-c", "pwd").code());
        assertEquals(2, agents.size(), "a new agent after the idle one left");
    }

    @Test
    void aStaleSocketIsReplaced() throws Exception {
        assertEquals(0, launch(tmp, "-c", "pwd").code());
        Path sock = sockets.get(0);
        agents.get(0).stop("test");
        // a socket file whose agent is gone, as after a kill -9
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(sock));
        }
        assertTrue(Files.exists(sock));
        Run r = launch(tmp, "-c", "pwd");
        assertEquals(0, r.code(), r.err());
        assertEquals(2, agents.size());
        assertTrue(Files.exists(sock));
    }

    @Test
    void aFolderTooDeepForASocketIsRefusedWithTheReason() throws Exception {
        agentDir = tmp.resolve("d".repeat(Math.max(1, 100 - tmp.toString().length())));
        Run r = launch(tmp, "-c", "pwd");
        assertEquals(Launcher.IN_PROCESS, r.code());
        assertTrue(r.err().startsWith("fileclient: agent not used: " + agentDir + " is too long a path for a UNIX socket"),
                r.err());
        assertTrue(r.err().contains("set FILECLIENT_AGENT_DIR to a shorter folder"), r.err());
        assertTrue(agents.isEmpty());
    }

    @Test
    void aFolderOthersCanReachIsRefused() throws Exception {
        Files.createDirectories(agentDir);
        Files.setPosixFilePermissions(agentDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Run r = launch(tmp, "-c", "pwd");
        assertEquals(Launcher.IN_PROCESS, r.code());
        assertEquals("fileclient: agent not used: " + agentDir + " has permissions rwxr-xr-x; it must be owner-only"
                + " (chmod 700 " + agentDir + ")\n", r.err());
        Files.delete(agentDir);
        Files.createSymbolicLink(agentDir, Files.createDirectories(tmp.resolve("elsewhere")));
        assertEquals(Launcher.IN_PROCESS, launch(tmp, "-c", "pwd").code());
        assertTrue(agents.isEmpty());
    }

    @Test
    void turnedOffTheClientRunsInProcess() throws Exception {
        Map<String, String> off = env("secret-a");
        off.put("FILECLIENT_AGENT", "0");
        assertEquals(Launcher.IN_PROCESS, launch(off, tmp, null, "-c", "pwd").code());
        assertEquals(Launcher.IN_PROCESS, launch(tmp, "--no-agent", "-c", "pwd").code());
        assertEquals(Launcher.IN_PROCESS, launch(tmp).code(), "the shell stays in-process");
        assertEquals(Launcher.IN_PROCESS, launch(tmp, "--some-future-option", "-c", "pwd").code());
        assertTrue(agents.isEmpty());
        assertFalse(Files.exists(agentDir), "nothing made when off");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, ClientMain.run(argv("--no-agent", "-c", "pwd"), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()),
                Map.of("FILECLIENT_PASSWORD", "secret-a"), null), "ClientMain accepts --no-agent");
        assertTrue(out.toString(StandardCharsets.UTF_8).endsWith("~\n"));
    }

    @Test
    void cancelStopsTheBatchWithStatus20AndASecondLauncherRunsInItsOwnProcess() throws Exception {
        Files.createDirectories(tmp.resolve("inbox"));
        CompletableFuture<Void> waiting = new CompletableFuture<>();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        OutputStream tap = new OutputStream() {
            @Override
            public synchronized void write(int b) {
                seen.write(b);
                if (seen.toString(StandardCharsets.UTF_8).contains("waiting for 1 file")) {
                    waiting.complete(null);
                }
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Launcher first = new Launcher(env("secret-a"), new ByteArrayInputStream(new byte[0]), out, tap, tmp, "",
                inThisJvm());
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(
                () -> first.run(argv("-c", "receive --count 1 --timeout 60 inbox")));
        waiting.get(60, TimeUnit.SECONDS);

        Run second = launch(tmp, "-c", "mkdir while-busy");
        assertEquals(Launcher.IN_PROCESS, second.code());
        assertEquals("fileclient: the agent is running another command; running this command in its own process\n",
                second.err());
        // what bin/fileclient does with 125: the same command line in-process
        assertEquals(0, BatchModeTest.client(server, "secret-a", "", "-c", "mkdir while-busy").code());
        assertTrue(Files.isDirectory(server.home("alice").resolve("while-busy")));

        first.cancel();
        assertEquals(20, status.get(30, TimeUnit.SECONDS));
        assertTrue(seen.toString(StandardCharsets.UTF_8).contains("receive: interrupted"), seen.toString());
        Run after = launch(tmp, "-c", "ls");
        assertEquals(0, after.code(), after.err());
        assertEquals(1, agents.size());
    }

    @Test
    void agentStopEndsIt() throws Exception {
        assertEquals(0, launch(tmp, "-c", "pwd").code());
        Run stop = launch(tmp, "--agent-stop");
        assertEquals(0, stop.code());
        assertTrue(stop.err().startsWith("fileclient: agent for alice@127.0.0.1:"), stop.err());
        assertNotNull(agents.get(0).stopped().get(10, TimeUnit.SECONDS));
        assertFalse(Files.exists(sockets.get(0)));
        assertTrue(launch(tmp, "--agent-stop").err().startsWith("fileclient: no agent running for alice@"));
    }

    @Test
    void aSpawnedAgentProcessKeepsNoSecretInItsArgvEnvironmentOrLog() throws Exception {
        List<Path> logs = new CopyOnWriteArrayList<>();
        Launcher.Spawner real = (sock, log, key, argv) -> {
            logs.add(log);
            sockets.add(sock);
            return Launcher.spawnProcess(sock, log, key, argv);
        };
        for (int i = 0; i < 2; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = new Launcher(env("secret-a"), new ByteArrayInputStream(new byte[0]), out, err, tmp, "", real)
                    .run(argv("-c", "pwd"));
            assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
            assertTrue(out.toString(StandardCharsets.UTF_8).endsWith("~\n"));
        }
        assertEquals(1, logs.size(), "started once");
        assertEquals(1, logins.all().size(), "logged in once");
        Path log = logs.get(0);
        String text = Files.readString(log);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("pid (\\d+)").matcher(text);
        assertTrue(m.find(), text);
        long pid = Long.parseLong(m.group(1));
        ProcessHandle agent = ProcessHandle.of(pid).orElseThrow();
        try {
            // not a child of this JVM: nothing of it waits in waitpid to hold this JVM's exit back
            assertTrue(ProcessHandle.current().descendants().noneMatch(p -> p.pid() == pid),
                    "the agent is detached from the launcher");
            checkNoSecrets(pid, log, text);
        } finally {
            // this test started it: never leave it behind for its 10 idle minutes
            assertEquals(0, launch(tmp, "--agent-stop").code());
            if (!agent.onExit().isDone()) {
                agent.onExit().get(30, TimeUnit.SECONDS);
            }
        }
        assertFalse(Files.exists(sockets.get(0)));
        assertTrue(Files.readString(log).contains("stopping: stopped by fileclient --agent-stop"));
    }

    @Test
    void anAgentJvmThatCannotStartIsReportedWithoutWaiting() throws Exception {
        String before = System.getProperty("fileclient.agent.jvm");
        System.setProperty("fileclient.agent.jvm", "-XX:+NoSuchFileclientTestFlag");
        try {
            Path sock = agentDir.resolve("x.sock");
            Files.createDirectories(agentDir);
            long t0 = System.nanoTime();
            assertFalse(Launcher.spawnProcess(sock, agentDir.resolve("x.log"), "x", List.of("127.0.0.1")));
            // well under the 30 s the launcher would wait for a "ready" that never comes
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20), "reported when the JVM died");
            assertTrue(Files.readString(agentDir.resolve("x.log")).contains("NoSuchFileclientTestFlag"),
                    "the JVM's complaint is in the agent's log");
            assertFalse(Files.exists(sock));
        } finally {
            if (before == null) {
                System.clearProperty("fileclient.agent.jvm");
            } else {
                System.setProperty("fileclient.agent.jvm", before);
            }
        }
    }

    private static void checkNoSecrets(long pid, Path log, String text) throws Exception {
        String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
        String environ = Files.readString(Path.of("/proc/" + pid + "/environ"));
        assertFalse(cmdline.contains("secret-a") || environ.contains("secret-a") || text.contains("secret-a"));
        assertFalse(environ.contains("FILECLIENT_PASSWORD"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
    }

    /** Copies what is written to two streams. */
    private static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
