package dev.rudp.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

/** Runs the e2e runner on a few MiB over loopback, rudp and TCP only: a smoke test, not a benchmark. */
class E2eRunnerSmokeTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldMoveBytesAndWriteATable(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int status = E2eRunner.main(new String[] {"--bytes", "4m", "--profiles", "loopback", "--transports", "rudp,tcp",
            "--warmup", "0", "--repeat", "2", "--timeout", "30", "--files", "none", "--out", dir.toString()},
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        String printed = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, printed);
        String results = RawRuns.only(dir, "e2e");
        assertTrue(results.contains("| loopback | rudp | 4 | ok |"), results);
        assertTrue(results.contains("| loopback | tcp | 4 | ok |"), results);
        assertTrue(results.contains("- command: `"), results);
        assertTrue(results.contains(" (2) |"), "the spread of the two runs: " + results);
        assertTrue(printed.contains("(run 2/2)"), printed);
    }

    @Test
    void shouldParseProfiles() {
        Profile p = Profile.parse("loss1-rtt20-rate100m");
        assertEquals(1.0, p.lossPercent());
        assertEquals(20, p.rttMillis());
        assertEquals(100, p.rateMbit());
        assertTrue(p.simulated());
        assertEquals(10, p.oneWay(1).delayMillis());
        assertEquals(12_500_000, p.oneWay(1).rateBytesPerSecond());
        assertEquals(Profile.LOOPBACK, Profile.parse("loopback"));
        assertThrows(IllegalArgumentException.class, () -> Profile.parse("jitter5"));
        assertThrows(IllegalArgumentException.class, () -> Profile.parse("rtt15"));
    }

    @Test
    void shouldRefuseBadOptionsWithUsage() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int status = E2eRunner.main(new String[] {"--bogus", "1"}, new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("usage:"));
    }
}
