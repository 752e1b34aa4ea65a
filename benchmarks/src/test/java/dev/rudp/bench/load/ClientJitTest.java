package dev.rudp.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compile tiers {@code bin/fileclient} sets for its JVM, seen in the JVM's own account of what it
 * compiled: nothing in C1's profiled tier 3, the DTLS record path straight into C1's tier 1, and the
 * JDK's AES-GCM in C2, whose intrinsics it needs. A JDK whose policy read these thresholds otherwise
 * could leave the transfer path interpreted, or in tier 3, without any other test noticing.
 */
@Timeout(180)
class ClientJitTest {
    /** A {@code -XX:+PrintCompilation} line: time, id, attributes, tier, method. */
    private static final Pattern COMPILED = Pattern.compile("^\\s*\\d+\\s+\\d+\\s+[%sbn! ]*\\s([0-4])\\s+(\\S+)");

    @TempDir
    Path tmp;

    @Test
    void theTransferPathIsCompiledOnceAtFullC1SpeedAndTheCipherByC2() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path key = tmp.resolve("id_ed25519");
        KeyAccount.create(data, "alice", key);
        byte[] content = new byte[24 << 20];
        new Random(7).nextBytes(content);
        Path local = tmp.resolve("local.bin");
        Files.write(local, content);
        Path back = tmp.resolve("back.bin");
        String out;
        try (ServerProc server = ServerProc.start(data, tmp, List.of())) {
            List<String> args = new ArrayList<>(KeyAccount.options(server, "alice", key));
            args.addAll(List.of("-c", "put " + local + " f.bin; get f.bin " + back, "127.0.0.1"));
            ProcessBuilder pb = ClientScript.builder(ServerProc.repo(), tmp, args);
            pb.environment().put("FILECLIENT_AGENT", "0");
            pb.environment().put("FILECLIENT_CDS", "0"); // the repository's archive is not this test's
            pb.environment().remove("FILECLIENT_JIT");
            pb.environment().put("FILECLIENT_JAVA_OPTS", "-XX:+DisplayVMOutput -XX:+PrintCompilation");
            Process p = pb.start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bin/fileclient ends");
            assertEquals(0, p.exitValue(), out.substring(Math.max(0, out.length() - 2000)));
        }
        assertTrue(java.util.Arrays.equals(content, Files.readAllBytes(back)), "the file came back whole");

        Map<String, Set<Integer>> tiers = new HashMap<>();
        for (String line : out.split("\n")) {
            Matcher m = COMPILED.matcher(line);
            if (m.find()) {
                tiers.computeIfAbsent(m.group(2), k -> new HashSet<>()).add(Integer.parseInt(m.group(1)));
            }
        }
        assertTrue(tiers.size() > 200, "the JVM listed its compiles: " + tiers.size());
        List<String> profiled = tiers.entrySet().stream().filter(e -> e.getValue().contains(3)).map(Map.Entry::getKey)
                .sorted().toList();
        assertTrue(profiled.isEmpty(), "nothing is compiled in C1's profiled tier, but " + profiled.size()
                + " methods were, among them " + profiled.subList(0, Math.min(10, profiled.size())));
        for (String method : List.of("dev.rudp.dtls.GcmRecords::openInto", "dev.rudp.dtls.GcmRecords::seal",
                "dev.rudp.reliability.ReliableConnection::onPacket")) {
            assertEquals(Set.of(1), tiers.get(method), method + " is compiled once, by C1 at full speed");
        }
        for (String method : List.of("com.sun.crypto.provider.GHASH::update", "com.sun.crypto.provider.CounterMode::implCrypt")) {
            assertTrue(tiers.getOrDefault(method, Set.of()).contains(4), method + " reaches C2 and its intrinsic");
        }
        assertFalse(tiers.keySet().stream().anyMatch(m -> m.startsWith("dev.rudp.") && tiers.get(m).contains(4)),
                "the directives keep C2 off rudp's own code");
    }
}
