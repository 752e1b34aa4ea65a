package dev.rudp.bench.login;

import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.KnownHosts;
import dev.rudp.fileclient.connection.ServerTrust;
import dev.rudp.fileclient.keys.Identity;
import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.auth.AuthorizedKeys;
import dev.rudp.fileserver.auth.PasswordHasher;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.server.ServerIdentity;
import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The server's CPU per login, measured from outside: a {@code fileserver serve} child process (DTLS,
 * default scrypt cost) and this process as the client, logging in again and again; the server's CPU
 * comes from {@code /proc/PID/task/TID/stat} before and after each batch, per thread. Rows, run
 * interleaved round after round after a warm-up:
 * <ul>
 *   <li>{@code connect}: DTLS handshake, one KEY_CHALLENGE round trip, close (the floor every login pays);</li>
 *   <li>{@code key}: the same plus KEY_LOGIN (an Ed25519 verification, lockout check, home folder);</li>
 *   <li>{@code resumed}: as {@code connect}, the client pinning the server in a known-hosts file and so
 *   resuming the DTLS session the previous connect saved (no key exchange, certificate or signature);</li>
 *   <li>{@code password}: DTLS handshake, LOGIN with scrypt N=2^15, close.</li>
 * </ul>
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.rudp.bench.login.LoginCost [--logins N] [--password-logins N]
 *      [--rounds R] [--warmup N]
 * </pre>
 * Linux only (procfs). Prints medians over the rounds and the per-thread split of the key login's
 * extra cost; no figure is asserted.
 */
public final class LoginCost {
    private LoginCost() {
    }

