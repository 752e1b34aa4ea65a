package dev.rudp.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which run of {@code bin/fileclient} records the client's class cache: one that talked to a server
 * and succeeded, never {@code keygen}, {@code --help} or a failed command, whose cache would lack the
 * session's classes until the next build. On Java 25 the cache is an AOT cache, on other releases a
 * static class-data archive; the tests of the archive run the script on the PATH's java. Runs a copy of the
 * script in a folder of its own, beside links to the packaged jars, so the repository's own cache is
 * left alone.
 */
@Timeout(180)
class ClassArchiveTest {
    @TempDir
    Path tmp;

    private Path root;

    /** FILECLIENT_JAVA for the script's runs, none when null. */
    private String java = "java";

    /** The script's PATH, this JVM's when null. */
    private String path;

    /** Whether batches go through the per-user agent (else FILECLIENT_AGENT=0). */
    private boolean agent;

    private Path archive() {
        return root.resolve("fileclient/target/fileclient.jsa");
    }

    private Path launcherArchive() {
        return root.resolve("fileclient/target/launcher.jsa");
    }

    private Path aotCache() {
        return root.resolve("fileclient/target/fileclient.aot");
    }

    /** bin/fileclient, _build.sh and the JIT files copied; the jars and their lib folders linked. */
    private void copyOfTheScript() throws Exception {
        copyOfTheScript(false);
    }

    /** As {@link #copyOfTheScript()}, with the client's lib folder copied when {@code ownClientLib}. */
    private void copyOfTheScript(boolean ownClientLib) throws Exception {
        Path repo = ServerProc.repo();
        root = tmp.resolve("root");
        Files.createDirectories(root.resolve("bin"));
        for (String f : List.of("bin/fileclient", "bin/_build.sh")) {
            Files.copy(repo.resolve(f), root.resolve(f));
        }
        for (String f : List.of("fileclient/src/main/jvm/compiler-directives.json",
                "rudp-core/src/main/jvm/compile-commands.txt")) {
            Path jit = Path.of(f);
            Files.createDirectories(root.resolve(jit).getParent());
            Files.copy(repo.resolve(jit), root.resolve(jit));
        }
        for (String module : List.of("fileclient", "fileserver")) {
            Path target = Files.createDirectories(root.resolve(module).resolve("target"));
            Files.createSymbolicLink(target.resolve(module + ".jar"), repo.resolve(module + "/target/" + module + ".jar"));
            if (ownClientLib && module.equals("fileclient")) {
                Path lib = Files.createDirectories(target.resolve("lib"));
                try (var jars = Files.list(repo.resolve(module + "/target/lib"))) {
                    for (Path jar : jars.toList()) {
                        Files.copy(jar, lib.resolve(jar.getFileName()));
                    }
                }
            } else {
                Files.createSymbolicLink(target.resolve("lib"), repo.resolve(module + "/target/lib"));
            }
        }
    }

    /** Alice's account in {@code data}, by key; returns her key file. */
    private Path aliceByKey(Path data) throws Exception {
        Path key = tmp.resolve("id_ed25519");
        KeyAccount.create(data, "alice", key);
        return key;
    }

