package dev.rudp.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both scripts start their JVM with Netty keeping 16 free buffer chunks for reuse, as the JVM itself
 * reports its system properties ({@code -XshowSettings:properties}). With Netty's default of 2 per core a
 * transfer's pooled buffers, several to a chunk, freed and allocated chunks all the time, each zeroed and
 * faulted in afresh: a new client's 1 GiB put took 18% more CPU, a server 3,000-4,000 page faults per
 * 1 GiB put instead of 25 (bin/fileclient, bin/fileserver say more).
 */
@Timeout(60)
class BufferReuseTest {
    private static final String SETTING = "io.netty.allocator.chunkReuseQueueCapacity = 16";

    @TempDir
    Path tmp;

    @Test
    void theClientKeepsSixteenChunks() throws Exception {
        ProcessBuilder pb = ClientScript.builder(ServerProc.repo(), tmp, List.of("--help"));
        pb.environment().put("FILECLIENT_CDS", "0"); // the repository's archive is not this test's
        pb.environment().put("FILECLIENT_JAVA_OPTS", "-XshowSettings:properties");
        assertTrue(run(pb).contains(SETTING));
    }

    @Test
    void theServerKeepsSixteenChunks() throws Exception {
        ProcessBuilder pb = ClientScript.builder(ServerProc.repo(), tmp, "fileserver", List.of("--help"));
        pb.environment().put("FILESERVER_JAVA_OPTS", "-XshowSettings:properties");
        assertTrue(run(pb).contains(SETTING));
    }

    private static String run(ProcessBuilder pb) throws Exception {
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the script ends");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("usage"), out);
        return out;
    }
}