    public static void main(String[] args) throws Exception {
        int logins = 200;
        int passwordLogins = 20;
        int rounds = 3;
        int warmup = 300;
        for (int i = 0; i + 1 < args.length; i += 2) {
            int v = Integer.parseInt(args[i + 1]);
            switch (args[i]) {
                case "--logins" -> logins = v;
                case "--password-logins" -> passwordLogins = v;
                case "--rounds" -> rounds = v;
                case "--warmup" -> warmup = v;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path data = Files.createTempDirectory("login-cost");
        AccountStore.open(data).put(new Account("bench", false, PasswordHasher.DEFAULT.hash("bench-pw".toCharArray())));
        Identity id = Identity.generate("bench@login-cost");
        AuthorizedKeys.open(data).add("bench", id.publicKey());
        String fingerprint = ServerIdentity.loadOrCreate(data).fingerprint();
        int port;
        try (DatagramSocket s = new DatagramSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = data.resolve("server.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process server = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.rudp.fileserver.ServerMain", "serve", "--root", data.toString(), "--bind", "127.0.0.1",
                "--port", String.valueOf(port)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitListening(log, server);
            // the client's files (known_hosts, and the sessions/ folder beside it) outside the server's data
            Path knownHosts = Files.createTempDirectory("login-cost-client").resolve("known_hosts");
            new KnownHosts(knownHosts).add(KnownHosts.key("127.0.0.1", port), fingerprint);
            Client c = new Client(port, ServerTrust.fingerprint(fingerprint),
                    ServerTrust.knownHosts(new KnownHosts(knownHosts), false), id);
            // the first connect through the known-hosts file runs a full handshake and saves the session
            FileConnection.connect("127.0.0.1", port, 10_000, null, c.resuming()).close();
            for (int i = 0; i < warmup; i++) {
                c.once(Row.KEY);
                c.once(Row.CONNECT);
                c.once(Row.RESUMED);
                if (i % 30 == 0) {
                    c.once(Row.PASSWORD);
                }
            }
            Map<Row, List<Double>> perLogin = new LinkedHashMap<>();
            Map<Row, Map<String, Double>> threads = new LinkedHashMap<>();
            for (int r = 0; r < rounds; r++) {
                for (Row row : Row.values()) {
                    int n = row == Row.PASSWORD ? passwordLogins : logins;
                    Map<String, Double> before = threadSeconds(server.pid());
                    double processBefore = processSeconds(server.pid());
                    for (int i = 0; i < n; i++) {
                        c.once(row);
                    }
                    double total = processSeconds(server.pid()) - processBefore;
                    Map<String, Double> d = delta(threadSeconds(server.pid()), before);
                    perLogin.computeIfAbsent(row, k -> new ArrayList<>()).add(total * 1000 / n);
                    Map<String, Double> acc = threads.computeIfAbsent(row, k -> new TreeMap<>());
                    d.forEach((t, s) -> acc.merge(t, s * 1000 / n, Double::sum));
                    System.out.printf("round %d %-8s %4d logins: server %.2f ms CPU each%n", r + 1, row.label, n,
                            total * 1000 / n);
                }
            }
            System.out.println();
            System.out.println("LoginCost " + Instant.now() + ", JDK " + System.getProperty("java.version") + ", "
                    + Runtime.getRuntime().availableProcessors() + " CPUs, " + logins + " logins per row ("
                    + passwordLogins + " password), " + rounds + " rounds, warm-up " + warmup);
            System.out.println("| row | server CPU per login, median (min-max) ms |");
            System.out.println("|---|---|");
            for (Row row : Row.values()) {
                List<Double> v = new ArrayList<>(perLogin.get(row));
                Collections.sort(v);
                System.out.printf("| %s | %.2f (%.2f-%.2f) |%n", row.label, v.get(v.size() / 2), v.get(0),
                        v.get(v.size() - 1));
            }
            System.out.println();
            System.out.println("server CPU per login by thread group (threads alive at both readings), mean over the"
                    + " rounds (ms):");
            int nRounds = rounds;
            for (Row row : Row.values()) {
                StringBuilder b = new StringBuilder("  " + row.label + ":");
                threads.get(row).entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
                        .limit(6).forEach(e -> b.append(String.format(" %s %.3f;", e.getKey(), e.getValue() / nRounds)));
                System.out.println(b);
            }
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    enum Row {
        CONNECT("connect"), KEY("key"), RESUMED("resumed"), PASSWORD("password");

        final String label;

        Row(String label) {
            this.label = label;
        }
    }

    private record Client(int port, ServerTrust trust, ServerTrust resuming, Identity id) {
        void once(Row row) throws ClientException {
            try (FileConnection c = FileConnection.connect("127.0.0.1", port, 10_000, null,
                    row == Row.RESUMED ? resuming : trust)) {
                if (row == Row.RESUMED && !c.resumedSession()) {
                    throw new IllegalStateException("the server did not resume the session");
                }
                switch (row) {
                    case CONNECT, RESUMED -> c.call(Op.KEY_CHALLENGE, List.of());
                    case KEY -> c.loginWithKey("bench", id.publicKey(), id::sign);
                    case PASSWORD -> c.login("bench", "bench-pw".toCharArray());
                }
            }
        }
    }

    private static void awaitListening(Path log, Process server) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IOException("the server exited: " + Files.readString(log));
            }
            if (Files.exists(log) && Files.readString(log).contains("listening on")) {
                return;
            }
            Thread.sleep(50); // polling a child's log file: there is nothing to wait on
        }
        throw new IOException("the server did not start within 30 s");
    }

    /** CPU seconds of the whole process {@code pid}, threads that ended included. */
    static double processSeconds(long pid) throws IOException {
        String stat = String.join(" ", Files.readAllLines(Path.of("/proc", String.valueOf(pid), "stat")));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    /** CPU seconds per thread group (the thread name with its trailing number dropped) of {@code pid}. */
    static Map<String, Double> threadSeconds(long pid) throws IOException {
        Map<String, Double> out = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = String.join(" ", Files.readAllLines(t.resolve("stat")));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("[-#]?[0-9]+$", "");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                    double s = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
                    out.merge(name, s, Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            }
        }
        return out;
    }

    private static Map<String, Double> delta(Map<String, Double> after, Map<String, Double> before) {
        Map<String, Double> d = new TreeMap<>();
        after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0.0)));
        return d;
    }
}
