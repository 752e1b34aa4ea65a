package dev.rudp.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flood runner small: 20 idle sessions, two 256 KiB transfers in a loop, 2000 datagrams a second for
 * 5 s against {@code bin/fileserver serve}. Correctness, not speed: the server sent the flood's sockets
 * at most 3 times the bytes it received from them, a transfer that ran during the flood completed, and every
 * idle session stayed open.
 */
class FloodRunnerSmokeTest {
    private static final Pattern AMPLIFICATION = Pattern.compile("\\(amplification\\) \\| ([\\d.]+) \\|");

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldStayWithinThreeTimesAndCompleteATransferDuringTheFlood(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int status = FloodRunner.main(new String[] {"--idle", "20", "--rate", "2000", "--seconds", "5", "--warmup", "1", "--before", "2",
            "--after", "1", "--file", "256k", "--sockets", "32", "--out", dir.toString()},
            new PrintStream(buf, true, StandardCharsets.UTF_8));
        String printed = buf.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertEquals(0, status, printed);
        Matcher m = AMPLIFICATION.matcher(printed);
        assertTrue(m.find(), printed);
        assertTrue(Double.parseDouble(m.group(1)) <= 3.0, printed);
        assertTrue(printed.contains("| idle sessions open at the end | 20 of 20 |"), printed);
        assertTrue(printed.contains("- transfer errors: none"), printed);
    }
}
