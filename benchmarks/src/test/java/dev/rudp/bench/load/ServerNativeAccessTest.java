package dev.rudp.bench.load;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/fileserver} on a Java 25 (the PATH leading to it): the jar's manifest grants its class
 * path native access, so the JVM prints none of its restricted-method warnings when Netty loads its
 * native transport, and the server still listens on epoll. Skipped where no Java 25 is installed.
 */
@Timeout(120)
class ServerNativeAccessTest {
    @TempDir
    Path tmp;

    @Test
    void onJava25TheServerLoadsItsNativeTransportWithoutWarnings() throws Exception {
        Path java25 = ClientScript.java25();
        Assumptions.assumeTrue(java25 != null, "no Java 25 under /usr/lib/jvm");
        Path data = Files.createDirectories(tmp.resolve("data"));
        String path = java25.getParent() + File.pathSeparator + System.getenv("PATH");
        try (ServerProc server = ServerProc.start(data, tmp, List.of(), Map.of("PATH", path))) {
            String log = Files.readString(tmp.resolve("fileserver.log"), StandardCharsets.UTF_8);
            assertTrue(log.contains("transport epoll"), "the native transport is in use: " + log);
            assertFalse(log.contains("WARNING"), "no JVM warning: " + log);
        }
    }
}
