package dev.rudp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawRunTest {

    @Test
    void shouldTurnEachMarkdownTableIntoCsv() {
        String md = "## run\n\n- command: `x`\n\n| a | b, c |\n|---|---:|\n| 1 | \"q\" |\n\ntext\n\n| z |\n|---|\n| 9 |\n";
        List<String> csv = RawRun.csvTables(md);
        assertEquals(List.of("a,\"b, c\"\n1,\"\"\"q\"\"\"\n", "z\n9\n"), csv);
    }

    @Test
    void shouldWriteTheRunAndOneCsvPerTable(@TempDir Path dir) throws Exception {
        Path md = RawRun.write(dir, "e2e", "20261205-120000", "\n## run\n\n| a |\n|---|\n| 1 |\n\n| b |\n|---|\n| 2 |\n");
        assertEquals(dir.resolve("results/e2e-20261205-120000.md"), md);
        assertEquals("a\n1\n", Files.readString(dir.resolve("results/e2e-20261205-120000.csv")));
        assertEquals("b\n2\n", Files.readString(dir.resolve("results/e2e-20261205-120000-2.csv")));
        assertEquals('#', Files.readString(md).charAt(0));
    }
}
