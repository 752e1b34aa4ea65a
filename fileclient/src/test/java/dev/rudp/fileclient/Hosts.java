package dev.rudp.fileclient;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Hosts made of network namespaces for multi-host tests: one namespace holds a bridge (the switch),
 * every host is a namespace with one veth port on it and an address on a private /24 chosen at
 * random, so parallel runs do not meet. Nothing is added to the caller's own namespace. {@link #close}
 * kills what {@link #spawn} started and deletes every namespace (their veths go with them), also
 * after a failed setup. Needs root and {@code ip} (iproute2).
 */
final class Hosts implements AutoCloseable {
    private static final long COMMAND_SECONDS = 120;

    private final String tag;
    private final String net;
    private final List<String> namespaces = new ArrayList<>();
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final List<Process> spawned = new CopyOnWriteArrayList<>();
    private final String bridgeNs;

    Hosts() throws IOException, InterruptedException {
        SecureRandom r = new SecureRandom();
        tag = HexFormat.of().formatHex(r.generateSeed(3));
        net = "10." + (100 + r.nextInt(150)) + "." + r.nextInt(256) + ".";
        bridgeNs = "rb" + tag + "-sw";
        try {
            run(List.of("ip", "netns", "add", bridgeNs));
            namespaces.add(bridgeNs);
            run(List.of("ip", "-n", bridgeNs, "link", "add", "br0", "type", "bridge"));
            run(List.of("ip", "-n", bridgeNs, "link", "set", "br0", "up"));
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Whether this machine can make hosts: root and iproute2's {@code ip}. Null if so, else why not. */
    static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "network namespaces need root (running as " + System.getProperty("user.name") + ")";
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "ip"))) {
                return null;
            }
        }
        if (Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))) {
            return null;
        }
        return "iproute2's ip is not installed";
    }

    /** Adds host {@code name} at {@code NET.last} on the switch; returns its address. */
    String add(String name, int last) throws IOException, InterruptedException {
        String ns = ns(name);
        String address = net + last;
        run(List.of("ip", "netns", "add", ns));
        namespaces.add(ns);
        String port = "v" + tag + name.charAt(0) + last;
        run(List.of("ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", port, "netns", bridgeNs));
        run(List.of("ip", "-n", bridgeNs, "link", "set", port, "master", "br0", "up"));
        run(List.of("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0"));
        run(List.of("ip", "-n", ns, "link", "set", "eth0", "up"));
        run(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
        addresses.put(name, address);
        return address;
    }

    /** The address of host {@code name}. */
    String address(String name) {
        return addresses.get(name);
    }

    /** The command line that runs {@code command} on host {@code name}. */
    List<String> on(String name, List<String> command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns(name)));
        all.addAll(command);
        return all;
    }

    /** Runs {@code command} on host {@code name} to its end; its output (both streams) if it exits 0. */
    String exec(String name, List<String> command) throws IOException, InterruptedException {
        return run(on(name, command));
    }

    /** Starts {@code command} on host {@code name}, killed by {@link #close} if still running. */
    Process spawn(String name, List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder b = new ProcessBuilder(on(name, command)).redirectErrorStream(true);
        b.environment().putAll(env);
        Process p = b.start();
        spawned.add(p);
        return p;
    }

    /** Collects a process's output lines into {@code into} on a daemon thread. */
    static Thread collect(Process p, List<String> into, String threadName) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    into.add(line);
                    synchronized (into) {
                        into.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            synchronized (into) {
                into.notifyAll();
            }
        }, threadName);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits until a line of {@code lines} (after the first {@code from}) contains {@code text}; its index. */
    static int await(List<String> lines, int from, String text, long millis, Process alive) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (lines) {
            while (true) {
                for (int i = from; i < lines.size(); i++) {
                    if (lines.get(i).contains(text)) {
                        return i;
                    }
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || (alive != null && !alive.isAlive() && !hasMore(alive))) {
                    throw new AssertionError("no line with '" + text + "' within " + millis + " ms; got: "
                            + lines.subList(from, lines.size()));
                }
                lines.wait(Math.min(left, 200));
            }
        }
    }

    private static boolean hasMore(Process p) {
        try {
            return p.getInputStream().available() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private String ns(String name) {
        return "rb" + tag + "-" + name;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("did not end within " + COMMAND_SECONDS + " s: " + String.join(" ", command));
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("exit " + p.exitValue() + ": " + String.join(" ", command) + ": " + text.strip());
        }
        return text;
    }

    /** Kills every process {@link #spawn} started (children of theirs that left them excepted) and deletes the namespaces. */
    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : spawned) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : spawned) {
            p.waitFor(30, TimeUnit.SECONDS);
        }
        IOException first = null;
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            try {
                run(List.of("ip", "netns", "del", namespaces.get(i)));
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        namespaces.clear();
        if (first != null) {
            throw first;
        }
    }
}
