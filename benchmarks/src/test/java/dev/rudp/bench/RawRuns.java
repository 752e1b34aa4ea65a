package dev.rudp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** For the runners' smoke tests: the one raw run a runner wrote under {@code out/results}. */
public final class RawRuns {
    private RawRuns() {
    }

    /** The Markdown of the only {@code KIND-*.md} under {@code out/results}, after checking its CSV is there too. */
    public static String only(Path out, String kind) throws IOException {
        List<Path> md;
        try (Stream<Path> s = Files.list(out.resolve("results"))) {
            md = s.filter(p -> p.getFileName().toString().startsWith(kind + "-") && p.toString().endsWith(".md")).toList();
        }
        assertEquals(1, md.size(), "one raw run: " + md);
        Path csv = Path.of(md.get(0).toString().replaceAll("\\.md$", ".csv"));
        assertTrue(Files.isRegularFile(csv), "its table as CSV: " + csv);
        assertTrue(Files.readString(csv).lines().count() >= 2, "a header and rows: " + csv);
        return Files.readString(md.get(0));
    }
}
