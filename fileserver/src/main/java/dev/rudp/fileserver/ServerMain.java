package dev.rudp.fileserver;

import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.auth.AuthorizedKeys;
import dev.rudp.fileserver.auth.PasswordHasher;
import dev.rudp.fileserver.server.FileServer;
import dev.rudp.fileserver.server.ServerIdentity;
import dev.rudp.fileserver.server.ServerConfig;
import dev.rudp.fileserver.shared.SharedStoreSettings;
import dev.rudp.fileserver.storage.StoreBackend;
import dev.rudp.fileserver.storage.SystemRecords;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code fileserver adduser|deluser|passwd|addkey|keys|delkey|fingerprint|serve}: account and key
 * administration, the server's identity and the server. Exit status 0 on success, 1 on an error, 2 on a usage error.
 */
public final class ServerMain {
    static final String USAGE = String.join("\n",
            "usage: fileserver adduser STORE [--admin] NAME   (password from stdin when not a terminal)",
            "       fileserver deluser STORE NAME",
            "       fileserver passwd STORE NAME",
            "       fileserver addkey STORE NAME KEYFILE   (a public key line 'ed25519 BASE64 [comment]'; - for stdin)",
            "       fileserver keys STORE NAME             (the account's keys: fingerprint and comment)",
            "       fileserver delkey STORE NAME FINGERPRINT|KEYFILE",
            "       fileserver fingerprint STORE   (prints SHA256:...; creates the identity if missing)",
            "       fileserver serve STORE [--bind ADDR] [--port P] [--max-sessions N] [--max-file-size BYTES]",
            "                        [--quota BYTES] [--max-failures N] [--lock-seconds S] [--idle-timeout-ms MS]",
            "                        [--login-timeout-ms MS] [--io-threads N] [--loops N] [--upload-expiry-hours H]",
            "                        [--drain-seconds S] [--session-idle-minutes M]",
            "                        [--user-rate RATE] [--total-rate RATE] [--plaintext]",
            "                        (RATE: bytes per second each way, k/m/g suffixes, e.g. 20m; 0 none)",
            "                        [--shared redis://[:PASSWORD@]HOST:PORT [--shared-prefix NAME]]",
            "                        (the Redis password may come from RUDP_REDIS_PASSWORD instead of the URL)",
            "  STORE: --root DIR (a data folder), or --store s3://BUCKET[/PREFIX] [--s3-endpoint URL] [--s3-region R]",
            "         [--s3-timeout SECONDS] (how long the store may stall a request before it fails; default 30)",
            "         (an S3 bucket that several servers may share; credentials from AWS_ACCESS_KEY_ID and",
            "         AWS_SECRET_ACCESS_KEY or the AWS SDK's other default sources)");

    private ServerMain() {
    }

