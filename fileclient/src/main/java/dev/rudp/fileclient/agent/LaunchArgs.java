package dev.rudp.fileclient.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * The launcher's reading of fileclient's command line: only what decides whether and which agent to
 * use. Anything it does not know (an option added later, a bad value) makes it step aside, so
 * {@code ClientMain} parses and reports it exactly as without agent.
 */
final class LaunchArgs {
    String host;
    int port = 7777;
    String user = System.getProperty("user.name");
    String passwordFile;
    /** {@code -i/--identity}: a key file, or {@code none}; null for the default key. */
    String identity;
    String batch;
    String commands;
    boolean quiet;
    String knownHosts;
    String fingerprint;
    boolean trustNew;
    boolean plaintext;
    String connectTimeout;
    /** {@code --reconnect N}: the agent's session reconnects (null: the default). */
    String reconnect;
    long timeoutMillis = 60_000;
    boolean noAgent;
    boolean agentStop;

    /** Null when the launcher should leave the command line to the in-process client. */
    static LaunchArgs parse(String[] argv) {
        LaunchArgs a = new LaunchArgs();
        for (int i = 0; i < argv.length; i++) {
            String s = argv[i];
            switch (s) {
                case "-q" -> a.quiet = true;
                case "--trust-new" -> a.trustNew = true;
                case "--plaintext" -> a.plaintext = true;
                case "--no-agent" -> a.noAgent = true;
                case "--agent-stop" -> a.agentStop = true;
                case "--port", "-P", "--user", "-u", "--password-file", "-b", "-c", "--connect-timeout",
                        "--timeout", "--known-hosts", "--fingerprint", "--identity", "-i", "--reconnect" -> {
                    if (i + 1 >= argv.length) {
                        return null;
                    }
                    String v = argv[++i];
                    try {
                        switch (s) {
                            case "--port", "-P" -> a.port = Integer.parseInt(v);
                            case "--user", "-u" -> a.user = v;
                            case "--password-file" -> a.passwordFile = v;
                            case "-b" -> a.batch = v;
                            case "-c" -> a.commands = v;
                            case "--connect-timeout" -> a.connectTimeout = String.valueOf(Long.parseLong(v));
                            case "--timeout" -> a.timeoutMillis = Math.max(1, Long.parseLong(v)) * 1000;
                            case "--known-hosts" -> a.knownHosts = v;
                            case "--identity", "-i" -> a.identity = v;
                            case "--reconnect" -> {
                                int n = Integer.parseInt(v);
                                if (n < 0 || n > 100) {
                                    return null; // ClientMain says why
                                }
                                a.reconnect = String.valueOf(n);
                            }
                            default -> a.fingerprint = v;
                        }
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
                default -> {
                    if (s.startsWith("-") || a.host != null) {
                        return null;
                    }
                    a.host = s;
                }
            }
        }
        if (a.host == null || a.port < 1 || a.port > 65535 || (a.batch != null && a.commands != null)
                || (a.plaintext && (a.fingerprint != null || a.trustNew))) {
            return null;
        }
        return a;
    }

    /**
     * Whether an agent may run this command: a batch run (the interactive shell stays in-process), the
     * agent not turned off, a batch file readable, and typed commands ({@code -b -} on a terminal)
     * run as typed, not after Ctrl-D.
     */
    boolean agentMayRun(java.util.Map<String, String> env, String ttys, java.nio.file.Path cwd) {
        if (!isBatch() || noAgent || "0".equals(env.get("FILECLIENT_AGENT"))) {
            return false;
        }
        if ("-".equals(batch)) {
            return !ttys.contains("i");
        }
        return batch == null || java.nio.file.Files.isReadable(cwd.resolve(batch));
    }

    /**
     * {@code argv} with the files it names ({@code -b}, {@code --password-file}, {@code -i},
     * {@code --known-hosts}) resolved in {@code cwd}, for a client whose JVM runs in another folder.
     */
    static String[] withPathsIn(String[] argv, java.nio.file.Path cwd) {
        String[] v = argv.clone();
        for (int i = 0; i + 1 < v.length; i++) {
            switch (v[i]) {
                case "-b", "--password-file", "--identity", "-i", "--known-hosts" -> {
                    String f = v[++i];
                    if (!f.equals("-") && !f.equals("none") && !f.isEmpty()) {
                        v[i] = cwd.resolve(f).toString();
                    }
                }
                case "--port", "-P", "--user", "-u", "-c", "--connect-timeout", "--timeout", "--fingerprint",
                        "--reconnect" -> i++;
                default -> {
                    // a flag or the host
                }
            }
        }
        return v;
    }

    /** Whether this is a batch run (-c or -b); the interactive shell stays in-process. */
    boolean isBatch() {
        return batch != null || commands != null;
    }

    /**
     * The agent's session options: everything the connection and login depend on, with the known
     * hosts file made absolute (the agent runs elsewhere). Never a password or password file.
     */
    List<String> sessionArgv(java.nio.file.Path cwd) {
        List<String> v = new ArrayList<>(List.of("--port", String.valueOf(port), "--user", user));
        if (knownHosts != null) {
            v.addAll(List.of("--known-hosts", cwd.resolve(knownHosts).toString()));
        }
        if (identity != null) {
            v.addAll(List.of("--identity", identityPath(cwd)));
        }
        if (trustNew) {
            v.add("--trust-new");
        }
        if (fingerprint != null) {
            v.addAll(List.of("--fingerprint", fingerprint));
        }
        if (plaintext) {
            v.add("--plaintext");
        }
        if (connectTimeout != null) {
            v.addAll(List.of("--connect-timeout", connectTimeout));
        }
        if (reconnect != null) {
            v.addAll(List.of("--reconnect", reconnect));
        }
        v.add(host);
        return v;
    }

    /** The agent key: one agent per user, server, account and trust options, and client build. */
    String key(java.nio.file.Path cwd, String build) {
        return AgentDir.key("fileclient-agent-1", System.getProperty("user.name"), host.toLowerCase(java.util.Locale.ROOT),
                String.valueOf(port), user, knownHosts == null ? "" : cwd.resolve(knownHosts).toString(),
                String.valueOf(trustNew), fingerprint == null ? "" : fingerprint, String.valueOf(plaintext),
                identity == null ? "" : identityPath(cwd), reconnect == null ? "" : reconnect, build);
    }

    /** The identity option as the agent must see it: a file made absolute, {@code none} kept. */
    private String identityPath(java.nio.file.Path cwd) {
        return "none".equals(identity) ? identity : cwd.resolve(identity).toString();
    }
}
