package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rudp.fileclient.connection.Transfers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several servers behind one address, across hosts made of network namespaces ({@link Hosts}): a
 * balancer host running nginx ({@code bin/balancer}, the shipped deploy/nginx config), three server
 * hosts each running {@code fileserver serve} (the fileserver jar, as bin/fileserver runs it) on one
 * S3 bucket and one Redis, a storage host running the object store and Redis ({@code bin/objectstore},
 * {@code bin/redis} bound to its address) and two client hosts running the command-line client,
 * which know only the balancer's address. The clients run {@code ClientMain} with the test's class
 * path (bin/fileclient's jar is packaged after the tests).
 *
 * <p>Which server a client reaches is nginx's consistent hash of the client's address and port. To
 * make "on different servers" certain rather than likely, the test first sends one datagram from
 * each of a range of source ports on each client host, reads from nginx's log which server each
 * went to, and then starts each client with its host's ephemeral port range narrowed to two ports
 * that both go to the server wanted (a client binds at most two sockets: one to the server, one for
 * peer transfers). Server logs confirm where each login landed. The failover cases kill the server a
 * transfer runs on; the client's reconnects then take ports from the host's usual range.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
// generous: on a 2-core machine shared with other builds a server's first S3 reads took over 90 s
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class BalancedServersTest {
    private static final int PORT = 7777;
    private static final int SERVERS = 3;
    private static final int PROBE_FROM = 42000;
    // enough source ports that each server gets two consecutive ones: with 90, a hash that gave one
    // server a fifth of them left no such pair about once in forty runs (a CI run of 2026-12-06)
    private static final int PROBES = 300;
    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\S+)");

    @TempDir
    static Path work;

    private Hosts hosts;
    private Path checkout;
    private String fingerprint;
    private final List<List<String>> serverLogs = new ArrayList<>();
    private final List<Process> servers = new ArrayList<>();
    /** Per client host and server index: the first of two consecutive source ports that reach it. */
    private final Map<String, int[]> pins = new HashMap<>();
    private Path redisData;
    private Path objectData;
    private Path nginxDir;
    private int redisPort;

    @BeforeAll
    void build() throws Exception {
        String why = Hosts.unavailable();
        assumeTrue(why == null, () -> "multi-host test skipped: " + why);
        checkout = findCheckout();
        Path serverJar = checkout.resolve("fileserver/target/fileserver.jar");
        assertTrue(Files.isRegularFile(serverJar), serverJar + " is missing: build the reactor (mvn -pl fileclient -am verify)");
        hosts = new Hosts();
        String balancer = hosts.add("bal", 1);
        String storage = hosts.add("store", 5);
        List<String> serverAddresses = new ArrayList<>();
        for (int i = 0; i < SERVERS; i++) {
            serverAddresses.add(hosts.add("s" + i, 11 + i));
        }
        hosts.add("c1", 21);
        hosts.add("c2", 22);

        objectData = work.resolve("objectstore");
        Map<String, String> s3 = fields(hosts.exec("store", List.of(script("objectstore"), "start", "--data",
                objectData.toString(), "--bind", storage, "--wait", "120")));
        redisData = work.resolve("redis");
        String redisUrl = fields(hosts.exec("store", List.of(script("redis"), "start", "--data", redisData.toString(),
                "--bind", storage))).get("url");
        Matcher m = Pattern.compile("redis://:([0-9a-f]+)@([0-9.]+):(\\d+)").matcher(redisUrl);
        assertTrue(m.matches(), redisUrl);
        redisPort = Integer.parseInt(m.group(3));

        String bucket = "rudp-balancer-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> s3env = Map.of("AWS_ACCESS_KEY_ID", s3.get("access_key"),
                "AWS_SECRET_ACCESS_KEY", s3.get("secret_key"), "AWS_EC2_METADATA_DISABLED", "true");
        Process setup = hosts.spawn("store", List.of(java(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ScaleOutSetup.class.getName(), s3.get("endpoint"), bucket, "svc", "alice", "bob", "carol"), s3env);
        List<String> setupOut = new CopyOnWriteArrayList<>();
        Hosts.collect(setup, setupOut, "setup-out").join(120_000);
        assertTrue(setup.waitFor(10, TimeUnit.SECONDS) && setup.exitValue() == 0, "setup failed: " + setupOut);
        fingerprint = setupOut.stream().filter(l -> l.startsWith("fingerprint=")).findFirst()
                .orElseThrow(() -> new AssertionError("no fingerprint: " + setupOut)).substring("fingerprint=".length());

        Map<String, String> serverEnv = new HashMap<>(s3env);
        serverEnv.put("RUDP_REDIS_PASSWORD", m.group(1));
        for (int i = 0; i < SERVERS; i++) {
            List<String> log = new CopyOnWriteArrayList<>();
            Process p = hosts.spawn("s" + i, List.of(java(), "-Xmx256m", "-jar", serverJar.toString(), "serve",
                    "--store", "s3://" + bucket + "/svc", "--s3-endpoint", s3.get("endpoint"),
                    "--bind", serverAddresses.get(i), "--port", Integer.toString(PORT),
                    "--shared", "redis://" + storage + ":" + redisPort,
                    // a lock outlasting the slowest client start on a busy machine (default 10 s)
                    "--lock-seconds", "600"), serverEnv);
            Hosts.collect(p, log, "server-" + i);
            servers.add(p);
            serverLogs.add(log);
        }
        for (int i = 0; i < SERVERS; i++) {
            Hosts.await(serverLogs.get(i), 0, "fileserver: listening on", 300_000, servers.get(i));
        }

        nginxDir = work.resolve("nginx");
        List<String> start = new ArrayList<>(List.of(script("balancer"), "start", "--conf-dir", nginxDir.toString(),
                "--listen", balancer + ":" + PORT));
        serverAddresses.forEach(a -> start.addAll(List.of("--backend", a + ":" + PORT)));
        assertTrue(hosts.exec("bal", start).contains("balancer=" + balancer + ":" + PORT));

        for (String client : List.of("c1", "c2")) {
            pins.put(client, pinPorts(client, balancer, serverAddresses));
        }
        for (String user : List.of("alice", "bob", "carol")) {
            Path pw = work.resolve(user + ".pw");
            Files.writeString(pw, "secret-" + user + "\n");
            Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        }
        Files.createDirectories(work.resolve("home"));
    }

    @AfterAll
    void tearDown() throws Exception {
        if (hosts == null) {
            return;
        }
        try {
            if (nginxDir != null) {
                stopScript("balancer", "--conf-dir", nginxDir);
            }
            for (Process p : servers) {
                p.destroy();
            }
            for (Process p : servers) {
                p.waitFor(20, TimeUnit.SECONDS);
            }
            if (redisData != null) {
                stopScript("redis", "--data", redisData);
            }
            if (objectData != null) {
                stopScript("objectstore", "--data", objectData);
            }
        } finally {
            hosts.close();
        }
    }

    @Test
    @Order(1)
    void aPutAndAGetThroughTheBalancerAreIntactAndAnotherServerServesTheSameFile() throws Exception {
        Path in = TransferEndToEndTest.randomFile(work.resolve("in.bin"), 16L << 20, 15);
        Path out1 = work.resolve("out1.bin");
        Path out2 = work.resolve("out2.bin");
        Run put = client("c1", 0, "alice", "-c", "put " + in + " up.bin; get up.bin " + out1);
        assertEquals(0, put.exit, put.output());
        assertEquals(Transfers.hashFile(in), Transfers.hashFile(out1));
        Run get = client("c2", 1, "alice", "-c", "get up.bin " + out2);
        assertEquals(0, get.exit, get.output());
        assertEquals(Transfers.hashFile(in), Transfers.hashFile(out2));
        assertLoggedOn(0, "upload alice@");
        assertLoggedOn(1, "download alice@");
    }

    @Test
    @Order(2)
    void usersOnDifferentServersSendEachOtherFiles() throws Exception {
        peerTransfer(1, 2, "p2p-1");
    }

    @Test
    @Order(3)
    void fiveFailuresSpreadOverThreeServersLockTheAccountOnAll() throws Exception {
        // server by server: 0, 1, 2, 0, 1; none of them alone saw the five
        int[] spread = {0, 1, 2, 0, 1};
        for (int i = 0; i < spread.length; i++) {
            Run bad = client("c1", spread[i], "carol", "--password-file", work.resolve("alice.pw").toString(), "-c", "pwd");
            // the fifth failure is refused as "locked" already (exit 7), the four before as wrong (6)
            assertEquals(i < spread.length - 1 ? 6 : 7, bad.exit, "failure " + (i + 1) + ": " + bad.output());
        }
        for (int i = 0; i < SERVERS; i++) {
            int index = i;
            awaitCount(i, "login-failed carol@", java.util.Arrays.stream(spread).filter(s -> s == index).count());
        }
        Run right = client("c2", 2, "carol", "-c", "pwd");
        assertEquals(7, right.exit, "the right password is refused: the account is locked: " + right.output());
        assertTrue(right.output().contains("locked"), right.output());
    }

    @Test
    @Order(4)
    void withRedisStoppedLoginsWorkAndPeersFailClearlyThenBothWorkOnceItIsBack() throws Exception {
        hosts.exec("store", List.of(script("redis"), "stop", "--data", redisData.toString()));
        Run login = client("c1", 0, "alice", "-c", "pwd");
        assertEquals(0, login.exit, "logins keep working: " + login.output());
        Run peers = client("c2", 1, "bob", "-c", "peers");
        assertNotEquals(0, peers.exit, peers.output());
        assertTrue(peers.output().contains("peer introductions unavailable"), peers.output());

        hosts.exec("store", List.of(script("redis"), "start", "--data", redisData.toString(), "--bind",
                hosts.address("store"), "--port", Integer.toString(redisPort)));
        // each server writes its endpoints again every 5 s and logs once its store works again
        for (int i = 0; i < SERVERS; i++) {
            Hosts.await(serverLogs.get(i), 0, "shared-store-back", 30_000, servers.get(i));
        }
        assertTrue(serverLogs.stream().anyMatch(l -> l.stream().anyMatch(x -> x.contains("shared-store-down"))));
        peerTransfer(0, 2, "p2p-2");
    }

    @Test
    @Order(5)
    void aServerKilledHalfWayThroughAPutOrAGetHandsItToAnotherThroughTheBalancer() throws Exception {
        long size = Long.getLong("rudp.balancer.failoverBytes", 300L << 20);
        Path in = TransferEndToEndTest.randomFile(work.resolve("big.bin"), size, 300);
        // The put goes to server 2 (the client's bytes read tell how far it is), which dies half way.
        List<String> put = killHalfWay("c1", 2, size, pid -> readBytes(pid), "-c", "put " + in + " big.bin");
        assertResumed(put, "put", size);
        // The get goes to server 1, which dies once half of the file is in the client's partial file.
        Path out = work.resolve("big-back.bin");
        Path part = work.resolve("big-back.bin.part");
        List<String> get = killHalfWay("c2", 1, size, pid -> Files.exists(part) ? Files.size(part) : 0,
                "-c", "get big.bin " + out);
        assertResumed(get, "get", size);
        assertEquals(Transfers.hashFile(in), Transfers.hashFile(out));
    }

    /** What a process read so far ({@code rchar}: its file and anything else it read). */
    private static long readBytes(long pid) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
            if (line.startsWith("rchar:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        return 0;
    }

    private interface Progress {
        long of(long pid) throws java.io.IOException;
    }

    /**
     * Runs the client on {@code host} through the balancer to server {@code victim}, kills that server's
     * process (SIGKILL) once {@code progress} passes half of {@code size}, and returns the client's output
     * after it ended with status 0. The reconnect's ports are the host's usual range: nginx's hash may
     * send one to the dead server, which the balancer then marks down, and the next attempt elsewhere.
     */
    private List<String> killHalfWay(String host, int victim, long size, Progress progress, String... args)
            throws Exception {
        setPorts(host, victim);
        List<String> cmd = new ArrayList<>(clientCommand("alice", args));
        cmd.remove("-XX:TieredStopAtLevel=1"); // hundreds of MB: the crypto intrinsics are C2's
        List<String> out = new CopyOnWriteArrayList<>();
        Process p = hosts.spawn(host, cmd, clientEnv());
        Thread reader = Hosts.collect(p, out, "client-failover");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (p.isAlive() && progress.of(p.pid()) < size / 2 && System.nanoTime() < deadline) {
            synchronized (this) {
                wait(50); // the transfer's progress is only visible from outside: look again shortly
            }
        }
        assertTrue(p.isAlive(), "the transfer was still running half way: " + out);
        // The client's socket is bound; its reconnects take fresh ports, as any client's do. With the
        // range still narrowed to two ports a reconnect reuses nginx's session for its old port, and
        // nginx keeps a session on the upstream it chose: the dead server, for as long as datagrams flow.
        hosts.exec(host, List.of("sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=32768 60999"));
        servers.get(victim).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the client ends: " + out);
        reader.join(10_000);
        assertEquals(0, p.exitValue(), String.join("\n", out));
        return out;
    }

    /** One reconnect line whose resume offset shows that less than the whole file went again. */
    private static void assertResumed(List<String> out, String op, long size) {
        Pattern resumed = Pattern.compile("reconnected to .*resuming " + op + " \\S+ at (\\d+)");
        String line = out.stream().filter(l -> resumed.matcher(l).find()).findFirst()
                .orElseThrow(() -> new AssertionError("no reconnect line: " + out));
        System.out.println(op + " of " + size + " bytes: " + line);
        Matcher m = resumed.matcher(line);
        assertTrue(m.find());
        long offset = Long.parseLong(m.group(1));
        assertTrue(offset > 0 && offset < size, "resumed at " + offset + " of " + size);
    }

    /** Bob receives on server {@code bobOn}, alice sends him a file from server {@code aliceOn}. */
    private void peerTransfer(int bobOn, int aliceOn, String name) throws Exception {
        Path inbox = Files.createDirectories(work.resolve(name + "-inbox"));
        Path file = TransferEndToEndTest.randomFile(work.resolve(name + ".bin"), 4L << 20, name.hashCode());
        setPorts("c2", bobOn);
        List<String> bobOut = new CopyOnWriteArrayList<>();
        Process bob = hosts.spawn("c2", clientCommand("bob", "-c", "receive --count 1 --timeout 60 " + inbox),
                clientEnv());
        Thread reader = Hosts.collect(bob, bobOut, "bob");
        Hosts.await(bobOut, 0, "waiting for 1 file", 60_000, bob);
        Run send = client("c1", aliceOn, "alice", "-c", "send bob " + file);
        assertEquals(0, send.exit, send.output());
        assertTrue(bob.waitFor(60, TimeUnit.SECONDS), "bob's receive ends");
        reader.join(10_000);
        assertEquals(0, bob.exitValue(), String.join("\n", bobOut));
        assertEquals(Transfers.hashFile(file), Transfers.hashFile(inbox.resolve(file.getFileName())));
        assertLoggedOn(bobOn, "login bob@");
        assertLoggedOn(aliceOn, "login alice@");
    }

    /** Waits until server {@code server} has logged exactly {@code n} lines containing {@code text}. */
    private void awaitCount(int server, String text, long n) throws InterruptedException {
        List<String> log = serverLogs.get(server);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (log) {
            while (log.stream().filter(l -> l.contains(text)).count() < n && System.nanoTime() < deadline) {
                log.wait(100);
            }
        }
        assertEquals(n, log.stream().filter(l -> l.contains(text)).count(), "'" + text + "' logged by server " + server);
    }

    private void assertLoggedOn(int server, String text) {
        assertTrue(serverLogs.get(server).stream().anyMatch(l -> l.contains(text)),
                "server " + server + " logged '" + text + "': " + serverLogs.get(server));
    }

    private record Run(int exit, List<String> lines) {
        String output() {
            return String.join("\n", lines);
        }
    }

    /** Runs the client on host {@code host} through the balancer, reaching server {@code server}. */
    private Run client(String host, int server, String user, String... args) throws Exception {
        setPorts(host, server);
        List<String> out = new CopyOnWriteArrayList<>();
        Process p = hosts.spawn(host, clientCommand(user, args), clientEnv());
        Thread reader = Hosts.collect(p, out, "client-" + user);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the client ends: " + out);
        reader.join(10_000);
        return new Run(p.exitValue(), out);
    }

    private List<String> clientCommand(String user, String... args) {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), ClientMain.class.getName(), "--no-agent", "-q", "--user", user,
                "-i", "none", "--fingerprint", fingerprint, "--port", Integer.toString(PORT), "--timeout", "60"));
        if (!List.of(args).contains("--password-file")) {
            cmd.addAll(List.of("--password-file", work.resolve(user + ".pw").toString()));
        }
        cmd.addAll(List.of(args));
        cmd.add(hosts.address("bal"));
        return cmd;
    }

    private Map<String, String> clientEnv() {
        return Map.of("HOME", work.resolve("home").toString(), "FILECLIENT_AGENT", "0");
    }

    /** Narrows host {@code host}'s ephemeral ports to two that nginx sends to server {@code server}. */
    private void setPorts(String host, int server) throws Exception {
        int first = pins.get(host)[server];
        hosts.exec(host, List.of("sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=" + first + " " + (first + 1)));
    }

    /**
     * One datagram from each source port {@code PROBE_FROM..+PROBES} of host {@code client} to the
     * balancer; nginx's log (level info) says which server each port's session went to. Returns, per
     * server, the first port P such that P and P+1 both go to it.
     */
    private int[] pinPorts(String client, String balancer, List<String> serverAddresses) throws Exception {
        hosts.exec(client, List.of("python3", "-c", "import socket,sys\n"
                + "for p in range(int(sys.argv[1]), int(sys.argv[2])):\n"
                + "    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                + "    s.bind((sys.argv[3], p))\n"
                + "    s.sendto(b'probe', (sys.argv[4], int(sys.argv[5])))\n"
                + "    s.close()\n",
                Integer.toString(PROBE_FROM), Integer.toString(PROBE_FROM + PROBES), hosts.address(client), balancer,
                Integer.toString(PORT)));
        Path log = nginxDir.resolve("error.log");
        Pattern clientLine = Pattern.compile("\\*(\\d+) udp client " + Pattern.quote(hosts.address(client)) + ":(\\d+) connected");
        Pattern proxyLine = Pattern.compile("\\*(\\d+) udp proxy \\S+ connected to ([0-9.]+):" + PORT);
        Map<Integer, Integer> to = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (to.size() < PROBES && System.nanoTime() < deadline) {
            Map<String, Integer> sessionPort = new HashMap<>();
            to.clear();
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (String l : lines) {
                Matcher c = clientLine.matcher(l);
                if (c.find()) {
                    sessionPort.put(c.group(1), Integer.parseInt(c.group(2)));
                }
                Matcher p = proxyLine.matcher(l);
                if (p.find() && sessionPort.containsKey(p.group(1))) {
                    to.put(sessionPort.get(p.group(1)), serverAddresses.indexOf(p.group(2)));
                }
            }
            if (to.size() < PROBES) {
                synchronized (this) {
                    wait(100);   // nginx writes its log as it goes; re-read until every probe is there
                }
            }
        }
        int[] pin = new int[SERVERS];
        java.util.Arrays.fill(pin, -1);
        for (int port = PROBE_FROM; port < PROBE_FROM + PROBES - 1; port++) {
            Integer a = to.get(port);
            if (a != null && a >= 0 && a.equals(to.get(port + 1)) && pin[a] < 0) {
                pin[a] = port;
            }
        }
        for (int i = 0; i < SERVERS; i++) {
            assertTrue(pin[i] >= 0, "no two consecutive ports of " + client + " reach server " + i + ": " + to);
        }
        return pin;
    }

    private void stopScript(String name, String option, Path dir) {
        try {
            Process p = new ProcessBuilder(script(name), "stop", option, dir.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // the namespaces go anyway; their processes were started in their own sessions
        }
    }

    private String script(String name) {
        return checkout.resolve("bin").resolve(name).toString();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Map<String, String> fields(String text) {
        Map<String, String> f = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = FIELD.matcher(line);
            while (m.find()) {
                f.put(m.group(1), m.group(2));
            }
        }
        return f;
    }

    /** The checkout: tests run from a module folder, bin/ is one level up. */
    private static Path findCheckout() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isExecutable(dir.resolve("bin").resolve("balancer"))) {
                return dir;
            }
        }
        throw new IllegalStateException("bin/balancer not found above " + Path.of("").toAbsolutePath());
    }
}