    public static void main(String[] args) {
        MachineId.chooseIfUnset();
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %5$s%6$s%n");
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command line; returns the exit status. */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        List<String> args = new ArrayList<>(Arrays.asList(argv));
        if (args.isEmpty() || args.contains("--help") || args.contains("-h")) {
            (args.isEmpty() ? err : out).println(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        String command = args.remove(0);
        try {
            Opts o = new Opts(args);
            o.store.validate();
            if (command.equals("serve")) {
                if (!o.operands.isEmpty()) {
                    throw new UsageException("unexpected argument: " + o.operands.get(0));
                }
                ServerConfig cfg = o.config();
                try (StoreBackend backend = o.store.open()) {
                    return serve(cfg.backend(backend), err);
                }
            }
            if (!ADMIN.contains(command)) {
                throw new UsageException("unknown command: " + command);
            }
            try (StoreBackend backend = o.store.open()) {
                return admin(command, o, backend, out, err);
            }
        } catch (UsageException e) {
            err.println("fileserver: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (IOException e) {
            err.println("fileserver: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static final List<String> ADMIN = List.of("adduser", "passwd", "deluser", "addkey", "keys", "delkey",
            "fingerprint");

    /** The account, key and identity commands, on {@code backend}'s records. */
    private static int admin(String command, Opts o, StoreBackend backend, PrintStream out, PrintStream err)
            throws IOException, UsageException {
        SystemRecords records = backend.records();
        switch (command) {
            case "adduser", "passwd" -> {
                String name = o.single();
                AccountStore store = AccountStore.open(records);
                boolean exists = store.find(name).isPresent();
                if (command.equals("adduser") && exists) {
                    err.println("fileserver: account exists: " + name + " (use passwd to change its password)");
                    return 1;
                }
                if (command.equals("passwd") && !exists) {
                    err.println("fileserver: no such account: " + name);
                    return 1;
                }
                if (!Account.validName(name)) {
                    throw new UsageException("invalid account name: " + name
                            + " (use 1-32 of A-Z a-z 0-9 . _ -, not starting with a dot)");
                }
                char[] pw = readPassword(name);
                if (pw == null) {
                    err.println("fileserver: passwords do not match or are empty");
                    return 1;
                }
                boolean admin = command.equals("adduser") ? o.admin : store.find(name).get().admin();
                store.put(new Account(name, admin, PasswordHasher.DEFAULT.hash(pw)));
                Arrays.fill(pw, '\0');
                out.println((command.equals("adduser") ? "added " : "changed password of ")
                        + (admin ? "admin " : "user ") + name);
                return 0;
            }
            case "deluser" -> {
                String name = o.single();
                if (!AccountStore.open(records).remove(name)) {
                    err.println("fileserver: no such account: " + name);
                    return 1;
                }
                int keys = AuthorizedKeys.open(records).removeAll(name);
                String home = o.store.s3() ? backend.describe() + "/" + name + "/" : o.store.root.resolve("home")
                        .resolve(name).toString();
                out.println("deleted account " + name + (keys > 0 ? " and its " + keys + " key(s)" : "")
                        + " (its files stay in " + home + ")");
                return 0;
            }
            case "addkey", "keys", "delkey" -> {
                return KeyAdmin.run(command, records, o.operands, out, err);
            }
            default -> {
                if (!o.operands.isEmpty()) {
                    throw new UsageException("unexpected argument: " + o.operands.get(0));
                }
                ServerIdentity id = ServerIdentity.loadOrCreate(records);
                if (id.created()) {
                    err.println("fileserver: created a new server identity in " + backend.describe());
                }
                out.println(id.fingerprint());
                return 0;
            }
        }
    }

    private static int serve(ServerConfig cfg, PrintStream err) throws IOException, InterruptedException {
        if (cfg.plaintext()) {
            err.println("fileserver: WARNING: --plaintext: encryption is OFF; file contents and passwords travel"
                    + " in the clear");
        }
        FileServer server = FileServer.start(cfg);
        err.println("fileserver: listening on " + server.address() + (cfg.plaintext() ? " (PLAINTEXT"
                : " (DTLS, fingerprint " + server.identity().fingerprint()) + "; Ctrl-C or SIGTERM stops)");
        // JUL resets its handlers in its own shutdown hook, so the stop is reported on stderr directly
        Thread hook = new Thread(() -> {
            System.err.println("fileserver: stopping gracefully (signal): new connections refused, clients told to"
                    + " move, running transfers may finish within " + cfg.drainSeconds() + " s");
            server.shutdown();
            System.err.println("fileserver: stopped");
        }, "fileserver-sigterm");
        Runtime.getRuntime().addShutdownHook(hook);
        server.terminated().join();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        return 0;
    }

    private static char[] readPassword(String name) throws IOException {
        Console c = System.console();
        if (c != null) {
            char[] a = c.readPassword("password for %s: ", name);
            char[] b = c.readPassword("again: ");
            if (a == null || b == null || a.length == 0 || !Arrays.equals(a, b)) {
                return null;
            }
            Arrays.fill(b, '\0');
            return a;
        }
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        return line == null || line.isEmpty() ? null : line.toCharArray();
    }

    /** A bad command line. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String m) {
            super(m);
        }
    }

    private static final class Opts {
        final StoreOptions store = new StoreOptions();
        boolean admin;
        boolean plaintext;
        String bind = "0.0.0.0";
        int port = 7777;
        String shared;
        String sharedPrefix;
        final List<String> operands = new ArrayList<>();
        final List<String[]> limits = new ArrayList<>();

        Opts(List<String> args) throws UsageException {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--admin" -> admin = true;
                    case "--plaintext" -> plaintext = true;
                    case "--root", "--bind", "--port", "--max-sessions", "--max-file-size", "--quota",
                            "--max-failures", "--lock-seconds", "--idle-timeout-ms", "--login-timeout-ms",
                            "--io-threads", "--loops", "--upload-expiry-hours", "--drain-seconds", "--session-idle-minutes",
                            "--store", "--s3-endpoint", "--s3-region", "--s3-timeout",
                            "--shared", "--shared-prefix", "--user-rate", "--total-rate" -> {
                        if (i + 1 >= args.size()) {
                            throw new UsageException(a + " needs a value");
                        }
                        String v = args.get(++i);
                        switch (a) {
                            case "--root" -> store.root = Path.of(v);
                            case "--store" -> store.store = v;
                            case "--s3-endpoint" -> store.endpoint = v;
                            case "--s3-region" -> store.region = v;
                            case "--s3-timeout" -> store.timeoutSeconds = number(a, v, 1, 3600);
                            case "--bind" -> bind = v;
                            case "--port" -> port = (int) number(a, v, 0, 65535);
                            case "--shared" -> shared = v;
                            case "--shared-prefix" -> sharedPrefix = v;
                            default -> limits.add(new String[] {a, v});
                        }
                    }
                    default -> {
                        if (a.startsWith("-")) {
                            throw new UsageException("unknown option: " + a);
                        }
                        operands.add(a);
                    }
                }
            }
        }

        String single() throws UsageException {
            if (operands.size() != 1) {
                throw new UsageException("expected one account NAME");
            }
            return operands.get(0);
        }

        ServerConfig config() throws UsageException {
            ServerConfig c = new ServerConfig(store.root).bind(new InetSocketAddress(bind, port)).plaintext(plaintext);
            if (shared != null) {
                try {
                    c.shared(SharedStoreSettings.parse(shared, System.getenv("RUDP_REDIS_PASSWORD"),
                            sharedPrefix == null ? SharedStoreSettings.DEFAULT_PREFIX : sharedPrefix));
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage());
                }
            } else if (sharedPrefix != null) {
                throw new UsageException("--shared-prefix needs --shared");
            }
            for (String[] l : limits) {
                if (l[0].endsWith("-rate")) {
                    long rate;
                    try {
                        rate = dev.rudp.fileserver.server.RateLimits.parseRate(l[1]);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(l[0] + ": " + e.getMessage());
                    }
                    if (l[0].equals("--user-rate")) {
                        c.userRate(rate);
                    } else {
                        c.totalRate(rate);
                    }
                    continue;
                }
                long v = number(l[0], l[1], 0, Long.MAX_VALUE);
                switch (l[0]) {
                    case "--max-sessions" -> c.maxSessions((int) Math.min(v, 100_000));
                    case "--max-file-size" -> c.maxFileSize(v);
                    case "--quota" -> c.quota(v);
                    case "--max-failures" -> c.maxFailures((int) Math.max(1, Math.min(v, 1000)));
                    case "--lock-seconds" -> c.lockMillis(v * 1000);
                    case "--login-timeout-ms" -> c.loginTimeoutMillis(Math.max(100, v));
                    case "--io-threads" -> c.ioThreads((int) Math.max(1, Math.min(v, 256)));
                    case "--drain-seconds" -> c.drainSeconds(Math.min(v, 3600));
                    case "--session-idle-minutes" -> c.sessionIdleMillis(Math.min(v, 7L * 24 * 60) * 60_000);
                    case "--loops" -> c.loops((int) Math.max(1, Math.min(v, 256)));
                    case "--upload-expiry-hours" -> c.uploadExpiry(java.time.Duration.ofHours(Math.max(1, Math.min(v,
                            24L * 3650))));
                    default -> c.idleTimeoutMillis(Math.max(1000, v));
                }
            }
            return c;
        }

        private static long number(String opt, String v, long min, long max) throws UsageException {
            try {
                long n = Long.parseLong(v);
                if (n < min || n > max) {
                    throw new UsageException(opt + " must be within " + min + ".." + max);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new UsageException(opt + ": not a number: " + v);
            }
        }
    }
}