    /** {@code java -cp fileclient.jar options...}, which must end well; returns what it printed. */
    private String jvm(String java, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", root.resolve("fileclient/target/fileclient.jar").toString()));
        cmd.addAll(List.of(options));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "the JVM maps the cache: " + out);
        return out;
    }

    /** Nothing named after {@code cache} and a dot (the recording's own files) is left beside it. */
    private static void noTemporaryLeft(Path cache) throws Exception {
        try (var left = Files.list(cache.getParent())) {
            assertEquals(List.of(), left.filter(f -> f.getFileName().toString().startsWith(cache.getFileName() + "."))
                    .toList(), "no temporary cache or configuration left");
        }
    }

    /**
     * Alice's account by key and a new server; her first {@code pwd} session records the archive, then
     * {@code then} runs with the server, her key and that session's arguments.
     */
    private void afterAFirstSession(SessionStep then) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path key = aliceByKey(data);
        try (ServerProc server = ServerProc.start(data, tmp, List.of())) {
            List<String> ok = session(server, key, "pwd");
            assertEquals(0, fileclient(ok));
            assertTrue(Files.size(archive()) > 0, "the first session records the archive");
            then.run(server, key, ok);
        }
    }

    @FunctionalInterface
    private interface SessionStep {
        void run(ServerProc server, Path key, List<String> session) throws Exception;
    }

    /** Arguments of a batch run of {@code commands} as alice, by key, the server pinned. */
    private static List<String> session(ServerProc server, Path key, String commands) {
        List<String> args = new ArrayList<>(KeyAccount.options(server, "alice", key));
        args.addAll(List.of("-c", commands, "127.0.0.1"));
        return args;
    }

    private int fileclient(List<String> args) throws Exception {
        ProcessBuilder pb = ClientScript.builder(root, tmp, args);
        // owner-only, or the agent refuses the folder
        Path agents = Files.createDirectories(tmp.resolve("agents"));
        Files.setPosixFilePermissions(agents, PosixFilePermissions.fromString("rwx------"));
        pb.environment().put("FILECLIENT_AGENT_DIR", agents.toString());
        pb.environment().put("FILECLIENT_AGENT", agent ? "1" : "0");
        pb.environment().remove("FILECLIENT_CDS");
        pb.environment().remove("FILECLIENT_PASSWORD");
        if (java == null) {
            pb.environment().remove("FILECLIENT_JAVA");
        } else {
            pb.environment().put("FILECLIENT_JAVA", java);
        }
        if (path != null) {
            pb.environment().put("PATH", path);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bin/fileclient ends: " + out);
        return p.exitValue();
    }

    /**
     * The archive names the lib/ jars too, and the JVM refuses all of it once one of them changed: a
     * rebuilt rudp-core jar (the client's own jar untouched, as Maven leaves it when only rudp-core
     * changed) makes the next session record it anew.
     */
    @Test
    void aRebuiltLibraryJarRecordsTheArchiveAgain() throws Exception {
        copyOfTheScript(true);
        afterAFirstSession((server, key, ok) -> {
            Path rudpCore;
            try (var jars = Files.list(root.resolve("fileclient/target/lib"))) {
                rudpCore = jars.filter(j -> j.getFileName().toString().startsWith("rudp-core-")).findFirst().orElseThrow();
            }
            // A rebuild: the library jar newer than the archive, which is newer than the client's jar.
            long now = System.currentTimeMillis() / 1000 * 1000;
            FileTime rebuilt = FileTime.fromMillis(now);
            FileTime recorded = FileTime.fromMillis(now - 2000);
            assertTrue(Files.getLastModifiedTime(root.resolve("fileclient/target/fileclient.jar")).compareTo(recorded) < 0,
                    "the client's jar was built before the archive was recorded");
            Files.setLastModifiedTime(rudpCore, rebuilt);
            Files.setLastModifiedTime(archive(), recorded);
            assertEquals(0, fileclient(ok));
            assertTrue(Files.getLastModifiedTime(archive()).compareTo(rebuilt) >= 0,
                    "the archive is recorded again after the library jar changed");
        });
        jvm("java", "-XX:SharedArchiveFile=" + archive(), "-Xshare:on", "-version");
    }

    /**
     * The archive also rests on the runtime's module image and base archive, which a JDK update (or a
     * {@code java -Xshare:dump}) replaces while the java binary keeps its date: a runtime whose
     * lib/server changed after the archive was recorded makes the next session record it anew, and
     * one that did not leaves it alone. The runtime is the PATH's JDK seen through a folder of links
     * whose dates the test sets.
     */
    @Test
    void anUpdatedRuntimeRecordsTheArchiveAgain() throws Exception {
        copyOfTheScript();
        Path real = null;
        for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "java");
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                real = candidate.toRealPath().getParent().getParent();
                break;
            }
        }
        Assumptions.assumeTrue(real != null && Files.isRegularFile(real.resolve("release"))
                && !Files.readString(real.resolve("release")).contains("JAVA_VERSION=\"25"), "a JDK other than 25 on the PATH");
        Path jdk = tmp.resolve("jdk");
        Files.createDirectories(jdk.resolve("bin"));
        Files.createDirectories(jdk.resolve("lib/server"));
        Files.createSymbolicLink(jdk.resolve("bin/java"), real.resolve("bin/java"));
        Files.createSymbolicLink(jdk.resolve("lib/modules"), real.resolve("lib/modules"));
        Files.copy(real.resolve("release"), jdk.resolve("release"));
        java = jdk.resolve("bin/java").toString();
        long now = System.currentTimeMillis() / 1000 * 1000;
        FileTime installed = FileTime.fromMillis(now - 4000);
        FileTime recorded = FileTime.fromMillis(now - 2000);
        Files.setLastModifiedTime(jdk.resolve("lib/server"), installed);

        afterAFirstSession((server, key, ok) -> {
            Files.setLastModifiedTime(archive(), recorded);
            assertEquals(0, fileclient(ok));
            assertEquals(recorded, Files.getLastModifiedTime(archive()), "an unchanged runtime keeps the archive");
            // an update: lib/server's entries renamed into place after the archive was recorded
            FileTime updated = FileTime.fromMillis(now);
            Files.setLastModifiedTime(jdk.resolve("lib/server"), updated);
            assertEquals(0, fileclient(ok));
            assertTrue(Files.getLastModifiedTime(archive()).compareTo(updated) >= 0,
                    "the archive is recorded again after the runtime changed");
        });
    }

    /**
     * The launcher, the small JVM that each command through an agent starts, maps a static archive of
     * its own classes: the first command through an agent records it, a later one maps it and records
     * nothing. (The first batch after a build runs in-process to record the client's archive, the
     * next one stays as the agent, and only the third meets a launcher.)
     */
    @Test
    void theFirstCommandThroughAnAgentRecordsTheLaunchersArchive() throws Exception {
        copyOfTheScript();
        agent = true;
        try {
            afterAFirstSession(this::launcherRecordsItsArchive);
        } finally {
            ClientScript.destroyAgents(tmp.resolve("agents"));
        }
        String classes = jvm("java", "-XX:SharedArchiveFile=" + launcherArchive(), "-XX:+PrintSharedArchiveAndExit");
        assertTrue(classes.contains(" dev.rudp.fileclient.agent.Launcher "), "the launcher's classes are in it");
        noTemporaryLeft(launcherArchive());
    }

    /**
     * After the first batch (in-process): an --agent-stop with no agent (it records nothing: it loads too
     * little), one that starts the agent, two through it, the agent stopped.
     */
    private void launcherRecordsItsArchive(ServerProc server, Path key, List<String> ok) throws Exception {
        List<String> stop = new ArrayList<>(KeyAccount.options(server, "alice", key));
        stop.remove("-q");
        stop.addAll(List.of("--agent-stop", "127.0.0.1"));
        fileclient(stop);
        assertFalse(Files.exists(launcherArchive()), "an --agent-stop records no launcher archive");
        assertEquals(0, fileclient(ok));
        assertFalse(Files.exists(launcherArchive()), "the command that starts the agent needs no launcher");
        assertEquals(0, fileclient(ok));
        assertTrue(Files.size(launcherArchive()) > 0, "the first command through the agent records it");
        FileTime recorded = Files.getLastModifiedTime(launcherArchive());
        assertEquals(0, fileclient(ok));
        assertEquals(recorded, Files.getLastModifiedTime(launcherArchive()), "a later command maps it");
        assertEquals(0, fileclient(stop));
    }

    @Test
    void onlyASucceededSessionRecordsTheArchive() throws Exception {
        copyOfTheScript();
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path key = aliceByKey(data);

        assertEquals(0, fileclient(List.of("keygen", "-f", tmp.resolve("other_key").toString())));
        assertFalse(Files.exists(archive()), "keygen, a new user's first command, records no archive");
        assertEquals(0, fileclient(List.of("--help")));
        assertFalse(Files.exists(archive()), "nor does --help");
        try (ServerProc server = ServerProc.start(data, tmp, List.of())) {
            assertEquals(3, fileclient(session(server, key, "get nosuch.bin")));
            assertFalse(Files.exists(archive()), "a failed command's archive is not kept");
            List<String> ok = session(server, key, "pwd");
            assertEquals(0, fileclient(ok));
            assertTrue(Files.size(archive()) > 0, "a session that succeeded records it");
        }
        // it holds the session's classes, and those a first command loads when it stays as the agent, lists
        // files (this session listed none) or resumes its DTLS session (this one ran a full handshake)
        String classes = jvm("java", "-XX:SharedArchiveFile=" + archive(), "-XX:+PrintSharedArchiveAndExit");
        for (String c : List.of("org.bouncycastle.tls.DTLSClientProtocol", "io.netty.channel.epoll.EpollDatagramChannel",
                "dev.rudp.fileclient.agent.FirstRun", "dev.rudp.fileclient.agent.Agent",
                "dev.rudp.fileclient.ClientMain$SessionKeeper", "dev.rudp.fileserver.protocol.FileEntry",
                "org.bouncycastle.tls.DTLSReliableHandshake$1")) {
            assertTrue(classes.contains(" " + c + " "), c + " is in the archive");
        }
        // one static archive of the JDK's classes and the client's, not a dynamic one over the JDK's own
        assertTrue(classes.contains("Static archive name: " + archive()), classes);
        assertFalse(classes.contains("Dynamic archive name"), "not a dynamic archive");
        assertTrue(classes.contains(" java.lang.Object boot_loader"), "the JDK's classes are in it");
        noTemporaryLeft(archive());
    }

    /**
     * On Java 25 the first session records an AOT cache (and no class-data archive) through two steps
     * whose files it leaves nowhere, the JVM maps it (it refuses to start with {@code AOTMode=on}
     * otherwise), and the next session runs with it.
     */
    @Test
    void onJava25TheFirstSessionRecordsAnAotCache() throws Exception {
        Path java25 = ClientScript.java25();
        Assumptions.assumeTrue(java25 != null, "no Java 25 under /usr/lib/jvm");
        java = java25.toString();
        copyOfTheScript();
        firstSessionRecordsTheAotCacheAlone("ls");
        noTemporaryLeft(aotCache());
        // with the script's native access, which the cache records and the JVM then requires
        jvm(java25.toString(), "-XX:AOTCache=" + aotCache(), "-XX:AOTMode=on", "--enable-native-access=ALL-UNNAMED",
                "-version");
    }

    /**
     * A FILECLIENT_JAVA that names no program is refused before any JVM starts; a Java 25 that the
     * PATH leads to through a link, as a distribution's /usr/bin/java does (the script finds the JDK
     * under /usr/lib/jvm it is, and reads its release file), gets the AOT cache too.
     */
    @Test
    void aJava25LinkedOnThePathGetsTheAotCacheAndAMissingJavaIsRefused() throws Exception {
        copyOfTheScript();
        String missing = tmp.resolve("no-such-java").toString();
        ProcessBuilder pb = ClientScript.builder(root, tmp, List.of("--help"));
        pb.environment().put("FILECLIENT_JAVA", missing);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("FILECLIENT_JAVA=" + missing + " is not a java program"), out);

        Path java25 = ClientScript.java25();
        Assumptions.assumeTrue(java25 != null, "no Java 25 under /usr/lib/jvm");
        java = null;
        Path links = Files.createDirectories(tmp.resolve("links"));
        Files.createSymbolicLink(links.resolve("java"), java25);
        path = links + File.pathSeparator + System.getenv("PATH");
        firstSessionRecordsTheAotCacheAlone();
    }

    /**
     * Alice's first session ({@code pwd}) against a new server records the AOT cache and no class-data
     * archive; each of {@code later}, a session of its own against the same server, maps it and
     * records nothing.
     */
    private void firstSessionRecordsTheAotCacheAlone(String... later) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path key = aliceByKey(data);
        try (ServerProc server = ServerProc.start(data, tmp, List.of())) {
            assertEquals(0, fileclient(session(server, key, "pwd")));
            assertTrue(Files.size(aotCache()) > 0, "the first session records the AOT cache");
            assertFalse(Files.exists(archive()), "and no class-data archive");
            FileTime recorded = Files.getLastModifiedTime(aotCache());
            for (String commands : later) {
                assertEquals(0, fileclient(session(server, key, commands)));
                assertEquals(recorded, Files.getLastModifiedTime(aotCache()), "a later session maps it, records nothing");
            }
        }
    }
}
