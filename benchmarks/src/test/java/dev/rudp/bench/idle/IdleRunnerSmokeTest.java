package dev.rudp.bench.idle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.bench.RawRuns;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three connections and a 4 MiB transfer to a plaintext server process: a smoke test, not a benchmark. */
class IdleRunnerSmokeTest {

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldMeasureAServerProcessAndWriteATable(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int status = IdleRunner.main(new String[] {"--plain", "--connections", "3", "--idle", "0", "--transfer", "4m",
            "--out", dir.toString()}, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String printed = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, printed);
        String results = RawRuns.only(dir, "idle");
        assertTrue(results.matches("(?s).*\\| plaintext \\| 3 \\| [0-9.]+ \\| [0-9.]+ \\| -?[0-9.]+ \\| [0-9.]+ \\| 3/3 \\| 64m \\| pass \\|.*"),
                results);
        assertTrue(results.contains("| plaintext | 4 | ok |"), results);
        assertTrue(results.contains("- command: `"), results);
    }

    @Test
    void shouldRefuseBadOptionsWithUsage() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int status = IdleRunner.main(new String[] {"--connections", "0"}, new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("usage:"));
    }
}
