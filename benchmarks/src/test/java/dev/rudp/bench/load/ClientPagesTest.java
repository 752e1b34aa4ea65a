package dev.rudp.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page size {@code bin/fileclient} gives its JVM's heap, in the JVM's own page-size log: transparent
 * huge pages (2 MiB on x86-64) where the kernel offers them (a new client's page faults halved), and the
 * flag left out where it does not, since the JVM would then warn on stderr of every command.
 */
@Timeout(60)
class ClientPagesTest {
    private static final Path THP = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    @TempDir
    Path tmp;

    @Test
    void theHeapIsOnHugePagesWhereTheKernelOffersThem() throws Exception {
        Path log = tmp.resolve("pagesize.log");
        ProcessBuilder pb = ClientScript.builder(ServerProc.repo(), tmp, List.of("--help"));
        pb.environment().put("FILECLIENT_CDS", "0"); // the repository's archive is not this test's
        pb.environment().put("FILECLIENT_JAVA_OPTS", "-Xlog:pagesize:file=" + log);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bin/fileclient --help ends");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("usage") || out.contains("Usage"), out);
        assertTrue(!out.contains("warning") && !out.contains("Warning"), "no JVM warning: " + out);

        String mode = Files.isReadable(THP) ? Files.readString(THP) : "";
        boolean offered = mode.contains("[always]") || mode.contains("[madvise]");
        String pages = Files.readString(log);
        assertTrue(pages.contains("UseTransparentHugePages=" + (offered ? 1 : 0)),
                "THP " + (offered ? "on" : "off") + " as the kernel's mode '" + mode.strip() + "' says: " + pages);
        String heap = pages.lines().filter(l -> l.contains("Heap:")).findFirst().orElse("");
        if (offered) {
            // The THP size where this JDK logs it (17.0.15 does; Java 25 ends the heap's line with its page
            // size); else any heap page but the base 4 KiB one.
            String thpSize = pages.lines().filter(l -> l.contains("THP pagesize:")).findFirst().orElse("")
                    .replaceAll(".*THP pagesize:\\s*", "").strip();
            assertTrue(thpSize.isEmpty() ? heap.contains("page_size=") && !heap.contains("page_size=4K")
                    : heap.matches(".*page_size=" + java.util.regex.Pattern.quote(thpSize) + "(\\s.*|$)"), thpSize + " / " + heap);
        } else {
            assertTrue(!heap.isEmpty() && !heap.contains("page_size=2M"), heap);
        }
    }
}
