package dev.rudp.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load runner small: 20 sessions (4 of them {@code bin/fileclient} processes) for 10 s through 2 %
 * loss against {@code bin/fileserver serve}. Correctness, not speed: every file that came back matched
 * the SHA-256 it went up with, no session failed, and every session did at least one whole round.
 */
class LoadRunnerSmokeTest {

    @Test
    @Timeout(value = 420, unit = TimeUnit.SECONDS)
    void shouldVerifyEveryByteAndStarveNoSession(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int status = LoadRunner.main(new String[] {"--sessions", "20", "--processes", "4", "--seconds", "10",
            "--loss", "0.02", "--seed", "7", "--max-file", "256k", "--min-ops", "5", "--out", dir.toString()},
            new PrintStream(buf, true, StandardCharsets.UTF_8));
        String printed = buf.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertEquals(0, status, printed);
        assertTrue(printed.contains("- failures: none"), printed);
        assertTrue(printed.contains("- every session at least 5 operations: yes"), printed);
        Path csv;
        try (Stream<Path> s = Files.list(dir.resolve("results"))) {
            csv = s.filter(p -> p.getFileName().toString().matches("load-\\d{8}-\\d{6}-3\\.csv")).findFirst()
                    .orElseThrow();
        }
        List<String> figures = Files.readAllLines(csv);
        long files = value(figures, "files verified");
        long puts = value(List.of(Files.readAllLines(Path.of(csv.toString().replace("-3.csv", ".csv"))).get(1)), "put");
        // every put of a completed round came back and was checked (a round ends with its rm)
        assertTrue(files >= 20, figures.toString());
        assertTrue(files <= puts, figures.toString());
    }

    /** The first number after the label in the CSV row that starts with {@code label}. */
    private static long value(List<String> rows, String label) {
        for (String row : rows) {
            if (row.startsWith(label)) {
                return Long.parseLong(row.split(",")[1].trim());
            }
        }
        throw new AssertionError("no row " + label + " in " + rows);
    }
}
